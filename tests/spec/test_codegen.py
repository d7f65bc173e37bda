"""The generated models are current, deterministic, and `make check-codegen` catches a stale spec."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

import wacr.models as models
from wacr._operations import OPERATIONS

ROOT = Path(__file__).resolve().parents[2]


def _copy_project(tmp_path: Path) -> Path:
    for sub in ("openapi", "codegen", "src/wacr/models"):
        shutil.copytree(ROOT / sub, tmp_path / sub, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        ROOT / "src/wacr/_checks", tmp_path / "src/wacr/_checks", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "src/wacr/_operations.py", tmp_path / "src/wacr/_operations.py")
    # codegen/checks.py emits each pattern as this module's json_schema_regex translates it.
    shutil.copy(ROOT / "src/wacr/_validate.py", tmp_path / "src/wacr/_validate.py")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _generate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "codegen" / "generate.py"), *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy_project(tmp_path_factory.mktemp("project"))


def test_committed_output_is_current(project: Path) -> None:
    result = _generate(project, "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_fails_when_the_spec_changes_without_regenerating(project: Path) -> None:
    spec = project / "openapi" / "wacr-v2.yaml"
    original = spec.read_text()
    try:
        spec.write_text(
            original.replace(
                "        subdomain: {type: string}\n",
                "        subdomain: {type: string}\n        region: {type: string}\n",
                1,
            )
        )
        assert spec.read_text() != original
        result = _generate(project, "--check")
        assert result.returncode == 1
        assert "stale: src/wacr/models/_generated/account.py" in result.stdout
        # Regenerating makes it current again, and the new field appears.
        assert _generate(project).returncode == 0
        assert "region: str | None" in (project / "src/wacr/models/_generated/account.py").read_text()
        assert _generate(project, "--check").returncode == 0
    finally:
        spec.write_text(original)
        assert _generate(project).returncode == 0


def _generated_files(project: Path) -> dict[str, bytes]:
    paths = [
        *sorted((project / "src/wacr/models/_generated").glob("*.py")),
        *sorted((project / "src/wacr/models/_structure").glob("*.py")),
        *sorted((project / "src/wacr/_checks").glob("*.py")),
        project / "src/wacr/models/_literals.py",
        project / "src/wacr/_operations.py",
    ]
    return {str(p.relative_to(project)): p.read_bytes() for p in paths}


def test_generation_is_byte_identical(project: Path) -> None:
    before = _generated_files(project)
    assert len(before) > 30  # a module per section, for the models, their structuring and the checks
    assert _generate(project).returncode == 0
    assert _generated_files(project) == before


def test_a_section_module_left_from_an_older_spec_is_stale_and_removed(project: Path) -> None:
    leftover = project / "src/wacr/models/_generated/retired.py"
    leftover.write_text('"""A section the spec no longer has."""\n')
    result = _generate(project, "--check")
    assert result.returncode == 1
    assert "stale: src/wacr/models/_generated/retired.py is not generated" in result.stdout
    assert _generate(project).returncode == 0
    assert not leftover.exists()
    assert _generate(project, "--check").returncode == 0


def test_models_are_attrs_classes_on_our_bases_with_no_pydantic() -> None:
    text = "".join(p.read_text() for p in (ROOT / "src/wacr/models/_generated").glob("*.py"))
    assert "pydantic" not in text
    assert "dataclass" not in text
    for name in ("Contact", "SendTextRequest", "TextMessageResult", "WebhookPayload", "Account", "Template"):
        cls = getattr(models, name)
        assert attrs.has(cls)
        assert issubclass(cls, models.Model)
    assert issubclass(models.ContactType, models.OpenEnum)


def test_every_operation_names_existing_models() -> None:
    for op in OPERATIONS.values():
        for name in (op.body_model, op.data_model):
            if name is not None:
                assert attrs.has(getattr(models, name)), (op.operation_id, name)


def test_request_rules_are_available_at_runtime() -> None:
    body = OPERATIONS["messages_send_text"].body
    assert body is not None
    phone = body["properties"]["phone"]
    assert (phone["minLength"], phone["maxLength"]) == (10, 20)
    assert phone["pattern"] == r"^[0-9+\-\s()]+$"
    assert body["required"] == ["phone", "message"]
    contact = OPERATIONS["contacts_create"].body
    assert contact is not None
    assert contact["properties"]["type"]["enum"] == ["lead", "customer", "guest"]
    assert contact["properties"]["email"]["format"] == "email"
    otp = OPERATIONS["auth_send_otp"].body
    assert otp is not None
    assert (
        otp["properties"]["expiry_minutes"]["minimum"],
        otp["properties"]["expiry_minutes"]["maximum"],
    ) == (1, 60)
    interactive = OPERATIONS["messages_send_interactive"].body
    assert interactive is not None
    assert interactive["properties"]["buttons"]["maxItems"] == 3
    assert (
        interactive["properties"]["sections"]["items"]["properties"]["rows"]["items"]["properties"]["title"][
            "maxLength"
        ]
        == 24
    )
    assert OPERATIONS["contacts_list"].query["per_page"]["maximum"] == 100


def test_open_enums_accept_new_server_values() -> None:
    status = models.MessageStatus("queued")
    assert status.value == "queued"
    assert not status.known
    assert models.MessageStatus("sent") is models.MessageStatus.sent
    assert models.MessageStatus.sent.known
