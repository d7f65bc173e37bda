"""``wacr account``: the account, its usage, the plan's limits and the rate-limit figures."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from rich.table import Table
from rich.text import Text

import wacr
from wacr.cli._app import App, cli, get_field, pass_app, text_of, wire


@cli.command("account")
@pass_app
def account(app: App) -> None:
    """The account, its usage, the plan's limits and the rate-limit figures."""

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
    table = Table(title="Usage", title_justify="left", box=None, padding=(0, 2), header_style="bold")
    for header in ("Feature", "Used", "Limit", "Remaining"):
        table.add_column(header, justify="left" if header == "Feature" else "right")
    for name, entry in wire(usage).items():
        if isinstance(entry, Mapping):
            limit = "unlimited" if entry.get("is_unlimited") else text_of(entry.get("limit"))
            table.add_row(name, text_of(entry.get("current")), limit, text_of(entry.get("remaining")))
    app.console.print(table)
    wire_limits = wire(limits)
    per_minute = get_field(wire_limits, "limits.api_calls_per_minute.limit")
    features = wire_limits.get("features") or {}
    on = ", ".join(name for name, enabled in features.items() if enabled) or "none"
    app.console.print(Text(f"API calls per minute: {text_of(per_minute) or '?'}; features: {on}"))
    if rate is not None:
        resets = f"; the window resets at {rate['reset']}" if rate["reset"] else ""
        app.console.print(Text(f"Rate limit: {rate['remaining']} of {rate['limit']} requests left{resets}"))


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
