"""Find the code samples of the README and the docs, and how each one is checked.

Every fenced ``python`` block and every fenced shell block (``sh``, ``bash``, ``console``) is a
sample. An HTML comment on the line before a block says how it runs; with none, a python block
runs as a script and a shell block runs as commands. The marks:

``<!-- doc-test: client -->``
    Python that uses ``client`` (a :class:`wacr.Client` open on the emulator), ``emulator`` (the
    :class:`wacr.testing.Emulator`), ``wacr`` and ``asyncio`` without creating them, with ``await``
    at the top level. The client blocks of one page share one namespace, in page order, as a
    reader does when reading the page from the top.
``<!-- doc-test: webhook: PATH -->``
    A webhook receiver: the block runs as a module (not ``__main__``, so a ``web.run_app`` under
    the main guard stays off) and must define ``router`` and ``app`` (an aiohttp application or an
    ASGI app). The test serves ``app`` on loopback, has the emulator deliver its events to
    ``PATH``, creates a contact, and checks that every delivery was answered 200, every handler
    finished without an error, and the bot sent a message (the samples greet new contacts).
``<!-- doc-test: pytest-auto -->`` / ``<!-- doc-test: pytest-strict -->``
    A pytest test module, run by pytest in a subprocess with pytest-asyncio in that mode.
``<!-- doc-test: partial: WHY -->``
    Deliberately incomplete (or it needs the network, a real account, a server left running):
    only compiled (python) or syntax-checked (``bash -n``). The reason is required.

Scripts and shell commands run with ``WACR_TOKEN`` and ``WACR_BASE_URL`` pointing at the
emulator, where the token ``YOUR_TOKEN`` of the samples is valid too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: The files whose samples are checked: the README, the contributor guide and every docs page.
SOURCES = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").rglob("*.md")])

PYTHON = frozenset({"python", "py"})
SHELL = frozenset({"sh", "bash", "shell", "console"})
PYTHON_MODES = frozenset({"script", "client", "webhook", "pytest-auto", "pytest-strict", "partial"})
SHELL_MODES = frozenset({"run", "partial"})

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<ticks>```+|~~~+)\s*(?P<lang>[\w+-]*)")
_MARK = re.compile(r"^\s*<!--\s*doc-test:\s*(?P<mode>[\w-]+)\s*(?::\s*(?P<why>.*?))?\s*-->\s*$")


class SampleError(Exception):
    """A sample that is marked wrongly (unknown mode, partial without a reason, a stray mark)."""


@dataclass(frozen=True)
class Sample:
    """One fenced block: where it is, its language family and how it is checked."""

    path: Path
    line: int  # of the opening fence, 1-based
    kind: str  # "python" or "shell"
    mode: str
    why: str
    code: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def samples_of(path: Path) -> list[Sample]:
    """The samples of one Markdown file, in order; a wrongly marked one raises SampleError."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Sample] = []
    pending: tuple[int, str, str] | None = None  # a mark waiting for its block
    index = 0
    while index < len(lines):
        line = lines[index]
        mark = _MARK.match(line)
        fence = _FENCE.match(line)
        if mark:
            if pending is not None:
                raise SampleError(f"{path}:{pending[0]}: a doc-test mark with no code block after it")
            pending = (index + 1, mark["mode"], (mark["why"] or "").strip())
            index += 1
            continue
        if not fence:
            if line.strip() and pending is not None:
                raise SampleError(f"{path}:{pending[0]}: a doc-test mark must be right before its block")
            index += 1
            continue
        indent, ticks, lang = fence["indent"], fence["ticks"], fence["lang"].lower()
        start = index
        body: list[str] = []
        index += 1
        while index < len(lines) and not lines[index].strip().startswith(ticks):
            text = lines[index]
            body.append(text[len(indent) :] if text.startswith(indent) else text.lstrip())
            index += 1
        index += 1  # the closing fence
        kind = "python" if lang in PYTHON else "shell" if lang in SHELL else None
        if kind is None:
            if pending is not None:
                raise SampleError(f"{path}:{pending[0]}: a doc-test mark on a {lang or 'plain'} block")
            continue
        mode, why = ("script" if kind == "python" else "run"), ""
        if pending is not None:
            mode, why = pending[1], pending[2]
            pending = None
        allowed = PYTHON_MODES if kind == "python" else SHELL_MODES
        if mode not in allowed:
            raise SampleError(
                f"{path}:{start + 1}: unknown doc-test mode {mode!r} for {kind} ({sorted(allowed)})"
            )
        if mode in ("partial", "webhook") and not why:
            raise SampleError(f"{path}:{start + 1}: doc-test: {mode} needs its argument ({mode}: ...)")
        found.append(Sample(path, start + 1, kind, mode, why, "\n".join(body) + "\n"))
    if pending is not None:
        raise SampleError(f"{path}:{pending[0]}: a doc-test mark with no code block after it")
    return found


def fence_count(path: Path, languages: frozenset[str]) -> int:
    """How many blocks open with one of ``languages``, counted without the parser (a cross-check)."""
    opening = re.compile(r"^\s*```\s*(" + "|".join(sorted(languages)) + r")\s*$", re.MULTILINE)
    return len(opening.findall(path.read_text(encoding="utf-8")))


def shell_commands(sample: Sample) -> list[str]:
    """The commands of a shell sample: ``$ `` lines of a console block, else every line; a
    trailing backslash joins lines; comments and output lines are left out."""
    commands: list[str] = []
    current = ""
    console = any(line.startswith("$ ") for line in sample.code.splitlines())
    for raw in sample.code.splitlines():
        line = raw.rstrip()
        if not current:
            if console:
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            if not line.strip() or line.lstrip().startswith("#"):
                continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        commands.append(current + line)
        current = ""
    return commands
