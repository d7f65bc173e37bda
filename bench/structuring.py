"""Structuring: wacr's converter vs the bare attrs constructor, and JSON bytes -> models vs pydantic v2.

* dicts -> models: ``converter.structure(items, list[Contact])`` (type checks, datetimes,
  enums, the same work as a real call) vs ``[Contact(**item) for item in items]`` (no checks,
  no conversion) on the same parsed 100-contact page; and the same for one send answer;
* bytes -> models: ``converter.loads(raw, ContactListEnvelope)`` (orjson + the converter) vs
  pydantic's ``ContactListEnvelope.model_validate_json(raw)`` on equivalent pydantic models
  (``bench/_pydantic_models.py``); and ``page_from_envelope(orjson.loads(raw), Contact)``,
  what ``client.contacts.list()`` actually runs.

Sides alternate within each round; ratios are per round, the table shows medians.

    python bench/structuring.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import orjson
from _common import emit, median, page_envelope, rotate, send_envelope, spread

from wacr import _convert
from wacr._pagination import page_from_envelope
from wacr._response import ResponseInfo
from wacr.models import Contact, TextMessageResult
from wacr.models._generated.envelopes import ContactListEnvelope, TextMessageResultEnvelope

try:
    import _pydantic_models as pyd
except ImportError:  # pragma: no cover - pydantic is a bench-only dependency
    pyd = None  # type: ignore[assignment]


# What the transport attaches to a page (the SDK path gives it to every item too).
_INFO = ResponseInfo(
    status=200,
    headers={},
    request_id="r",
    message=None,
    meta=None,
    method="GET",
    url="http://127.0.0.1/api/v2/contacts",
    elapsed=0.0,
    attempts=1,
)


def _per_call(fn: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def compare(sides: dict[str, Callable[[], Any]], number: int, rounds: int) -> dict[str, list[float]]:
    names = list(sides)
    for fn in sides.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in rotate(names, r):
            times[name].append(_per_call(sides[name], number))
    return times


def ratio(times: dict[str, list[float]], a: str, b: str) -> tuple[float, str]:
    values = [x / y for x, y in zip(times[a], times[b], strict=True)]
    return median(values), spread(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    converter = _convert.converter

    page_raw = orjson.dumps(page_envelope(100))
    items = orjson.loads(page_raw)["data"]
    send_raw = orjson.dumps(send_envelope())
    send_data = orjson.loads(send_raw)["data"]
    list_of_contacts = list[Contact]
    results: dict[str, Any] = {}

    # Both sides must build the same objects (the converter's ones are also checked and converted).
    assert [c.id for c in converter.structure(items, list_of_contacts)] == [i["id"] for i in items]

    times = compare(
        {
            "converter": lambda: converter.structure(items, list_of_contacts),
            "bare": lambda: [Contact(**item) for item in items],
        },
        number=40,
        rounds=args.rounds,
    )
    results["page_dicts"] = {
        "converter_us": median(times["converter"]) * 1e6,
        "bare_us": median(times["bare"]) * 1e6,
        "ratio": ratio(times, "converter", "bare"),
    }
    times = compare(
        {
            "converter": lambda: converter.structure(send_data, TextMessageResult),
            "bare": lambda: TextMessageResult(**send_data),
        },
        number=4000,
        rounds=args.rounds,
    )
    results["send_dicts"] = {
        "converter_us": median(times["converter"]) * 1e6,
        "bare_us": median(times["bare"]) * 1e6,
        "ratio": ratio(times, "converter", "bare"),
    }

    page_sides: dict[str, Callable[[], Any]] = {
        "wacr": lambda: converter.loads(page_raw, ContactListEnvelope),
        "sdk_path": lambda: page_from_envelope(orjson.loads(page_raw), Contact, _INFO),
    }
    send_sides: dict[str, Callable[[], Any]] = {
        "wacr": lambda: converter.loads(send_raw, TextMessageResultEnvelope),
    }
    if pyd is not None:
        page_sides["pydantic"] = lambda: pyd.ContactListEnvelope.model_validate_json(page_raw)
        send_sides["pydantic"] = lambda: pyd.TextMessageResultEnvelope.model_validate_json(send_raw)
    times = compare(page_sides, number=30, rounds=args.rounds)
    results["page_bytes"] = {f"{name}_us": median(v) * 1e6 for name, v in times.items()}
    times_send = compare(send_sides, number=3000, rounds=args.rounds)
    results["send_bytes"] = {f"{name}_us": median(v) * 1e6 for name, v in times_send.items()}
    if pyd is not None:
        results["page_bytes"]["ratio"] = ratio(times, "wacr", "pydantic")
        results["page_bytes"]["sdk_ratio"] = ratio(times, "sdk_path", "pydantic")
        results["send_bytes"]["ratio"] = ratio(times_send, "wacr", "pydantic")

    for key, res in results.items():
        shown = ", ".join(
            f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v[0]:.2f} ({v[1]})" for k, v in res.items()
        )
        print(f"{key:11s} {shown}", flush=True)
    emit(results)


if __name__ == "__main__":
    main()
