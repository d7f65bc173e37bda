"""The models (and the argument checks) are built a section at a time: a call builds what it uses.

Every public name still resolves from ``wacr.models`` (``from wacr.models import Contact``), to
the class of its section's module, and every class has its fast structuring function.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap

import attrs
import pytest

import wacr
from wacr import models
from wacr._operations import OPERATIONS
from wacr.models import _generated, _structure

_FRESH = textwrap.dedent(
    """
    import asyncio, json, sys
    from aiohttp import web
    from aiohttp.test_utils import TestServer
    import wacr

    SEND = {"message_id": "m-1", "status": "sent", "sent_at": "2026-01-01T00:00:00Z"}
    CONTACT = {"id": 1, "firstname": "A", "lastname": "B", "phone": "+201000000001"}

    async def answer(request):
        data = [CONTACT] if request.method == "GET" else SEND
        if request.path.endswith("/account"):
            data = {"name": "no id"}  # breaks the model: the error must still name the field
        return web.json_response({"success": True, "data": data, "meta": {"request_id": "r"}})

    def built():
        prefixes = ("wacr.models._generated.", "wacr.models._structure.", "wacr._checks.")
        names = [m for m in sys.modules if m.startswith(prefixes)]
        return sorted(m.split(".", 1)[1].removeprefix("models.") for m in names)

    async def main():
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", answer)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        seen = {}
        try:
            async with wacr.Client("tok_lazy_5f4e3d2c1b", base_url=str(server.make_url("/api/v2"))) as client:
                seen["client"] = built()
                await client.messages.send_text(phone="+201000000000", message="hi")
                seen["send_text"] = built()
                seen["cattrs after send_text"] = "cattrs" in sys.modules
                try:
                    await client.account.get()
                except wacr.InvalidResponseError as error:
                    seen["broken account"] = error.problems
                await client.contacts.list()
                seen["contacts.list"] = built()
        finally:
            await server.close()
        print(json.dumps(seen))

    asyncio.run(main())
    """
)


def test_a_fresh_process_builds_only_the_sections_its_calls_answer_with() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FRESH], capture_output=True, text=True, check=True, timeout=60
    )
    seen = json.loads(done.stdout)
    assert seen["client"] == []  # a client builds no model
    # An answer that fits the generated fast path needs no converter (cattrs); one that does not
    # loads it to name what is wrong.
    assert seen["cattrs after send_text"] is False
    assert seen["broken account"] == ["data.id: required field missing"]
    # The section of the result (its models and their structuring) and what it uses in common.
    # The argument checks of the operation's section, likewise.
    assert {"_generated.messages", "_structure.messages", "_checks.messages"} <= set(seen["send_text"])
    assert {name.split(".")[1] for name in seen["send_text"]} == {"messages", "common"}
    assert {"_generated.contacts", "_structure.contacts", "_checks.contacts"} <= set(seen["contacts.list"])
    assert {name.split(".")[1] for name in seen["contacts.list"]} == {
        "messages",
        "common",
        "contacts",
        "account",
    }


def test_every_public_name_resolves_to_its_sections_class() -> None:
    generated = [name for name in models.__all__ if name in _generated.INDEX]
    assert len(generated) > 90
    for name in generated:
        home = importlib.import_module(f"wacr.models._generated.{_generated.INDEX[name]}")
        assert getattr(models, name) is getattr(home, name), name
        value = getattr(models, name)
        if isinstance(value, type) and value.__module__.startswith("wacr."):
            assert value.__module__ == home.__name__, name
    assert set(models.__all__) >= {"Deleted", "Model", "OpenEnum", "to_wire", "MediaTypeLiteral"}
    from wacr.models import Contact, MediaType, TextMessageResult

    assert (Contact.__name__, MediaType.image.value, TextMessageResult.__name__) == (
        "Contact",
        "image",
        "TextMessageResult",
    )


@pytest.mark.parametrize("name", ["ContactEnvelope", "NoSuchModel", "_private"])
def test_names_that_are_not_public_are_not_attributes(name: str) -> None:
    with pytest.raises(AttributeError, match=name):
        getattr(models, name)


def test_every_generated_class_has_its_fast_structuring_function() -> None:
    classes = []
    for section in sorted(set(_generated.INDEX.values())):
        module = importlib.import_module(f"wacr.models._generated.{section}")
        classes += [v for v in vars(module).values() if attrs.has(v) and v.__module__ == module.__name__]
    assert len(classes) > 90
    missing = [cls.__name__ for cls in classes if _structure.STRUCTURERS.get(cls) is None]
    assert missing == []
    assert _structure.STRUCTURERS.get(int) is None  # not a model: no function, and no error


def test_an_operation_answers_with_a_model_of_its_section_or_a_common_one() -> None:
    for op in OPERATIONS.values():
        if op.data_model is not None:
            section = op.operation_id.split("_", 1)[0]
            assert _generated.INDEX[op.data_model] in (section, "common"), op.operation_id
    assert isinstance(wacr.Deleted, type)
