"""Log users in with a WhatsApp one-time code: a small aiohttp web service on top of wacr.

::

    POST /login/start   {"phone": "+201000000000"}
        202 {"sent": true, "phone": "+201000000000", "expires_at": "..."}
    POST /login/verify  {"phone": "+201000000000", "code": "123456"}
        200 {"verified": true, "phone": "+201000000000", "session": "..."}

The service makes each code itself (``secrets``) and sends it through an APPROVED
AUTHENTICATION template; the API keeps the code, its expiry and the attempt count. wacr's
errors become HTTP answers a front end can act on:

====================================  =====  =============================================
wacr error                            HTTP   body ``error``
====================================  =====  =============================================
ValidationError (before sending/422)  422    ``invalid_request`` with ``fields``
InvalidCodeError                      401    ``invalid_code`` with ``attempts_remaining``
OTPNotFoundError                      404    ``no_active_code``
OTPExpiredError                       410    ``code_expired``
MaxAttemptsExceededError              410    ``too_many_attempts`` (request a new code)
RateLimitError                        429    ``rate_limited`` + ``Retry-After`` header
ContactOptedOutError                  403    ``opted_out``
anything else (5xx, network, 401...)  502    ``upstream_error`` (logged; ``may_have_been_sent``)
====================================  =====  =============================================

Run it against the emulator::

    wacr emulator --port 8080 --token test-token &
    export WACR_TOKEN=test-token WACR_BASE_URL=http://127.0.0.1:8080/api/v2
    python examples/otp_login_service.py --port 8000
    curl -s localhost:8000/login/start -d '{"phone": "+201000000000"}'
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import secrets
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from aiohttp import web

import wacr

log = logging.getLogger("otp_login_service")

#: The OTP namespace of these codes: a login code cannot verify, say, a payment.
PURPOSE = "login"


@dataclass(frozen=True)
class Settings:
    """How the service sends codes."""

    template_name: str = "otp_verification"
    language: str | None = None
    expiry_minutes: int = 10
    code_digits: int = 6


CLIENT = web.AppKey("client", wacr.Client)
SETTINGS = web.AppKey("settings", Settings)
#: Session token -> phone. A real service would use its own session store.
SESSIONS = web.AppKey("sessions", dict[str, str])


def create_app(client: wacr.Client, settings: Settings | None = None) -> web.Application:
    """The web application; ``client`` is used for every request and closed by its owner."""
    app = web.Application()
    app[CLIENT] = client
    app[SETTINGS] = settings or Settings()
    app[SESSIONS] = {}
    app.router.add_post("/login/start", login_start)
    app.router.add_post("/login/verify", login_verify)
    return app


def answer(status: int, error: str, message: str, **extra: Any) -> web.Response:
    """An error answer: ``{"error": ..., "message": ..., ...}``."""
    return web.json_response({"error": error, "message": message, **extra}, status=status)


async def read_fields(request: web.Request, *names: str) -> dict[str, str] | web.Response:
    """The named string fields of a JSON body, or the 400/422 answer explaining what is wrong."""
    try:
        body = await request.json()
    except ValueError:
        return answer(400, "invalid_json", "The body must be a JSON object.")
    if not isinstance(body, dict):
        return answer(400, "invalid_json", "The body must be a JSON object.")
    given = cast("dict[str, object]", body)
    fields = {name: value for name in names if isinstance(value := given.get(name), str) and value}
    missing = {name: ["is required"] for name in names if name not in fields}
    if missing:
        return answer(422, "invalid_request", "Some fields are missing or not strings.", fields=missing)
    return fields


async def login_start(request: web.Request) -> web.Response:
    """Send a fresh code to ``phone`` (it replaces any earlier login code of that phone)."""
    fields = await read_fields(request, "phone")
    if isinstance(fields, web.Response):
        return fields
    settings = request.app[SETTINGS]
    code = "".join(secrets.choice("0123456789") for _ in range(settings.code_digits))
    try:
        sent = await request.app[CLIENT].auth.send_otp(
            phone=fields["phone"],
            template_name=settings.template_name,
            code=code,
            language=settings.language,
            expiry_minutes=settings.expiry_minutes,
            purpose=PURPOSE,
        )
    except wacr.WacrError as exc:
        return error_answer(exc)
    expires_at = sent.expires_at.isoformat() if sent.expires_at else None
    return web.json_response({"sent": True, "phone": fields["phone"], "expires_at": expires_at}, status=202)


async def login_verify(request: web.Request) -> web.Response:
    """Check the code the user typed; a correct one opens a session."""
    fields = await read_fields(request, "phone", "code")
    if isinstance(fields, web.Response):
        return fields
    try:
        await request.app[CLIENT].auth.verify_otp(phone=fields["phone"], code=fields["code"], purpose=PURPOSE)
    except wacr.WacrError as exc:
        return error_answer(exc)
    session = secrets.token_urlsafe(24)
    request.app[SESSIONS][session] = fields["phone"]
    return web.json_response({"verified": True, "phone": fields["phone"], "session": session})


def error_answer(exc: wacr.WacrError) -> web.Response:
    """The HTTP answer for a wacr error (see the module's table)."""
    if isinstance(exc, wacr.InvalidCodeError):
        return answer(401, "invalid_code", "The code is wrong.", attempts_remaining=exc.attempts_remaining)
    if isinstance(exc, wacr.OTPNotFoundError):
        return answer(404, "no_active_code", "No code is waiting for this phone; request one.")
    if isinstance(exc, wacr.OTPExpiredError):
        return answer(410, "code_expired", "The code expired; request a new one.")
    if isinstance(exc, wacr.MaxAttemptsExceededError):
        return answer(410, "too_many_attempts", "Too many wrong codes; request a new one.")
    if isinstance(exc, wacr.ValidationError):
        fields: Mapping[str, list[str]] = exc.errors
        return answer(422, "invalid_request", exc.message, fields=fields)
    if isinstance(exc, wacr.RateLimitError):
        wait = math.ceil(exc.retry_after) if exc.retry_after is not None else 60
        response = answer(429, "rate_limited", "Too many requests; try again later.", retry_after=wait)
        response.headers["Retry-After"] = str(wait)
        return response
    if isinstance(exc, wacr.ContactOptedOutError):
        return answer(403, "opted_out", "This number opted out of WhatsApp messages.")
    # Our configuration or the API is at fault, not the user: log it, answer 502. A send that
    # failed ambiguously was not retried by wacr (it could text the user twice); say so.
    log.error("WhatsApp API call failed: %s", exc)
    maybe = bool(getattr(exc, "may_have_been_processed", False))
    return answer(502, "upstream_error", "The messaging service failed; try again.", may_have_been_sent=maybe)


async def serve(host: str, port: int, settings: Settings) -> None:
    """Serve until SIGINT/SIGTERM, printing the URL once listening (port 0 picks a free one)."""
    async with wacr.Client() as client:  # WACR_TOKEN / WACR_BASE_URL
        runner = web.AppRunner(create_app(client, settings))
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
            bound = runner.addresses[0][1]
            print(f"otp login service on http://{host}:{bound} (API {client.base_url})", flush=True)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                # Not on Windows: there Ctrl-C raises KeyboardInterrupt, handled in main().
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(signum, stop.set)
            await stop.wait()
        finally:
            await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    """The command line: ``--host``, ``--port``, ``--template-name``, ``--expiry-minutes``."""
    parser = argparse.ArgumentParser(description="Log users in with a WhatsApp one-time code.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--template-name", default=Settings.template_name)
    parser.add_argument("--language", default=None)
    parser.add_argument("--expiry-minutes", type=int, default=Settings.expiry_minutes)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings(
        template_name=args.template_name, language=args.language, expiry_minutes=args.expiry_minutes
    )
    try:
        asyncio.run(serve(args.host, args.port, settings))
    except wacr.ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
