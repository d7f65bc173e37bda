"""Every pattern of the spec and every place one rules a value, for the tests that the client and
the emulator judge a value as ECMA-262 does (tests/spec/test_patterns.py,
tests/emulator/test_patterns.py). The reference is jsonschema_rs, which reads patterns as ECMA-262
(`$` is the end of the value, `\\d` ASCII digits)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from wacr._operations import OPERATIONS

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi" / "wacr-v2.yaml"
# What `format: email` means for wacr (src/wacr/_validate.py EMAIL, src/wacr/testing/_validation.py).
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"


def spec_patterns() -> set[str]:
    """Every ``pattern`` of openapi/wacr-v2.yaml, wherever it sits."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.add(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(SPEC_PATH.read_text()))
    return found


@dataclass(frozen=True)
class Place:
    """One value a pattern rules: a query or path parameter, or a field of a request body."""

    op_id: str
    where: str  # "query", "path" or "body"
    name: str  # the parameter, or the field's dotted path in the body ("contacts.0.phone")
    pattern: str

    def __str__(self) -> str:
        return f"{self.op_id}:{self.where}:{self.name}"


def _body_places(op_id: str, schema: dict[str, Any], path: str, out: list[Place]) -> None:
    if "pattern" in schema:
        out.append(Place(op_id, "body", path, schema["pattern"]))
    if schema.get("format") == "email":
        out.append(Place(op_id, "body", path, EMAIL_PATTERN))
    for name, sub in schema.get("properties", {}).items():
        _body_places(op_id, sub, f"{path}.{name}" if path else name, out)
    if "items" in schema:
        _body_places(op_id, schema["items"], f"{path}.0", out)


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    """Every place of the operation table (the spec, resolved) that a pattern rules."""
    out: list[Place] = []
    for op_id, op in OPERATIONS.items():
        for where, params in (("path", op.path_params), ("query", op.query)):
            out += [Place(op_id, where, n, s["pattern"]) for n, s in params.items() if "pattern" in s]
        if op.body is not None:
            _body_places(op_id, op.body, "", out)
    return tuple(out)


def reference(pattern: str, value: str) -> bool:
    """Whether ECMA-262 finds ``pattern`` in ``value`` (JSON Schema's reading)."""
    return bool(jsonschema_rs.validator_for({"type": "string", "pattern": pattern}).is_valid(value))


# One value each pattern takes, and the emulator too (fields and relations that exist).
EXAMPLES: dict[str, str] = {
    r"^[0-9+\-\s()]+$": "+919876543210",
    r"^[0-9]{6}$": "123456",
    r"^#[0-9A-Fa-f]{6}$": "#FF5733",
    r"^\d+(,\d+)*$": "1,2",
    r"^\d+,\d+$": "1,2",
    r"^[a-z_]+(,[a-z_]+)*$": "id",
    r"^(groups|source|status)(,(groups|source|status))*$": "groups,source",
    r"^(lead|customer|guest)(,(lead|customer|guest))*$": "lead,customer",
    r"^(lead|customer|guest),(lead|customer|guest)$": "customer,lead",
    r"^(inbound|outbound)(,(inbound|outbound))*$": "outbound",
    r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$": "2026-01-01",
    r"^\d{4}-\d{2}-\d{2}[^,]*(,\d{4}-\d{2}-\d{2}[^,]*)*$": "2026-01-01,2026-01-02",
    r"^\d{4}-\d{2}-\d{2}[^,]*,\d{4}-\d{2}-\d{2}[^,]*$": "2026-01-01,2026-01-02",
    r"^-?(id|firstname|lastname|created_at|updated_at)(,-?(id|firstname|lastname|created_at|updated_at))*$": "-id",  # noqa: E501
    r"^-?(name|created_at|updated_at)(,-?(name|created_at|updated_at))*$": "name,-created_at",
    r"^-?(created_at|updated_at)(,-?(created_at|updated_at))*$": "-created_at",
    r"^-?(template_name|created_at|language)(,-?(template_name|created_at|language))*$": "language",
    r"^-?(template_name|created_at|updated_at)(,-?(template_name|created_at|updated_at))*$": "template_name",
    r"^(text|template|image|video|document|audio|interactive)(,(text|template|image|video|document|audio|interactive))*$": "text,image",  # noqa: E501
    r"^(sent|delivered|read|failed)(,(sent|delivered|read|failed))*$": "sent,read",
    r"^(APPROVED|PENDING|REJECTED)(,(APPROVED|PENDING|REJECTED))*$": "APPROVED",
    r"^(MARKETING|UTILITY|AUTHENTICATION)(,(MARKETING|UTILITY|AUTHENTICATION))*$": "MARKETING,UTILITY",
    r"^[A-Za-z_-]+$": "en",
    r"^([A-Za-z_-]+)(,([A-Za-z_-]+))*$": "en,ar",
    r"^[A-Za-z0-9_.-]+$": "welcome_1",
    EMAIL_PATTERN: "jane@example.com",
}  # fmt: skip

# The patterns whose last part takes a newline too (`\s`, `[^,]`): ECMA-262 finds them in the
# example followed by "\n", so the client and the emulator must take that value as well.
TAKE_A_TRAILING_NEWLINE = frozenset(
    {
        r"^[0-9+\-\s()]+$",
        r"^\d{4}-\d{2}-\d{2}[^,]*(,\d{4}-\d{2}-\d{2}[^,]*)*$",
        r"^\d{4}-\d{2}-\d{2}[^,]*,\d{4}-\d{2}-\d{2}[^,]*$",
    }
)

_CONTACT = {
    "firstname": "Jane",
    "lastname": "Doe",
    "phone": "+919876543210",
    "type": "lead",
    "source_id": 1,
    "status_id": 1,
}
# A body each operation with a pattern in its body takes, to set one field of.
BODIES: dict[str, dict[str, Any]] = {
    "auth_send_otp": {"phone": "+919876543210", "template_name": "otp_verification", "language": "en"},
    "contacts_create": _CONTACT,
    "contacts_batch_create": {"contacts": [_CONTACT]},
    "contacts_update": {"firstname": "Janet"},
    "statuses_create": {"name": "Hot"},
    "statuses_update": {"name": "Warm"},
    "messages_send_text": {"phone": "+919876543210", "message": "Hello"},
    "messages_send_media": {
        "phone": "+919876543210",
        "media_type": "image",
        "media_url": "https://example.com/a.png",
        "contact": {"firstname": "Jane"},
    },
}


def with_value(body: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """A copy of ``body`` with the field at ``dotted`` (``contacts.0.phone``) set to ``value``."""
    out = copy.deepcopy(body)
    node: Any = out
    *parents, last = dotted.split(".")
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    node[last] = value
    return out
