"""The emulator is written against the docs, not the client: it imports nothing of the client's
pipeline, so a bug there cannot hide behind the same bug here."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

TESTING = Path(__file__).resolve().parents[2] / "src" / "wacr" / "testing"
PIPELINE = (
    "wacr._transport",
    "wacr.errors",
    "wacr._convert",
    "wacr.resources",
    "wacr._client",
    "wacr._pagination",
)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize(
    "path", sorted(TESTING.rglob("*.py")), ids=lambda path: str(path.relative_to(TESTING))
)
def test_no_emulator_module_imports_the_client_pipeline(path: Path) -> None:
    wacr_imports = {name for name in _imports(path) if name == "wacr" or name.startswith("wacr.")}
    bad = sorted(name for name in wacr_imports if name.startswith(PIPELINE) or name == "wacr")
    # `wacr.testing.*` and the plugin's lazy `from wacr import Client` (its wacr_client fixture) only.
    if path.name == "pytest_plugin.py":
        bad = [name for name in bad if name not in ("wacr", "wacr.Client")]
    assert bad == [], f"{path.name} imports {bad}"
    assert all(name.startswith("wacr.testing") or path.name == "pytest_plugin.py" for name in wacr_imports)


# What a plain import may not load: aiohttp, the emulator's own modules, the client's pipeline.
HEAVY = ("aiohttp", "wacr.testing._", "wacr._transport", "wacr._convert", "cattrs")


def _loaded_by(statement: str) -> list[str]:
    """The heavy modules a fresh interpreter has loaded after running ``statement``."""
    probe = (
        "import sys\n"
        f"{statement}\n"
        f"print('\\n'.join(sorted(m for m in sys.modules if m.startswith({HEAVY!r}))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.split()


@pytest.mark.parametrize(
    "statement",
    [
        # pytest loads the plugin (pytest11 entry point) into every run of every user.
        "import wacr.testing.pytest_plugin",
        "import wacr.testing",
        "from wacr import testing",
    ],
)
def test_a_plain_import_loads_nothing_heavy(statement: str) -> None:
    assert _loaded_by(statement) == []


def test_the_probe_sees_what_a_name_loads() -> None:
    # The same probe after one public name is used: the emulator and aiohttp are there.
    loaded = _loaded_by("from wacr.testing import Emulator")
    assert "aiohttp" in loaded and "wacr.testing._emulator" in loaded
    assert not any(name.startswith(("wacr._transport", "wacr._convert", "cattrs")) for name in loaded)


def test_every_public_name_loads_from_its_module() -> None:
    import wacr.testing

    for name in wacr.testing.__all__:
        value = getattr(wacr.testing, name)
        if callable(value) and hasattr(value, "__module__"):
            assert value.__module__.startswith("wacr.testing._"), name
    assert wacr.testing.API_PREFIX == "/api/v2"
    assert "messages:send" in wacr.testing.ALL_SCOPES
    assert set(wacr.testing.__all__) <= set(dir(wacr.testing))
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        getattr(wacr.testing, "Nope")  # noqa: B009
