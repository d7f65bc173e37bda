"""Property-based tests: arbitrary arguments to every resource method.

For every operation, hypothesis draws arguments from the spec's own rules (the resolved JSON Schemas
in ``OPERATIONS``) mixed with junk (wrong types, None, huge and unencodable strings, out-of-range
integers, nested garbage). Every call must end in one of two ways:

- ``wacr.ValidationError`` with ``status=None``, and nothing reached the server; or
- a request that the server received and that is valid for the operation: method, path parameters,
  query parameters and a JSON body that ``jsonschema`` accepts against the operation's schema.

Any other exception fails the test.
"""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import jsonschema
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import RawTestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wacr
from tests.sdk.conftest import minimal
from wacr._operations import OPERATIONS
from wacr._query import FILTER_OPERATORS

from .conftest import TOKEN

EXAMPLES = 25
Schema = dict[str, Any]


# -- strategies from the spec's rules --------------------------------------------------------------

_URL = st.from_regex(r"\Ahttps?://[a-z]{1,12}\.(com|io|cr)/[a-z0-9_-]{0,20}\.(jpg|png|pdf|mp4|mp3)\Z")


def valid(schema: Schema) -> st.SearchStrategy[Any]:
    """Values that follow ``schema`` (the subset of JSON Schema the spec uses)."""
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "integer":
        return st.integers(schema.get("minimum", -(2**63)), schema.get("maximum", 2**63 - 1))
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        return _string(schema)
    if kind == "array":
        low = schema.get("minItems", 0)
        return st.lists(
            valid(schema["items"]), min_size=low, max_size=min(schema.get("maxItems", 4), low + 3)
        )
    if kind == "object":
        return _object(schema)
    raise AssertionError(f"no strategy for {schema}")


def _string(schema: Schema) -> st.SearchStrategy[str]:
    low, high = schema.get("minLength", 0), schema.get("maxLength", 300)
    fmt, pattern = schema.get("format"), schema.get("pattern")
    if fmt == "email":
        base: st.SearchStrategy[str] = st.from_regex(r"\A[a-z0-9._]{1,20}@[a-z0-9]{1,12}\.[a-z]{2,6}\Z")
    elif fmt == "uri":
        base = _URL
    elif pattern is not None:
        base = st.from_regex(pattern, fullmatch=True)
    else:
        return st.text(min_size=low, max_size=min(high, low + 40))
    return base.filter(lambda text: low <= len(text) <= high)


def _object(schema: Schema) -> st.SearchStrategy[dict[str, Any]]:
    properties: dict[str, Schema] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    return st.fixed_dictionaries(
        {name: valid(properties[name]) for name in sorted(required)},
        optional={name: valid(sub) for name, sub in properties.items() if name not in required},
    )


class _Opaque:
    """An object no JSON encoder or query builder knows."""

    def __repr__(self) -> str:
        return "<opaque>"


_SCALAR_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # nan, inf, -0.0 ...
    st.text(),
    st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3),  # lone surrogates: not UTF-8
    st.integers(1000, 100_000).map(lambda n: "ü" * n),  # huge
    st.binary(max_size=20),
    st.datetimes(),
    st.builds(_Opaque),
)

#: Wrong types, None, huge and unencodable strings, nested garbage.
JUNK: st.SearchStrategy[Any] = st.recursive(
    _SCALAR_JUNK,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=10), st.integers(), st.none()), inner, max_size=4),
        st.frozensets(st.integers(), max_size=3),
    ),
    max_leaves=8,
)


