"""Client configuration, the session's lifecycle, results, and what is logged."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

import wacr
from wacr import models
from wacr._transport import Settings, Transport

from .conftest import TOKEN, Recorder


def test_base_urls() -> None:
    assert wacr.WACR == "https://app.wa.cr/api/v2"
    assert wacr.RASL == "https://getrasl.io/api/v2"
    assert wacr.Client("t").base_url == wacr.WACR
    assert wacr.Client("t", base_url=wacr.RASL + "/").base_url == wacr.RASL


def test_token_and_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WACR_TOKEN", "env-token")
    monkeypatch.setenv("WACR_BASE_URL", "https://white-label.example/api/v2")
    client = wacr.Client()
    assert client.base_url == "https://white-label.example/api/v2"
    assert wacr.Client(base_url=wacr.RASL).base_url == wacr.RASL  # an argument wins


@pytest.mark.parametrize("token", [None, "", "   "])
def test_no_token_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch, token: str | None) -> None:
    monkeypatch.delenv("WACR_TOKEN", raising=False)
    with pytest.raises(wacr.ConfigurationError, match="WACR_TOKEN"):
        wacr.Client(token)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"base_url": "app.wa.cr/api/v2"}, "base_url"),
        ({"base_url": "ftp://app.wa.cr"}, "base_url"),
        ({"base_url": "https://app.wa.cr/api/v2?x=1"}, "query"),
        ({"timeout": 0}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"connection_limit": 0}, "connection_limit"),
    ],
)
def test_bad_settings_are_configuration_errors(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(wacr.ConfigurationError, match=words):
        wacr.Client("t", **kwargs)  # type: ignore[arg-type]


def test_repr_never_shows_the_token() -> None:
    client = wacr.Client(TOKEN)
    for text in (repr(client), str(client), repr(client.contacts), repr(client._transport)):
        assert TOKEN not in text
    assert "app.wa.cr" in repr(client)


async def test_session_is_created_lazily_and_closed(recorder: Recorder) -> None:
    client = wacr.Client(TOKEN, base_url=recorder.base_url, connection_limit=7)
    assert client._transport.session is None  # nothing is created outside a call
    await client.account.get()
    session = client._transport.session
    assert session is not None and not session.closed
    assert session.connector is not None and session.connector.limit == 7
    await client.aclose()
    assert session.closed


async def test_a_borrowed_session_is_used_and_left_open(recorder: Recorder) -> None:
    async with aiohttp.ClientSession(headers={"X-Trace": "mine"}) as session:
        async with wacr.Client(TOKEN, base_url=recorder.base_url, session=session) as client:
            await client.account.get()
        assert not session.closed  # the client never closes what it did not create
        assert recorder.last.headers["X-Trace"] == "mine"
        assert recorder.last.headers["Authorization"] == f"Bearer {TOKEN}"


async def test_results_carry_the_response(client: wacr.Client, recorder: Recorder) -> None:
    account = await client.account.get()
    info = account.response
    assert info is not None
    assert (info.status, info.request_id, info.message, info.attempts) == (200, "req-1", "ok", 1)
    assert info.headers["Content-Type"].startswith("application/json")
    assert TOKEN not in repr(info)
    page = await client.contacts.list()
    assert page.response is not None and page.response.request_id == "req-2"
    # Every item of a page carries the page's response; an object no call returned has none.
    assert page.items == [] or all(item.response is page.response for item in page.items)
    with pytest.raises(AttributeError, match="Contact was not returned by a call"):
        models.Contact(id=1).response  # noqa: B018


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ({"success": True, "message": "ok"}, "no `data`"),
        ({"success": True, "data": [1, 2]}, "`data` is"),
        ({"success": True, "data": {"id": "42"}}, "data.id"),
        ({"success": True, "data": {"id": 1, "created_at": "yesterday"}}, "data.created_at"),
        ([1, 2, 3], "JSON object"),
    ],
)
async def test_a_broken_success_body_is_an_invalid_response(
    answer: object, words: str, client: wacr.Client, recorder: Recorder
) -> None:
    recorder.answers["account_get"] = (200, answer)
    with pytest.raises(wacr.InvalidResponseError, match=words) as caught:
        await client.account.get()
    assert not isinstance(caught.value, (KeyError, ValueError))


async def test_missing_optional_fields_break_nothing(client: wacr.Client, recorder: Recorder) -> None:
    recorder.answers["messages_send_text"] = (200, {"success": True, "data": {"message_id": "wamid.1"}})
    sent = await client.messages.send_text(phone="+201000000000", message="hi")
    assert (sent.message_id, sent.contact_id, sent.status, sent.sent_at) == ("wamid.1", None, None, None)


async def test_batch_summary_is_read_in_data_or_at_the_top(client: wacr.Client, recorder: Recorder) -> None:
    summary = {"total": 3, "deleted": 2, "failed": 1}
    recorder.answers["contacts_batch_delete"] = (200, {"success": True, "summary": summary})
    top = await client.contacts.batch_delete([1, 2, 3])
    recorder.answers["contacts_batch_delete"] = (200, {"success": True, "data": {"summary": summary}})
    inside = await client.contacts.batch_delete([1, 2, 3])
    assert top.summary == inside.summary == models.BatchDeleteSummary(**summary)
    recorder.answers["contacts_batch_delete"] = (200, {"success": True, "data": None})
    with pytest.raises(wacr.InvalidResponseError, match="summary"):
        await client.contacts.batch_delete([1])


async def test_otp_status_message_is_found_in_the_envelope(client: wacr.Client, recorder: Recorder) -> None:
    recorder.answers["auth_otp_status"] = (
        200,
        {"success": True, "data": {"has_active_otp": False}, "message": "No active OTP found"},
    )
    status = await client.auth.otp_status(phone="+201000000000")
    assert (status.has_active_otp, status.message) == (False, "No active OTP found")
    assert status.response is not None and status.response.status == 200


async def test_one_debug_line_per_attempt_without_secrets(
    client: wacr.Client, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="wacr")
    await client.messages.send_text(phone="+201000000000", message="a private message body")
    lines = [r for r in caplog.records if r.name.startswith("wacr")]
    assert len(lines) == 1
    text = lines[0].getMessage()
    assert "POST" in text and "/messages/text" in text and "200" in text and "req-1" in text
    every = " ".join(r.getMessage() for r in caplog.records)
    assert TOKEN not in every and "a private message body" not in every


CONTROLS = [chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))]


@pytest.mark.parametrize("ch", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_a_token_with_a_control_character_is_refused_at_construction(ch: str) -> None:
    """Every C0 and C1 control (tab, CR, LF and NUL included) and DEL: a header cannot carry them."""
    with pytest.raises(wacr.ConfigurationError) as caught:
        wacr.Client(f"secret-{ch}-token")
    text = str(caught.value)
    assert f"U+{ord(ch):04X}" in text and "control character" in text and "position 8" in text
    assert "secret" not in text  # the message names the character, never the token


async def test_a_token_that_cannot_be_encoded_is_refused_and_ordinary_ones_are_kept(
    recorder: Recorder,
) -> None:
    with pytest.raises(wacr.ConfigurationError, match="U\\+D800"):
        wacr.Client("secret-\ud800")
    # Surrounding whitespace (a line break from a file or an environment variable) is trimmed;
    # what is inside a token (an inner space, non-ASCII letters) is kept and sent as is.
    for token in ("  tok_123\n", "tok en", "tök-日本-\u2028"):
        async with wacr.Client(token, base_url=recorder.base_url) as client:
            await client.account.get()
        assert recorder.last.headers["Authorization"] == f"Bearer {token.strip()}"


def test_the_new_public_names() -> None:
    assert issubclass(wacr.ConflictError, wacr.APIError)
    assert issubclass(wacr.ResponseTooLargeError, wacr.InvalidResponseError)
    limit = wacr.RateLimit(limit=60, remaining=1, reset=None)
    assert (limit.limit, limit.remaining, limit.reset) == (60, 1, None)
    for name in ("ConflictError", "ResponseTooLargeError", "RateLimit"):
        assert name in wacr.__all__ and getattr(wacr, name).__doc__


# -- every setting is checked once, the same way from the client and the transport ---------------

# setting -> (the rule's words, what it takes: "seconds" > 0, "wait" >= 0, or an integer >= N)
SETTINGS: dict[str, tuple[str, str | int]] = {
    "timeout": ("a positive, finite number of seconds", "positive"),
    "max_retry_wait": ("a finite number of seconds >= 0", "non-negative"),
    "connect_timeout": ("a positive, finite number of seconds", "positive"),
    "max_retries": ("an integer >= 0", 0),
    "connection_limit": ("an integer >= 1", 1),
    "max_response_size": ("a number of bytes >= 1", 1),
}
NOT_NUMBERS = st.one_of(
    st.booleans(),
    st.none(),
    st.text(max_size=3),
    st.lists(st.integers(), max_size=2),
    st.just(float("nan")),
    st.complex_numbers(max_magnitude=2),
)


def _bad_value(setting: str) -> st.SearchStrategy[object]:
    kind = SETTINGS[setting][1]
    # No timer takes these seconds: an infinity, or an int beyond any float (OverflowError in float()).
    unbounded = st.sampled_from([float("inf"), float("-inf"), 10**400])
    if kind == "positive":
        at_most_0 = st.floats(max_value=0, allow_nan=False)
        return st.one_of(NOT_NUMBERS, unbounded, at_most_0, st.integers(max_value=0))
    if kind == "non-negative":
        below = st.floats(max_value=-1e-9, allow_nan=False)
        return st.one_of(NOT_NUMBERS, unbounded, below, st.integers(max_value=-1))
    assert isinstance(kind, int)
    return st.one_of(NOT_NUMBERS, st.integers(max_value=kind - 1), st.floats(allow_nan=False), st.decimals())


@given(data=st.data(), setting=st.sampled_from(sorted(SETTINGS)))
def test_a_bad_setting_is_refused_with_its_name_and_rule_by_client_and_transport_alike(
    data: st.DataObject, setting: str
) -> None:
    value = data.draw(_bad_value(setting))
    messages = []
    for build in (
        lambda: wacr.Client(TOKEN, **{setting: value}),  # type: ignore[arg-type]
        lambda: Transport(token=TOKEN, base_url=wacr.WACR, **{setting: value}),
        lambda: Settings(token=TOKEN, base_url=wacr.WACR, **{setting: value}),  # type: ignore[arg-type]
    ):
        with pytest.raises(wacr.ConfigurationError) as caught:
            build()
        messages.append(str(caught.value))
    assert len(set(messages)) == 1, messages  # one rule, worded once
    rule = SETTINGS[setting][0]
    assert messages[0] == f"{setting} must be {rule}, got {value!r}"


@given(
    timeout=st.floats(min_value=1e-3, max_value=1e6),
    max_retry_wait=st.one_of(st.integers(0, 10**6), st.floats(0, 1e6)),
    max_retries=st.integers(0, 50),
    connection_limit=st.integers(1, 10_000),
    max_response_size=st.integers(1, 2**40),
)
def test_good_settings_are_kept_as_given(
    timeout: float, max_retry_wait: float, max_retries: int, connection_limit: int, max_response_size: int
) -> None:
    client = wacr.Client(
        f"  {TOKEN}\n",
        base_url="https://getrasl.io/api/v2/",
        timeout=timeout,
        max_retry_wait=max_retry_wait,
        max_retries=max_retries,
        connection_limit=connection_limit,
        max_response_size=max_response_size,
    )
    settings = client._transport.settings
    assert (settings.token, settings.base_url) == (TOKEN, "https://getrasl.io/api/v2")
    assert (settings.timeout, settings.max_retry_wait) == (timeout, max_retry_wait)
    assert (settings.max_retries, settings.connection_limit) == (max_retries, connection_limit)
    assert settings.max_response_size == max_response_size
    assert TOKEN not in repr(settings) and TOKEN not in str(settings)


@pytest.mark.parametrize(
    ("option", "value", "rule"),
    [
        *[("max_retries", value, "an integer >= 0") for value in (-1, True, 1.5, "2")],
        *[
            ("timeout", value, "a positive, finite number of seconds")
            for value in (0, -0.5, float("nan"), float("inf"), 10**400, True, "1")
        ],
    ],
)
async def test_a_bad_per_call_override_is_refused_by_the_settings_rule_before_sending(
    client: wacr.Client, recorder: Recorder, option: str, value: object, rule: str
) -> None:
    # An argument of the call: a ValidationError naming it, as for any argument (status None).
    for call in (
        lambda: client.account.get(**{option: value}),  # type: ignore[arg-type]
        lambda: client.contacts.list(**{option: value}),  # type: ignore[arg-type]
        lambda: client.request("GET", "/account", **{option: value}),  # type: ignore[arg-type]
    ):
        with pytest.raises(wacr.ValidationError) as caught:
            await call()
        assert caught.value.status is None
        assert caught.value.errors == {option: [f"must be {rule} (got {value!r})"]}
    # The same rule as the setting's, which is the client's (a ConfigurationError).
    with pytest.raises(wacr.ConfigurationError) as setting:
        wacr.Client(TOKEN, **{option: value})  # type: ignore[arg-type]
    assert str(setting.value) == f"{option} must be {rule}, got {value!r}"
    assert recorder.requests == []
    await client.account.get(max_retries=None, timeout=None)  # None: the client's settings
    assert len(recorder.requests) == 1


def test_a_token_that_is_not_a_string_is_refused_without_showing_it() -> None:
    for token in (b"secret-bytes-token", 123456789, ["secret-in-a-list"]):
        with pytest.raises(wacr.ConfigurationError) as caught:
            wacr.Client(token)  # type: ignore[arg-type]
        assert str(caught.value) == f"the API token must be a string, got {type(token).__name__}"


class _LooksLikeASession:
    """Has a session's methods, but is no aiohttp.ClientSession."""

    closed = False

    def request(self, *args: object, **kwargs: object) -> None: ...


@pytest.mark.parametrize("session", ["x", 5, _LooksLikeASession(), aiohttp.ClientSession, {"timeout": 5}])
def test_a_session_that_is_no_aiohttp_session_is_refused_at_construction(session: object) -> None:
    with pytest.raises(wacr.ConfigurationError, match=r"session must be an aiohttp\.ClientSession") as caught:
        wacr.Client(TOKEN, session=session)  # type: ignore[arg-type]
    assert TOKEN not in str(caught.value)
