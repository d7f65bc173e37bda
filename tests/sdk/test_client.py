"""Client configuration, the session's lifecycle, results, and what is logged."""

from __future__ import annotations

import logging

import aiohttp
import pytest

import wacr
from wacr import models

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
    assert models.Contact(id=1).response is None


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
