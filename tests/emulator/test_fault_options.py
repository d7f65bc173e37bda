"""A fault's options are checked when the test gives them (``Fault(...)``, ``inject(...)``, the control
API), with an error naming the option and its rule; and every fault that is accepted is one the
emulator can serve (no 500 the test did not ask for)."""

from __future__ import annotations

import http.client
import math
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wacr.testing import Emulator, Fault

# Values of every kind a test could pass by mistake.
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.binary(max_size=8),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.one_of(st.text(max_size=3), st.integers(0, 3)), max_size=2),
)
HEADER_TEXT = st.text(max_size=8)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _header_name(value: object) -> bool:
    allowed = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return isinstance(value, str) and value != "" and set(value) <= allowed


def _header_value(value: object) -> bool:
    # HTTP forbids control characters in a header value, except tab.
    return isinstance(value, str) and not any((ord(c) < 32 and c != "\t") or c == "\x7f" for c in value)


def _json_ready(value: object) -> bool:
    try:
        orjson.dumps(value)
    except TypeError:
        return False
    return True


# The documented rule of each option, written from the Fault docstring (independently of its code).
RULES: dict[str, Any] = {
    "match": lambda v: isinstance(v, str),
    "status": lambda v: v is None or (type(v) is int and 200 <= v <= 599),
    "json": lambda v: v is None or _json_ready(v),
    "body": lambda v: v is None or isinstance(v, (str, bytes)),
    "headers": lambda v: (
        isinstance(v, Mapping) and all(_header_name(k) and _header_value(x) for k, x in v.items())
    ),
    "content_type": lambda v: v is None or _header_value(v),
    "delay": lambda v: _number(v) and math.isfinite(v) and v >= 0,
    "drop": lambda v: v in (None, "before", "after"),
    "run_handler": lambda v: isinstance(v, bool),
    "retry_after": lambda v: v is None or (_number(v) and math.isfinite(v) and v >= 0),
    "times": lambda v: v is None or (type(v) is int and v >= 1),
}

# For each option: plausible valid values mixed with mistakes of every kind.
OPTION_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "match": st.one_of(st.sampled_from(["GET /account", "*", "POST /messages/text"]), ANYTHING),
    "status": st.one_of(st.integers(100, 700), st.sampled_from(["500", 500.0, True]), ANYTHING),
    "json": st.one_of(st.just({"success": True}), ANYTHING),
    "body": ANYTHING,
    "headers": st.one_of(
        st.dictionaries(st.sampled_from(["X-A", "Retry-After", "bad name", ""]), HEADER_TEXT, max_size=2),
        ANYTHING,
    ),
    "content_type": st.one_of(st.sampled_from(["text/plain", "text/html\r\nX: y"]), ANYTHING),
    "delay": st.one_of(st.sampled_from([0, 0.0, "1", -1]), ANYTHING),
    "drop": st.one_of(st.sampled_from(["before", "after", "sometimes"]), ANYTHING),
    "run_handler": ANYTHING,
    "retry_after": st.one_of(st.sampled_from([1, 2.5, "6", -1]), ANYTHING),
    "times": st.one_of(st.integers(-2, 5), st.sampled_from([2.0, "3", True]), ANYTHING),
}


@st.composite
def fault_options(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(OPTION_VALUES)), min_size=1, max_size=3, unique=True))
    return {name: draw(OPTION_VALUES[name]) for name in names}


def _bad(options: Mapping[str, Any]) -> set[str]:
    return {name for name, value in options.items() if not RULES[name](value)}


@settings(max_examples=400, deadline=None)
@given(fault_options())
def test_every_option_is_checked_when_given(options: dict[str, Any]) -> None:
    bad = _bad(options)
    emulator = Emulator()
    match = options.pop("match", "*")
    for build in (lambda: Fault(match, **options), lambda: emulator.inject(match, **options)):
        if not bad:
            build()  # a fault within the rules is accepted
            continue
        with pytest.raises((TypeError, ValueError)) as caught:
            build()
        message = str(caught.value)
        if build is not Fault and message.startswith("inject() takes a Fault or a match string"):
            assert "match" in bad  # inject's own check of its first argument
            continue
        # The message names an option that breaks its rule, and says the rule ("must ...").
        names = [name for name in bad if message.startswith((f"Fault {name} ", f"Fault {name}["))]
        assert names, (options, message)
        assert " must " in message
    if not bad:
        assert len(emulator.faults) == 1


