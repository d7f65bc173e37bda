"""Every link of the spec carries a real id: the operation it names, called with that id, succeeds.

The stateful schemathesis phase (``test_schemathesis.py``) walks the links at random; this test
follows each of them once, on purpose: it calls the link's source operation with a valid body,
reads the parameter the link's runtime expression names out of the answer, and calls the target
operation with it. Every exchange is validated against the spec by the ``contract`` fixture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from tests.contract.conftest import Contract

SPEC_FILE = Path(__file__).resolve().parents[2] / "openapi" / "wacr-v2.yaml"
SPEC: dict[str, Any] = yaml.safe_load(SPEC_FILE.read_text())

# Stands for the id of a contact the test creates first (membership calls need one).
CONTACT = "<contact id>"

# A valid body for each operation a link starts from or leads to (and needs one).
BODIES: dict[str, dict[str, Any]] = {
    "contacts_create": {
        "firstname": "Link",
        "lastname": "Walker",
        "phone": "+201055500001",
        "type": "lead",
        "source_id": 1,
        "status_id": 1,
    },
    "contacts_update": {"company": "Acme"},
    "groups_create": {"name": "Linked group"},
    "groups_update": {"name": "Linked group 2"},
    "groups_add_contacts": {"contact_ids": [CONTACT]},
    "groups_remove_contacts": {"contact_ids": [CONTACT]},
    "sources_create": {"name": "Linked source"},
    "sources_update": {"name": "Linked source 2"},
    "statuses_create": {"name": "Linked status", "color": "#112233"},
    "statuses_update": {"name": "Linked status 2"},
    "messages_send_text": {"phone": "+201055500002", "message": "Hi"},
    "messages_send_template": {
        "phone": "+201055500002",
        "template_name": "order_update",
        "language": "en",
        "header_image_url": "https://example.com/parcel.jpg",
        "field_1": "Layla",
        "field_2": "A-1001",
        "button_0": "A-1001",
    },
    "messages_send_media": {
        "phone": "+201055500002",
        "media_type": "image",
        "media_url": "https://example.com/parcel.jpg",
    },
    "messages_send_interactive": {
        "phone": "+201055500002",
        "type": "button",
        "body_text": "Arrived?",
        "buttons": [{"id": "yes", "title": "Yes"}],
    },
    "messages_send_cta": {
        "phone": "+201055500002",
        "message": "Track it",
        "button_text": "Track",
        "button_url": "https://example.com/track",
    },
}


def _operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    found = {}
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                found[op["operationId"]] = (method.upper(), path, op)
    return found


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    target: Any = SPEC
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target  # type: ignore[no-any-return]


OPERATIONS = _operations()
LINKS = sorted(
    {
        (source, status, _resolve(link)["operationId"], tuple(sorted(_resolve(link)["parameters"].items())))
        for source, (_, _, op) in OPERATIONS.items()
        for status, response in op["responses"].items()
        if str(status).startswith("2")
        for link in _resolve(response).get("links", {}).values()
    }
)


def _pointer(document: Any, expression: str) -> Any:
    """The value a ``$response.body#/a/b`` runtime expression names."""
    prefix = "$response.body#"
    assert expression.startswith(prefix), f"unsupported link expression {expression!r}"
    value = document
    for part in expression[len(prefix) :].lstrip("/").split("/"):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def test_the_spec_has_links_from_every_create_and_send() -> None:
    sources = {source for source, *_ in LINKS}
    creates = {"contacts_create", "groups_create", "sources_create", "statuses_create"}
    sends = {oid for oid in OPERATIONS if oid.startswith("messages_send_")}
    assert creates | sends <= sources
    targets = {target for _, _, target, _ in LINKS}
    for resource in ("contacts", "groups", "sources", "statuses"):
        assert {f"{resource}_get", f"{resource}_update", f"{resource}_delete"} <= targets
    assert "messages_get" in targets


@pytest.mark.parametrize(
    ("source", "status", "target", "parameters"), LINKS, ids=[f"{s}-{st}-{t}" for s, st, t, _ in LINKS]
)
async def test_a_link_leads_to_the_resource_its_source_made(
    contract: Contract, source: str, status: str, target: str, parameters: tuple[tuple[str, str], ...]
) -> None:
    emu = contract.emulator
    headers = {"Authorization": f"Bearer {emu.token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.post(
            emu.base_url + "/contacts", json={**BODIES["contacts_create"], "phone": "+201055500009"}
        ) as resp:
            assert resp.status == 201, await resp.text()
            contact = (await resp.json())["data"]["id"]
        bodies = {
            oid: {
                k: [contact if v == CONTACT else v for v in vs] if isinstance(vs, list) else vs
                for k, vs in body.items()
            }
            for oid, body in BODIES.items()
        }
        method, path, _ = OPERATIONS[source]
        async with http.request(method, emu.base_url + path, json=bodies.get(source)) as resp:
            assert 200 <= resp.status < 300, await resp.text()
            made = await resp.json()
        values = {name: _pointer(made, expression) for name, expression in parameters}
        method, path, _ = OPERATIONS[target]
        url = emu.base_url + path.format(**values)
        async with http.request(method, url, json=bodies.get(target)) as resp:
            assert 200 <= resp.status < 300, (target, values, await resp.text())
            answer = await resp.json()
    if method in ("GET", "PATCH") and isinstance(answer.get("data"), dict) and "id" in answer["data"]:
        assert answer["data"]["id"] == values.get("id")
