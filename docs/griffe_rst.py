"""A griffe extension for the API reference: the docstrings of ``src/wacr`` use a few
reStructuredText habits (Sphinx roles, ``::`` before a literal block, ``>>>`` examples) that
Markdown would show raw or as block quotes. Rewritten here, at build time, into their Markdown
equivalents; the docstrings themselves stay as they are."""

from __future__ import annotations

import re
from typing import Any

import griffe

# :class:`wacr.Client`, :meth:`~Router.handle` -> `wacr.Client`, `handle`
_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|data|mod|exc|obj|const|term):`(~?)([^`]+)`")


def _role(match: re.Match[str]) -> str:
    short, target = match.groups()
    target = target.strip()
    if "<" in target and target.endswith(">"):  # :class:`text <target>`
        target = target.split("<", 1)[0].strip()
    elif short:
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


def markdown(text: str) -> str:
    """The docstring ``text`` with roles as code spans, ``::`` as ``:`` and ``>>>`` runs fenced."""
    text = _ROLE.sub(_role, text)
    out: list[str] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.lstrip()
        if stripped.startswith(">>> "):
            indent = line[: len(line) - len(stripped)]
            block = []
            while index < len(lines) and lines[index].strip():
                block.append(lines[index][len(indent) :])
                index += 1
            out += [f"{indent}```pycon", *(indent + b for b in block), f"{indent}```"]
            continue
        if stripped == "::":
            index += 1
            continue
        if line.endswith("::") and not line.endswith(":::"):
            line = line[:-1]
        out.append(line)
        index += 1
    return "\n".join(out)


class RestToMarkdown(griffe.Extension):
    """Rewrites each docstring once it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
