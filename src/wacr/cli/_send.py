"""``wacr send``: text, template, media, interactive and cta (URL button) messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from wacr.cli._app import App, Group, pass_app
from wacr.cli._options import (
    JsonValue,
    ModelChoice,
    api_command,
    contact_id_option,
    phone_option,
    split_pairs,
)


@click.group(cls=Group)
def send() -> None:
    """Send a WhatsApp message: text, template, media, interactive or cta (a URL button)."""


api_command(
    send,
    "text",
    "messages.send_text",
    "Text message sent",
    phone_option(),
    click.option(
        "--message", required=True, help="The text; merge fields such as @{contact_first_name} work."
    ),
    contact_id_option(),
    help="Send a text message (inside the 24-hour customer-service window).",
)


def _template_fields(command: Callable[..., Any]) -> Callable[..., Any]:
    """The variable options of a template send: header, body fields 1-10, buttons 0-2."""
    for number in range(2, -1, -1):
        command = click.option(f"--button-{number}", metavar="TEXT", help=f"Dynamic URL button {number}.")(
            command
        )
    for number in range(10, 0, -1):
        command = click.option(f"--field-{number}", metavar="TEXT", help=f"Body variable {{{{{number}}}}}.")(
            command
        )
    for name, text in (
        ("document-name", "File name shown for a document header."),
        ("document-url", "Document header URL."),
        ("video-url", "Video header URL."),
        ("image-url", "Image header URL."),
        ("field-1", "Text header variable {{1}}."),
    ):
        command = click.option(f"--header-{name}", metavar="TEXT", help=text)(command)
    return command


api_command(
    send,
    "template",
    "messages.send_template",
    "Template message sent",
    phone_option(),
    click.option("--template-name", required=True, help="An APPROVED template."),
    click.option("--language", required=True, help="The template's language, e.g. en or en_US."),
    contact_id_option(),
    _template_fields,
    click.option(
        "--auto-generate-otp/--no-auto-generate-otp",
        default=None,
        help="Fill a body field with a generated one-time code.",
    ),
    click.option("--otp-field-number", type=int, help="Which body field gets the generated code."),
    help="Send an APPROVED template, at any time; the template decides which fields it needs.",
)

api_command(
    send,
    "media",
    "messages.send_media",
    "Media message sent",
    phone_option(),
    click.option("--media-type", required=True, type=ModelChoice("MediaTypeLiteral")),
    click.option("--media-url", required=True, help="A public URL whose extension suits the media type."),
    click.option("--caption", help="Caption (not for audio)."),
    click.option("--filename", help="File name shown for a document."),
    contact_id_option(),
    help="Send an image, document, video or audio file by URL.",
)


@send.command("interactive")
@phone_option()
@click.option(
    "--type",
    "type_",
    required=True,
    type=ModelChoice("InteractiveTypeLiteral"),
    help="Reply buttons or a list.",
)
@click.option("--body-text", required=True, help="The message text.")
@click.option("--header-text", help="Header text.")
@click.option("--footer-text", help="Footer text.")
@contact_id_option()
@click.option(
    "--button", "button_pairs", multiple=True, metavar="ID=TITLE", help="A reply button (repeat for up to 3)."
)
@click.option("--buttons", type=JsonValue(), help='Buttons as JSON: [{"id": "yes", "title": "Yes"}].')
@click.option("--list-button-text", help="Label of the button that opens a list.")
@click.option(
    "--row",
    "row_triples",
    multiple=True,
    metavar="ID=TITLE[=DESCRIPTION]",
    help="A list row (repeat), in one section titled --section-title.",
)
@click.option("--section-title", default="Options", show_default=True, help="Title of the --row section.")
@click.option(
    "--sections",
    type=JsonValue(),
    help='Sections as JSON: [{"title": "...", "rows": [{"id": "...", "title": "..."}]}].',
)
@pass_app
def send_interactive(
    app: App,
    /,
    type_: Any,  # one of the choices: InteractiveTypeLiteral
    button_pairs: tuple[str, ...],
    buttons: Any,
    row_triples: tuple[str, ...],
    section_title: str,
    sections: Any,
    **fields: Any,
) -> None:
    """Send reply buttons (--type button) or a list (--type list)."""
    if button_pairs:
        buttons = list(buttons or []) + [
            {"id": id_, "title": title} for id_, title in split_pairs(button_pairs, "--button", parts=2)
        ]
    if row_triples:
        rows = [
            {"id": row[0], "title": row[1], **({"description": row[2]} if len(row) > 2 else {})}
            for row in split_pairs(row_triples, "--row", parts=3)
        ]
        sections = [*(sections or []), {"title": section_title, "rows": rows}]
    result = app.run(
        lambda client: client.messages.send_interactive(
            type=type_, buttons=buttons, sections=sections, **fields
        )
    )
    app.record("Interactive message sent", result)


api_command(
    send,
    "cta",
    "messages.send_cta",
    "Call-to-action message sent",
    phone_option(),
    click.option("--message", required=True, help="The message text."),
    click.option("--button-text", required=True, help="The label of the URL button."),
    click.option("--button-url", required=True, help="Where the button leads (an http(s) URL)."),
    click.option("--header-text", help="Header text."),
    click.option("--footer-text", help="Footer text."),
    contact_id_option(),
    help="Send a call-to-action: a text with one URL button (inside the 24-hour window).",
)