def near_miss(schema: Schema) -> st.SearchStrategy[Any]:
    """Values of about the right shape that break the schema, or that no wire format can carry."""
    kind = schema.get("type")
    if "enum" in schema:
        return st.sampled_from([str(v).upper() + "_" for v in schema["enum"]] + [""])
    if kind == "integer":
        return st.one_of(
            st.integers(min_value=2**64, max_value=2**80),  # beyond JSON encoders and int64 columns
            st.integers(min_value=-(2**80), max_value=-(2**63) - 1),
            st.booleans(),
            st.floats(),
            st.integers(-5, 5).map(str),
        )
    if kind == "boolean":
        return st.sampled_from([0, 1, "true", "false"])
    if kind == "string":
        options = [
            valid(schema).map(lambda text: text[:-1] + "\ud800" if text else "\udfff"),
            st.sampled_from([".", ".."]),  # dot segments, were they put in a URL path
            st.integers(0, 9).map(lambda n: "x" * (schema.get("maxLength", 1000) + 1 + n)),
            st.lists(st.text(max_size=3), max_size=2),
        ]
        return st.one_of(options)
    if kind == "array":
        items = schema["items"]
        return st.one_of(
            st.text(min_size=1, max_size=5),  # a string is not a list of its characters
            st.lists(near_miss(items), min_size=1, max_size=3),
            st.lists(
                valid(items), min_size=schema.get("maxItems", 50) + 1, max_size=schema.get("maxItems", 50) + 2
            ),
        )
    if kind == "object":
        return st.one_of(
            st.tuples(valid(schema), JUNK).map(lambda pair: {**pair[0], "unknown_field": pair[1]}),
            st.dictionaries(st.one_of(st.integers(), st.none(), st.booleans()), JUNK, min_size=1, max_size=2),
            st.lists(valid(schema), max_size=1),
        )
    raise AssertionError(f"no near miss for {schema}")


@dataclass(frozen=True)
class Param:
    name: str
    positional: bool
    required: bool
    good: st.SearchStrategy[Any]
    bad: st.SearchStrategy[Any]


def _filters(op_query: dict[str, Schema], *, broken: bool) -> st.SearchStrategy[dict[str, Any]]:
    """``filters={"field": value}`` / ``{"field": {"op": value}}`` from the ``filter[...]`` parameters.

    ``broken``: a value that breaks the rule, or an operator the operation does not take.
    """
    options: dict[str, list[tuple[str | None, Schema]]] = {}
    for name, schema in op_query.items():
        match = re.fullmatch(r"filter\[(\w+)\](?:\[(\w+)\])?", name)
        if match:
            options.setdefault(match[1], []).append((match[2], schema))

    def one(field: str) -> st.SearchStrategy[Any]:
        def value(pair: tuple[str | None, Schema]) -> st.SearchStrategy[Any]:
            op, schema = pair
            inner = near_miss(schema) if broken else valid(schema)
            return inner if op is None else inner.map(lambda v: {op: v})

        strategy = st.sampled_from(options[field]).flatmap(value)
        if broken:
            taken = {op for op, _ in options[field]}
            unknown = sorted(FILTER_OPERATORS - taken)
            if unknown:
                strategy |= st.sampled_from(unknown).map(lambda op: {op: "1"})
        return strategy

    return st.fixed_dictionaries({}, optional={field: one(field) for field in options})


def params_of(op_id: str) -> list[Param]:
    """The method's parameters (path, query or body), each with valid values and near misses."""
    op = OPERATIONS[op_id]
    body: Schema = op.body or {}
    properties: dict[str, Schema] = body.get("properties", {})
    signature = inspect.signature(method_of(wacr.Client("t"), op_id))
    params = []
    for name, parameter in signature.parameters.items():
        if name in ("max_retries", "timeout") or parameter.kind is parameter.VAR_KEYWORD:
            continue  # per-call options (**request_options), not the operation's arguments
        if name == "filters":
            good, bad = _filters(op.query, broken=False), _filters(op.query, broken=True)
        else:
            if name in op.path_params:
                schema = op.path_params[name]
            elif name in properties:
                schema = properties[name]
            else:
                schema = op.query[name]
            good, bad = valid(schema), near_miss(schema)
        required = parameter.default is inspect.Parameter.empty
        params.append(Param(name, parameter.kind is parameter.POSITIONAL_OR_KEYWORD, required, good, bad))
    return params