@pytest.mark.parametrize("not_a_fault", [5, 5.0, None, b"GET /account", ["GET /account"], {"match": "*"}])
def test_inject_takes_only_a_fault_or_a_match_string(not_a_fault: Any) -> None:
    emulator = Emulator()
    with pytest.raises(TypeError, match=r"inject\(\) takes a Fault or a match string"):
        emulator.inject(not_a_fault)
    assert emulator.faults == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"match": "GET /account", "status": "500"}, "status"),
        ({"match": "GET /account", "delay": "1"}, "delay"),
        ({"match": 5}, "match"),
        ({"match": "*", "headers": {"X-A": 1}}, "headers"),
        ({"match": "*", "times": 1.5}, "times"),
    ],
)
def test_the_control_api_answers_a_bad_fault_with_a_400_naming_it(body: dict[str, Any], field: str) -> None:
    with Emulator() as emulator:
        reply = _request(emulator, "POST", "/_emulator/faults", orjson.dumps(body), absolute=True)
        assert reply is not None
        status, text = reply
        assert status == 400, text
        assert f"Fault {field}" in text
        assert emulator.faults == []


# --- every accepted fault can be served -------------------------------------------------------

VALID: dict[str, st.SearchStrategy[Any]] = {
    "status": st.one_of(st.none(), st.integers(200, 599)),
    "json": st.one_of(
        st.none(),
        st.dictionaries(st.text(max_size=3), st.integers(-(2**63), 2**63 - 1), max_size=2),
        st.text(),
    ),
    "body": st.one_of(st.none(), st.text(max_size=20), st.binary(max_size=20)),
    "headers": st.dictionaries(
        st.text("abcXYZ-_!#", min_size=1, max_size=6).filter(lambda name: name.lower() != "content-length"),
        st.text(st.characters(exclude_categories=["Cc"]), max_size=8),
        max_size=2,
    ),
    "content_type": st.one_of(st.none(), st.sampled_from(["text/plain", "application/json", "x/y; a=b"])),
    "delay": st.sampled_from([0, 0.0, 0.001]),
    "drop": st.sampled_from([None, "before", "after"]),
    "run_handler": st.booleans(),
    "retry_after": st.one_of(st.none(), st.integers(0, 10**6), st.floats(0, 10**6)),
}


@pytest.fixture(scope="module")
def served() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def _request(
    emulator: Emulator, method: str, path: str, body: bytes | None = None, *, absolute: bool = False
) -> tuple[int, str] | None:
    """One raw request (``None`` when the connection closed without an answer)."""
    url = urllib.parse.urlsplit(emulator.base_url)
    target = path if absolute else url.path + path
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        headers = {"Authorization": f"Bearer {emulator.token}", "Content-Type": "application/json"}
        connection.request(method, target, body=body, headers=headers)
        reply = connection.getresponse()
        return reply.status, reply.read().decode("utf-8", "replace")
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return None
    finally:
        connection.close()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries({}, optional=VALID))
def test_every_accepted_fault_is_served_as_it_says(served: Emulator, options: dict[str, Any]) -> None:
    served.reset()
    fault = served.inject("GET /account", **options)
    reply = _request(served, "GET", "/account")
    if fault.drop is not None:
        assert reply is None, reply
        return
    assert reply is not None
    status, text = reply
    expected = fault.status if fault.status is not None else 200
    assert status == expected, (options, text)
    if not fault.replaces_answer:
        assert orjson.loads(text)["data"]["id"] == 1  # the real answer
    assert [r.status for r in served.received] == [expected]
