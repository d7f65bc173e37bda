"""mypy and pyright reject every mistake in negative_calls.py and accept user_code.py.

Each marked line of the negative example must be reported by both tools with the code it names,
and no other line may be: the comments are stripped from a copy, both tools run on it (with the
project's settings: ``pyproject.toml``'s ``[tool.mypy]``, ``pyrightconfig.json``), and their
reports are compared line by line.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(sys.executable).parent
MARK = re.compile(r"  # type: ignore\[([\w-]+)\]  # pyright: ignore\[(\w+)\]$")


def _expected(source: str) -> tuple[str, dict[int, tuple[str, str]]]:
    """The source without the marks, and each marked line (1-based) with its mypy code and pyright rule."""
    lines: list[str] = []
    marks: dict[int, tuple[str, str]] = {}
    for number, line in enumerate(source.splitlines(), start=1):
        found = MARK.search(line)
        if found:
            marks[number] = (found.group(1), found.group(2))
            line = line[: found.start()]
        lines.append(line)
    return "\n".join(lines) + "\n", marks


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)


def test_both_checkers_report_each_mistake_and_nothing_else(tmp_path: Path) -> None:
    stripped, marks = _expected((HERE / "negative_calls.py").read_text())
    assert len(marks) >= 15  # the file is the list of mistakes; it must not lose them silently
    copy = tmp_path / "negative_calls.py"
    copy.write_text(stripped)
    positive = HERE / "user_code.py"

    mypy = _run(
        str(BIN / "mypy"), "--config-file", "pyproject.toml", "--cache-dir", str(tmp_path / "cache"),
        "--no-error-summary", "--show-error-codes", str(copy), str(positive),
    )  # fmt: skip
    mypy_found: dict[int, set[str]] = {}
    for line in mypy.stdout.splitlines():
        hit = re.match(r"(.+?):(\d+): error: .*\[([\w-]+)\]$", line)
        if hit:
            assert Path(hit.group(1)).name == copy.name, f"user_code.py is rejected: {line}"
            mypy_found.setdefault(int(hit.group(2)), set()).add(hit.group(3))
    assert mypy.returncode == 1, mypy.stdout + mypy.stderr

    pyright = _run(str(BIN / "pyright"), "-p", "pyrightconfig.json", "--outputjson", str(copy), str(positive))
    report = json.loads(pyright.stdout)
    pyright_found: dict[int, set[str]] = {}
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] != "error":
            continue
        assert Path(diagnostic["file"]).name == copy.name, f"user_code.py is rejected: {diagnostic}"
        at: int = diagnostic["range"]["start"]["line"] + 1
        pyright_found.setdefault(at, set()).add(diagnostic.get("rule", "?"))

    for number, (code, rule) in sorted(marks.items()):
        assert code in mypy_found.get(number, set()), (number, code, mypy_found.get(number))
        assert rule in pyright_found.get(number, set()), (number, rule, pyright_found.get(number))
    assert set(mypy_found) == set(marks), "mypy reports lines with no expected error"
    assert set(pyright_found) == set(marks), "pyright reports lines with no expected error"
