"""The emulator is written against the docs, not the client: it imports nothing of the client's
pipeline, so a bug there cannot hide behind the same bug here."""

from __future__ import annotations

import ast
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
