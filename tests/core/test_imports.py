"""What importing wacr loads, and that the import contracts of pyproject.toml can fail.

The contracts themselves run in ``make contracts`` (part of ``make test``); here each one is shown
to catch a violation planted in a copy of the package, so that none can pass vacuously.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import wacr

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# Modules of the client's pipeline that `import wacr` must not load (nor aiohttp or cattrs), and the
# optional integrations (opentelemetry, redis) that only their own modules load.
PIPELINE = [
    "aiohttp",
    "cattrs",
    "wacr._client",
    "wacr._convert",
    "wacr._pagination",
    "wacr._transport",
    "wacr._attempt",
    "wacr._retry",
    "wacr._around",
    "wacr._network",
    "wacr._settings",
    "opentelemetry",
    "redis",
    "wacr.otel",
    "wacr.redis",
]
# What `import wacr.testing` must not load: the emulator serves with aiohttp.web, not the client.
NOT_THE_EMULATORS = [*PIPELINE[1:], "wacr.resources"]


def _loaded_after(code: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; return what it prints as JSON (its last line)."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_import_wacr_loads_no_client_pipeline() -> None:
    out = _loaded_after(
        f"""
        import json, sys
        import wacr
        print(json.dumps({{"loaded": [m for m in {PIPELINE!r} if m in sys.modules],
                           "wacr": sorted(m for m in sys.modules if m.startswith("wacr"))}}))
        """
    )
    assert out["loaded"] == []
    assert out["wacr"] == ["wacr", "wacr._version"]


def test_the_errors_and_response_types_load_no_aiohttp_nor_cattrs() -> None:
    out = _loaded_after(
        f"""
        import json, sys
        import wacr.errors
        first = [m for m in {PIPELINE!r} if m in sys.modules]
        import wacr
        names = [n for n in wacr.__all__ if n.endswith("Error") or n in ("RateLimit", "ResponseInfo")]
        for name in names:
            getattr(wacr, name)
        print(json.dumps({{"first": first, "count": len(names),
                           "then": [m for m in {PIPELINE!r} if m in sys.modules]}}))
        """
    )
    assert out == {"first": [], "count": 30, "then": []}


def test_the_light_public_names_load_no_client() -> None:
    # The hosts, the hook event, the raw answer's type and the in-process limiter: a CLI or a
    # config module may name them without loading aiohttp.
    out = _loaded_after(
        f"""
        import json, sys
        from wacr import WACR, RASL, HookEvent, APIResponse, RateLimiter
        print(json.dumps({{"hosts": [WACR, RASL], "loaded": [m for m in {PIPELINE!r} if m in sys.modules]}}))
        """
    )
    assert out == {"hosts": ["https://app.wa.cr/api/v2", "https://getrasl.io/api/v2"], "loaded": []}


def test_the_client_loads_no_optional_integration() -> None:
    out = _loaded_after(
        """
        import json, sys
        import wacr
        wacr.Client("t")
        optional = ("opentelemetry", "redis", "wacr.otel", "wacr.redis")
        print(json.dumps({"loaded": sorted(m for m in sys.modules if m.startswith(optional))}))
        """
    )
    assert out["loaded"] == []


def test_every_public_name_resolves_to_the_object_of_its_module() -> None:
    out = _loaded_after(
        """
        before = set(globals())
        from wacr import *
        star = sorted(set(globals()) - before - {"before"})
        import importlib, json
        import wacr
        wrong = []
        for name in wacr.__all__:
            value = getattr(wacr, name)
            if name in ("models", "__version__"):
                continue
            home = importlib.import_module(wacr._HOMES[name])
            if getattr(home, name) is not value or vars(wacr)[name] is not value:
                wrong.append(name)
        print(json.dumps({"wrong": wrong, "star": star}))
        """
    )
    assert out["wrong"] == []
    assert out["star"] == sorted(wacr.__all__)


def test_all_and_dir_name_every_public_name_and_nothing_else_resolves() -> None:
    assert set(wacr.__all__) == {*wacr._HOMES, "models", "__version__"}
    assert len(wacr.__all__) == len(set(wacr.__all__))
    assert set(wacr.__all__) <= set(dir(wacr))
    for name in ("Transport", "Settings", "unstructure", "_convert_", "Clients"):
        with pytest.raises(AttributeError, match=f"module 'wacr' has no attribute '{name}'"):
            getattr(wacr, name)
    assert wacr.models.Deleted is wacr.Deleted


def test_the_emulator_loads_no_client_pipeline() -> None:
    out = _loaded_after(
        f"""
        import json, sys
        import wacr.testing
        print(json.dumps({{"loaded": [m for m in {NOT_THE_EMULATORS!r} if m in sys.modules]}}))
        """
    )
    assert out["loaded"] == []


def test_the_cli_loads_the_emulator_only_inside_its_command() -> None:
    out = _loaded_after(
        """
        import json, sys
        import wacr.cli._main
        print(json.dumps({"testing": sorted(m for m in sys.modules if m.startswith("wacr.testing"))}))
        """
    )
    assert out["testing"] == []


# -- the contracts can fail ---------------------------------------------------------------------

# (contract id, file of the copy to edit, the import added, a line lint-imports prints for it)
VIOLATIONS = [
    (
        "models-know-no-transport",
        "models/_extra.py",
        "import wacr._transport",
        "wacr.models._extra -> wacr._transport",
    ),
    ("models-know-no-transport", "models/_base.py", "import aiohttp", "wacr.models._base -> aiohttp"),
    (
        "pipeline-knows-no-resource",
        "_response.py",
        "import wacr.resources",
        "wacr._response -> wacr.resources",
    ),
    (
        "pipeline-knows-no-resource",
        "errors.py",
        "from wacr.resources import Contacts",
        "wacr.errors -> wacr.resources",
    ),
    ("only-the-cli-loads-the-cli", "webhooks/__init__.py", "import wacr.cli", "wacr.webhooks -> wacr.cli"),
    (
        "client-never-loads-testing",
        "_client.py",
        "from wacr.testing import Emulator",
        "wacr._client -> wacr.testing",
    ),
    (
        "client-never-loads-testing",
        "resources/__init__.py",
        "import wacr.testing",
        "wacr.resources -> wacr.testing",
    ),
    ("emulator-knows-no-client", "testing/__init__.py", "import wacr.errors", "wacr.testing -> wacr.errors"),
]


@pytest.mark.parametrize(("contract", "path", "statement", "shown"), VIOLATIONS)
def test_a_contract_catches_a_planted_violation(
    tmp_path: Path, contract: str, path: str, statement: str, shown: str
) -> None:
    # A copy of the package and of the contracts; the copy comes first on the path.
    shutil.copytree(
        ROOT / "src" / "wacr", tmp_path / "src" / "wacr", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "wacr" / path
    target.write_text(target.read_text(encoding="utf-8") + f"\n{statement}  # planted\n", encoding="utf-8")
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "--contract", contract],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "src")},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "BROKEN" in done.stdout and "1 broken" in done.stdout
    assert shown in done.stdout and "(l." in done.stdout
