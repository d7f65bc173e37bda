"""``wacr otp``: send (a chosen or a server-generated code), verify, resend and status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from wacr.cli._app import App, Group, pass_app
from wacr.cli._options import api_command, contact_id_option, list_command, phone_option


@click.group(cls=Group)
def otp() -> None:
    """One-time codes through an APPROVED AUTHENTICATION template: send, verify, resend, status,
    and the templates to send them with."""


def _purpose_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--purpose", help="OTP namespace [default: authentication]; verify with the same.")


@otp.command("send")
@phone_option()
@click.option("--template-name", required=True, help="An APPROVED AUTHENTICATION template.")
@click.option("--code", help="The code to send (6 digits) [default: the server generates one].")
@click.option("--language", help="Template language [default: en].")
@click.option("--expiry-minutes", type=int, help="Minutes the code stays valid [default: 10].")
@contact_id_option()
@_purpose_option()
@click.option(
    "--additional-params",
    multiple=True,
    metavar="TEXT",
    help="Extra template body parameter after the code and expiry (repeat).",
)
@pass_app
def otp_send(app: App, /, code: str | None, additional_params: tuple[str, ...], **fields: Any) -> None:
    """Send a one-time code (replaces the phone's active code for the same purpose).

    Without --code the server generates the code; the output says whether it did
    (code_auto_generated) and shows the code when the server returns it.
    """
    result = app.run(
        lambda client: client.auth.send_otp(
            code=code, additional_params=list(additional_params) or None, **fields
        )
    )
    generated = result.code_auto_generated
    if generated is None and code is not None:
        generated = False  # the caller chose it (the server did not say)
    app.record("Code sent", result, {"code_auto_generated": generated})


@otp.command("verify")
@phone_option()
@click.option("--code", required=True, help="The code the user typed.")
@_purpose_option()
@pass_app
def otp_verify(app: App, /, **fields: Any) -> None:
    """Check a code; a wrong one exits 1 and says how many attempts are left."""
    result = app.run(lambda client: client.auth.verify_otp(**fields))
    app.record("Code verified", result, {"verified": True})


api_command(
    otp,
    "resend",
    "auth.resend_otp",
    "New code sent",
    phone_option(),
    click.option("--template-name", required=True, help="An APPROVED AUTHENTICATION template."),
    click.option("--language", help="Template language [default: en]."),
    click.option("--expiry-minutes", type=int, help="Minutes the code stays valid [default: 10]."),
    _purpose_option(),
    help="Send a new server-generated code, invalidating the old one (3 per 5 minutes).",
)

api_command(
    otp,
    "status",
    "auth.otp_status",
    "OTP status",
    phone_option(),
    _purpose_option(),
    help="The active code's expiry and remaining attempts (does not consume it).",
)

list_command(
    otp,
    "auth.list_templates",
    "template",
    [("ID", "id"), ("Name", "template_name"), ("Language", "language"), ("Status", "status")],
    filters="language=en or template_name=otp_verification",
    name="templates",
    help="APPROVED AUTHENTICATION templates, to send codes with.",
)
