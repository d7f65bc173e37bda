"""Schemathesis drives the spec against the emulator: no 5xx, and every answer conforms to the spec.

Two phases: every operation on its own (examples drawn from its schemas), then the stateful
phase, where the spec's ``links`` carry the ids that creates answer into the reads, updates and
deletes of the same resource (contacts, groups, sources, statuses, and the messages a send
stored), so those operations are exercised on resources that exist, not only on 404s.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.specs.openapi.checks import response_schema_conformance

from wacr.testing import Emulator

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "wacr-v2.yaml"
schema = schemathesis.openapi.from_path(str(SPEC))
CHECKS = [not_a_server_error, response_schema_conformance]


# The list operations' many bounded string parameters (a maxLength on a pattern) make the coverage
# phase's boundary values slow to draw (about 50 s in all); they get the fuzzing phase only.
LISTS = r"^(contacts|groups|sources|statuses|templates|messages)_list$|^auth_list_templates$"
SUPPRESS = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture]


@schema.exclude(operation_id_regex=LISTS).parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=SUPPRESS)
def test_emulator_conforms_to_the_spec(case: schemathesis.Case, wacr_emulator: Emulator) -> None:
    _call(case, wacr_emulator)


@schema.include(operation_id_regex=LISTS).parametrize()
@settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=SUPPRESS, phases=[Phase.generate]
)
def test_list_operations_conform_to_the_spec(case: schemathesis.Case, wacr_emulator: Emulator) -> None:
    _call(case, wacr_emulator)


def _call(case: schemathesis.Case, emulator: Emulator) -> None:
    case.call_and_validate(
        base_url=emulator.base_url, headers={"Authorization": f"Bearer {emulator.token}"}, checks=CHECKS
    )


# The stateful phase draws valid requests only: its point is that creates succeed and their ids flow
# on (invalid input is the first phase's job), and with half its calls refused as invalid the number
# of linked calls that reach a real resource would hang on the draw.
stateful_schema = schemathesis.openapi.from_path(str(SPEC))
stateful_schema.config.generation.update(modes=[GenerationMode.POSITIVE])


class Workflow(stateful_schema.as_state_machine()):  # type: ignore[misc]
    """Chains of calls that follow the spec's links, against one emulator."""

    emulator: ClassVar[Emulator | None] = None
    #: (operation, status) of every call, across all scenarios.
    calls: ClassVar[Counter[tuple[str, int]]] = Counter()

    def setup(self) -> None:
        # Every scenario starts from the seeded state, so that a scenario's answers depend only
        # on its own calls (hypothesis replays scenarios and needs them to behave the same).
        assert self.emulator is not None
        self.emulator.reset()

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
        assert self.emulator is not None
        token = self.emulator.token
        return {"base_url": self.emulator.base_url, "headers": {"Authorization": f"Bearer {token}"}}

    def after_call(self, response: Any, case: schemathesis.Case) -> None:
        self.calls[(case.operation.label, response.status_code)] += 1

    def validate_response(
        self, response: Any, case: schemathesis.Case, additional_checks: Any = None, **kwargs: Any
    ) -> None:
        case.validate_response(response, checks=CHECKS)


def test_stateful_links_carry_ids_from_creates_to_reads_updates_and_deletes(wacr_emulator: Emulator) -> None:
    Workflow.emulator = wacr_emulator
    Workflow.calls.clear()
    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=40,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    ok = {label for (label, status), _ in Workflow.calls.items() if 200 <= status < 300}
    # The links were followed to resources that exist: linked operations succeeded, not only 404'd.
    # (Which ones depends on the draw; test_links.py follows every link on purpose.)
    followed = ok & {
        "GET /contacts/{id}", "PATCH /contacts/{id}", "DELETE /contacts/{id}",
        "GET /groups/{id}", "PATCH /groups/{id}", "DELETE /groups/{id}",
        "GET /sources/{id}", "PATCH /sources/{id}", "DELETE /sources/{id}",
        "GET /statuses/{id}", "PATCH /statuses/{id}", "DELETE /statuses/{id}",
        "GET /messages/{id}",
    }  # fmt: skip
    assert len(followed) >= 2, sorted(Workflow.calls.items())
