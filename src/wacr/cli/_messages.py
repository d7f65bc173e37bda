"""``wacr messages``: the message history (list, get)."""

from __future__ import annotations

import click

from wacr.cli._app import Group
from wacr.cli._options import api_command, id_argument, list_command


@click.group(cls=Group)
def messages() -> None:
    """The message history, newest first: list and get."""


list_command(
    messages,
    "messages.list",
    "message",
    [
        ("ID", "id"),
        ("Type", "type"),
        ("Status", "status"),
        ("Message", "message"),
        ("Message ID", "message_id"),
        ("Sent", "sent_at"),
    ],
    filters="type=text or status.in=sent,delivered",
    help="List messages (filters: type, status, interaction_id, direction).",
)
api_command(
    messages, "get", "messages.get", "Message {id}", id_argument(), help="Show one message by its id."
)
