"""``wacr comments``: team-only notes on the conversation with a number (list, add)."""

from __future__ import annotations

import click

from wacr.cli._app import Group
from wacr.cli._options import api_command, id_argument, list_command

_MOBILE = id_argument("mobile", str)


@click.group(cls=Group)
def comments() -> None:
    """Team-only notes on a conversation (never sent to the customer): list and add.

    MOBILE is the number with country code and no '+' (919876543210); it must have a chat.
    """


list_command(
    comments,
    "comments.list",
    "comment",
    [("ID", "id"), ("Comment", "message"), ("Sender", "sender_id"), ("Created", "created_at")],
    _MOBILE,
    paged=False,
    help="The notes on the conversation with MOBILE, newest first.",
)
api_command(
    comments,
    "add",
    "comments.add",
    "Comment added",
    _MOBILE,
    click.option("--comment", required=True, help="The note's text."),
    click.option("--status-message", help="A status line shown with the note."),
    click.option("--media-url", help="An attachment's URL."),
    click.option("--message-id", help="The WhatsApp message id the note is about."),
    click.option("--ref-message-id", help="A message the note refers to."),
    help="Add a note to the conversation with MOBILE.",
)
