"""Shared helpers of the benchmarks: canned payloads, medians, alternating rounds, subprocess env."""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
TOKEN = "bench-token"
PHONE = "+201000000000"
MESSAGE = "Hi @{contact_first_name}, your order has shipped."

# Bytecode for every run goes to one private cache, so that imports are measured as they are
# for an installed package (compiled once) even where PYTHONDONTWRITEBYTECODE is set.
PYCACHE = Path(tempfile.gettempdir()) / "wacr-bench-pycache"


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a benchmark subprocess: src/ and bench/ importable, bytecode cached."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(BENCH)])
    env.update(extra)
    return env


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float]) -> str:
    """``min-max`` of a list of ratios, for the detail lines."""
    return f"{min(values):.2f}-{max(values):.2f}"


def rotate(sides: Sequence[str], round_no: int) -> list[str]:
    """The sides in a different order each round, so that drift hits every side alike."""
    k = round_no % len(sides)
    order = list(sides[k:]) + list(sides[:k])
    return order if round_no % 2 == 0 else order[::-1]


def emit(result: dict[str, Any]) -> None:
    """A child benchmark's result, as the last line of its stdout (run.py reads it)."""
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()


def parse_result(stdout: str) -> dict[str, Any]:
    for line in reversed(stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[7:])  # type: ignore[no-any-return]
    raise RuntimeError("the benchmark printed no RESULT line:\n" + stdout[-2000:])


# --- canned payloads (what the emulator answers, byte for byte in shape) ----------------------

REQUEST_ID = "3f8a4c1e-9b2d-4e57-8a61-0c5d2e7f9b13"
STAMP = "2026-11-22T14:28:43+00:00"

FIRST = ["Amira", "Omar", "Laila", "Youssef", "Nour", "Karim", "Salma", "Hassan", "Mona", "Tarek"]
LAST = ["Hassan", "Farouk", "Nabil", "Saleh", "Mahmoud", "Adel", "Fathy", "Kamal", "Zaki", "Samir"]
CITIES = ["Cairo", "Giza", "Alexandria", None, "Luxor"]


def contact_json(i: int) -> dict[str, Any]:
    """One ContactResource as the emulator renders it (some optional fields null)."""
    return {
        "id": i,
        "firstname": FIRST[i % 10],
        "lastname": LAST[(i // 10) % 10],
        "company": "Acme Trading" if i % 3 else None,
        "type": ("lead", "customer", "guest")[i % 3],
        "email": f"contact{i}@example.com" if i % 4 else None,
        "phone": f"+2010{i:08d}",
        "status_id": 1 + i % 3,
        "source_id": 1 + i % 3,
        "description": "Met at the Cairo trade fair" if i % 5 == 0 else None,
        "city": CITIES[i % 5],
        "state": None,
        "zip": "11511" if i % 2 else None,
        "address": f"{i} Tahrir Street" if i % 2 else None,
        "country_id": 63 if i % 2 else None,
        "assigned_id": 1 if i % 2 else None,
        "group_id": [1, 2] if i % 3 == 0 else [],
        "is_opted_out": i % 17 == 0,
        "created_at": STAMP,
        "updated_at": STAMP,
    }


def page_envelope(n: int = 100, *, page: int = 1, total: int = 1000) -> dict[str, Any]:
    """A list answer of ``n`` contacts with ``meta.pagination``."""
    per_page = n
    last = (total + per_page - 1) // per_page
    return {
        "success": True,
        "data": [contact_json(i) for i in range((page - 1) * n + 1, page * n + 1)],
        "message": "Contacts retrieved successfully",
        "meta": {
            "request_id": REQUEST_ID,
            "timestamp": STAMP,
            "pagination": {
                "current_page": page,
                "per_page": per_page,
                "total": total,
                "last_page": last,
                "has_more": page < last,
            },
        },
    }


def send_envelope() -> dict[str, Any]:
    """The answer of ``POST /messages/text``."""
    return {
        "success": True,
        "data": {
            "message_id": "wamid.HBgLF667F1AEDE513CD2B31EF497DEBCB6AF",
            "contact_id": 1,
            "phone": "201000000000",
            "status": "sent",
            "sent_at": STAMP,
            "chat_id": 1,
            "chat_message_id": 1,
            "message": "Hi Amira, your order has shipped.",
        },
        "message": "Message sent successfully",
        "meta": {"request_id": REQUEST_ID, "timestamp": STAMP},
    }