@st.composite
def arguments(draw: st.DrawFn, params: list[Param]) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments: all valid, or a mix of valid values, near misses and junk."""
    all_valid = draw(st.booleans())
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in params:
        choice = draw(st.sampled_from(("valid", "omit") if all_valid else ("valid", "omit", "near", "junk")))
        if choice == "omit" and not param.required:
            continue
        strategy = {"near": param.bad, "junk": JUNK}.get(choice, param.good)
        value = draw(strategy)
        if param.positional:
            args.append(value)
        else:
            kwargs[param.name] = value
    return args, kwargs


def method_of(client: wacr.Client, op_id: str) -> Any:
    section, _, name = op_id.partition("_")
    return getattr(getattr(client, section), name)


# -- a loopback server that records and answers with a minimal success ----------------------------


def success_body(op_id: str) -> bytes:
    op = OPERATIONS[op_id]
    meta: dict[str, Any] = {"request_id": "req-1"}
    if op.data_model is None:
        data: Any = None
    elif op.is_list:
        data = []
        meta["pagination"] = {
            "total": 0,
            "count": 0,
            "per_page": 15,
            "current_page": 1,
            "total_pages": 1,
            "has_more": False,
        }
    else:
        data = minimal(op.data_model)
        if op.data_model.startswith("Batch"):
            data["summary"] = {"total": 0}
    return orjson.dumps({"success": True, "data": data, "message": "ok", "meta": meta})


@dataclass
class Seen:
    method: str
    raw_path: str
    query: list[tuple[str, str]]
    body: bytes
    headers: dict[str, str]


class Recorder:
    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.answer = b"{}"

    async def handle(self, request: web.BaseRequest) -> web.Response:
        body = await request.read()
        self.seen.append(
            Seen(
                request.method,
                request.raw_path.split("?")[0],
                list(request.query.items()),
                body,
                dict(request.headers),
            )
        )
        return web.Response(body=self.answer, content_type="application/json")


# -- what a valid request is ------------------------------------------------------------------------


def _validator(schema: Schema) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _wire_value(schema: Schema, text: str) -> Any:
    """A path or query value (text on the wire) as the JSON value its schema describes."""
    if schema.get("type") == "integer":
        assert re.fullmatch(r"-?\d+", text), f"{text!r} is not an integer"
        return int(text)
    return text


def check_request(op_id: str, seen: Seen) -> None:
    """Fail unless ``seen`` is a valid request of the operation."""
    op = OPERATIONS[op_id]
    assert seen.method == op.method
    assert seen.headers["Authorization"] == f"Bearer {TOKEN}"
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/?#]+)", re.escape("/api/v2" + op.path))
    match = re.fullmatch(pattern, seen.raw_path)
    assert match, f"{seen.raw_path} is not {op.path}"
    for name, schema in op.path_params.items():
        _validator(schema).validate(_wire_value(schema, unquote(match[name], errors="strict")))
    for name, text in seen.query:
        assert name in op.query, f"unknown query parameter {name}"
        _validator(op.query[name]).validate(_wire_value(op.query[name], text))
    if op.body is None:
        assert seen.body == b""
        return
    assert seen.headers["Content-Type"] == "application/json"
    _validator(op.body).validate(orjson.loads(seen.body))


# -- the property ---------------------------------------------------------------------------------


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_arbitrary_arguments_end_in_validation_error_or_a_valid_request(
    op_id: str, own_loop: asyncio.AbstractEventLoop
) -> None:
    loop = own_loop
    recorder = Recorder()
    recorder.answer = success_body(op_id)
    server = RawTestServer(recorder.handle, host="127.0.0.1")  # no routing: it answers any path
    loop.run_until_complete(server.start_server())
    client = wacr.Client(TOKEN, base_url=str(server.make_url("/api/v2")), max_retries=0)
    outcomes = {"sent": 0, "refused": 0}

    async def call(args: list[Any], kwargs: dict[str, Any]) -> None:
        before = len(recorder.seen)
        try:
            result = method_of(client, op_id)(*args, **kwargs)
            if inspect.isawaitable(result):
                await result
        except wacr.ValidationError as error:
            assert error.status is None, f"a 422 from a server that never answers one: {error!r}"
            assert len(recorder.seen) == before, "a request was sent before the ValidationError"
            assert error.errors, "a ValidationError before sending names the broken fields"
            outcomes["refused"] += 1
            return
        assert len(recorder.seen) == before + 1
        check_request(op_id, recorder.seen[-1])
        outcomes["sent"] += 1

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(arguments(params_of(op_id)))
    def run(drawn: tuple[list[Any], dict[str, Any]]) -> None:
        loop.run_until_complete(call(*drawn))

    try:
        run()
        if params_of(op_id) and not outcomes["refused"]:
            # The random draws may all have been valid; one call that is certainly broken (junk in
            # every argument) keeps the check below from depending on luck.
            params = params_of(op_id)
            junk = [object() for p in params if p.positional]
            loop.run_until_complete(call(junk, {p.name: object() for p in params if not p.positional}))
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(server.close())
    # The test cannot pass vacuously: valid calls were sent, and (where there is anything to break)
    # broken ones were refused.
    assert outcomes["sent"] > 0, outcomes
    if params_of(op_id):
        assert outcomes["refused"] > 0, outcomes


# -- what the property found, pinned ----------------------------------------------------------------

HUGE = 2**64


@pytest.fixture
async def pinned() -> AsyncIterator[tuple[wacr.Client, Recorder]]:
    recorder = Recorder()
    server = RawTestServer(recorder.handle, host="127.0.0.1")
    await server.start_server()
    async with wacr.Client(TOKEN, base_url=str(server.make_url("/api/v2")), max_retries=0) as client:
        yield client, recorder
    await server.close()


@pytest.mark.parametrize(
    ("call", "field"),
    [
        # Within the rules but not JSON (orjson raised TypeError).
        (lambda c: c.messages.send_text(phone="+15551234567", message="hi \ud800"), "message"),
        (lambda c: c.messages.send_text(phone="+15551234567", message="hi", contact_id=HUGE), "contact_id"),
        (lambda c: c.contacts.batch_delete([1, HUGE]), "ids.1"),
        # A path parameter that cannot be encoded (UnicodeEncodeError) or that would move the URL.
        (lambda c: c.comments.list("2010\udc00"), "mobile"),
        (lambda c: c.comments.add("..", comment="note"), "mobile"),  # was sent as POST /api/v2/
        (lambda c: c.templates.get("."), "template_id"),  # was sent as GET /api/v2/templates/
        # A query value with a lone surrogate was sent with the character silently dropped.
        (lambda c: c.contacts.list(search="jane \ud800"), "search"),
        # filters that are not a mapping (TypeError), an operator the field does not take (was sent).
        (lambda c: c.contacts.list(filters=True), "filters"),
        (lambda c: c.contacts.list(filters=[["type"]]), "filters"),
        (lambda c: c.messages.list(filters={"type": {"gte": "text"}}), "filter[type][gte]"),
        # A nested mapping with a non-string key (TypeError in the rules).
        (
            lambda c: c.messages.send_media(
                phone="+15551234567", media_type="image", media_url="https://x.io/a.jpg", contact={None: 1}
            ),
            "contact.None",
        ),
        # A string where a list is expected was split into characters, a scalar raised TypeError.
        (
            lambda c: c.auth.send_otp(
                phone="+15551234567", template_name="otp", code="123456", additional_params="John"
            ),
            "additional_params",
        ),
        (lambda c: c.groups.add_contacts(1, contact_ids=True), "contact_ids"),
    ],
)
async def test_found_by_the_property(call: Any, field: str, pinned: tuple[wacr.Client, Recorder]) -> None:
    client, recorder = pinned
    with pytest.raises(wacr.ValidationError) as caught:
        result = call(client)
        if inspect.isawaitable(result):
            await result
    assert caught.value.status is None
    assert field in caught.value.errors, caught.value.errors
    assert recorder.seen == []
