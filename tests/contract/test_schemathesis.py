"""Schemathesis drives the spec against the emulator: no 5xx, and every answer conforms to the spec."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from wacr.testing import Emulator

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "wacr-v2.yaml"
schema = schemathesis.openapi.from_path(str(SPEC))


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_emulator_conforms_to_the_spec(case: schemathesis.Case, wacr_emulator: Emulator) -> None:
    case.call_and_validate(
        base_url=wacr_emulator.base_url,
        headers={"Authorization": f"Bearer {wacr_emulator.token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
