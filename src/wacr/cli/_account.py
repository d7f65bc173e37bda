"""``wacr account``: the account, its usage, the plan's limits and the rate-limit figures."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import click

from wacr.cli._app import App, Group
from wacr.cli._options import api_command

if TYPE_CHECKING:
    import wacr


@click.group(cls=Group, invoke_without_command=True)
@click.pass_context
def account(ctx: click.Context) -> None:
    """The account, its usage, the plan's limits and the rate-limit figures (all of it without a
    subcommand)."""
    if ctx.invoked_subcommand is None:
        _overview(ctx.find_object(App))


api_command(account, "get", "account.get", "Account", help="The account and its subscription.")
api_command(account, "usage", "account.usage", "Usage", help="Usage of each feature against the plan.")
api_command(account, "limits", "account.limits", "Limits", help="The plan's limits and features.")


def _overview(app: App | None) -> None:
    from rich.text import Text

    from wacr.cli._format import printable
    from wacr.cli._library import wire
    from wacr.cli._output import get_field, table, text_of

    assert app is not None  # the root group made it

    async def fetch(client: wacr.Client) -> tuple[Any, Any, Any]:
        return await asyncio.gather(client.account.get(), client.account.usage(), client.account.limits())

    info, usage, limits = app.run(fetch)
    rate = _rate_limit(info, usage, limits)
    if app.json:
        app.emit_json(
            {"account": wire(info), "usage": wire(usage), "limits": wire(limits), "rate_limit": rate}
        )
        return
    app.record("Account", info)
    rows = [
        (name, e.get("current"), "unlimited" if e.get("is_unlimited") else e.get("limit"), e.get("remaining"))
        for name, e in wire(usage).items()
        if isinstance(e, Mapping)
    ]
    numbers = ["Used", "Limit", "Remaining"]
    table(app, ["Feature", *numbers], rows, title="Usage", right=numbers)
    wire_limits = wire(limits)
    per_minute = get_field(wire_limits, "limits.api_calls_per_minute.limit")
    features = wire_limits.get("features") or {}
    on = printable(", ".join(name for name, enabled in features.items() if enabled) or "none")
    app.console.print(Text(f"API calls per minute: {text_of(per_minute) or '?'}; features: {on}"))
    if rate is not None:
        resets = f"; the window resets at {rate['reset']}" if rate["reset"] else ""
        line = f"Rate limit: {rate['remaining']} of {rate['limit']} requests left{resets}"
        app.console.print(Text(printable(line)))


def _rate_limit(*results: Any) -> dict[str, Any] | None:
    """The rate-limit figures of these answers' ``X-RateLimit-*`` headers, as JSON: those of the
    answer with the fewest requests left (the latest state of the window), or ``None``."""
    figures = [
        result.response.rate_limit
        for result in results
        if result.response is not None and result.response.rate_limit is not None
    ]
    if not figures:
        return None
    latest = min(figures, key=lambda figure: figure.remaining)
    reset = latest.reset.isoformat() if latest.reset is not None else None
    return {"limit": latest.limit, "remaining": latest.remaining, "reset": reset}
