"""Split the generated models module into one module per API section, loaded on first use.

A fresh process that makes one call should build only the classes that call needs (attrs builds
each class when its module runs). Each operation belongs to the section its id starts with
(``messages_send_text``: ``messages``); the webhook payloads to ``webhooks``. A definition
reached from one section only lives in that section's module; one reached from several, or from
none, in ``common``. What a definition refers to is reached too, so ``common`` never needs a
section module and a section module needs only ``common``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

import attrs

COMMON = "common"
WEBHOOKS = "webhooks"
#: The ``{success, data}`` wrappers (the client unwraps answers itself: only tests load them).
ENVELOPES = "envelopes"
#: The request bodies (the client sends dicts; a user may build one to read or send).
REQUESTS = "requests"
#: Modules that may use any section; no section uses them.
LEAVES = (ENVELOPES, REQUESTS)


@attrs.define
class Definition:
    """One top-level definition of the generated module: its source lines and what it names."""

    name: str
    source: str
    uses: set[str]


@attrs.define
class Split:
    """The generated module cut into sections."""

    #: The import lines of the whole module (each section keeps those it uses).
    imports: str
    #: Section name -> its definitions, in the order of the whole module.
    sections: dict[str, list[Definition]]
    #: Definition name -> section name.
    index: dict[str, str]


def _definitions(source: str) -> tuple[str, list[Definition]]:
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    imports: list[str] = []
    found: list[Definition] = []
    names: set[str] = set()
    for position, node in enumerate(tree.body):
        text = "".join(lines[_start(node) - 1 : node.end_lineno])
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if not (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
                imports.append(text)
        elif isinstance(node, ast.ClassDef):
            found.append(Definition(node.name, text, set()))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found.append(Definition(node.target.id, text, set()))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            if position == 0:
                continue  # the module docstring
            found[-1].source += "".join(lines[node.lineno - 1 : node.end_lineno])  # an alias' docstring
        else:
            raise ValueError(f"codegen/sections.py: unexpected statement at line {node.lineno}")
        if found:
            names.add(found[-1].name)
    by_name = {d.name: d for d in found}
    for node in tree.body:
        name = _name(node)
        if name in by_name:
            by_name[name].uses = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & names - {name}
    return "".join(imports), found


def _start(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.ClassDef):
        return node.name
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return None


def _refs(node: Any) -> Iterator[str]:
    """The schema names a part of the spec refers to."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            yield ref.rsplit("/", 1)[-1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    """``node`` with its ``$ref`` to a response or a request body replaced by the target."""
    if isinstance(node, dict) and "$ref" in node and not node["$ref"].startswith("#/components/schemas/"):
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return target
    return node


def split(source: str, spec: dict[str, Any]) -> Split:
    """Cut ``source`` (the whole generated module) by the sections of ``spec``'s operations."""
    imports, found = _definitions(source)
    by_name = {d.name: d for d in found}
    reached: dict[str, set[str]] = {}

    def reach(section: str, roots: Iterator[str]) -> None:
        todo = [name for name in roots if name in by_name]
        while todo:
            name = todo.pop()
            sections = reached.setdefault(name, set())
            if section not in sections:
                sections.add(section)
                todo.extend(by_name[name].uses)

    for item in spec["paths"].values():
        for method, op in item.items():
            if method == "parameters":
                continue
            section = op["operationId"].split("_", 1)[0]
            parts = [_resolve(spec, op.get("requestBody", {}))]
            parts += [_resolve(spec, answer) for answer in op.get("responses", {}).values()]
            reach(section, _refs(parts))
    reach(WEBHOOKS, _refs(spec.get("webhooks", {})))
    bodies = {
        name
        for item in spec["paths"].values()
        for method, op in item.items()
        if method != "parameters"
        for name in _refs(_resolve(spec, op.get("requestBody", {})).get("content", {}))
    }
    index = {
        d.name: next(iter(reached[d.name])) if len(reached.get(d.name, ())) == 1 else COMMON for d in found
    }
    # What a common definition uses is common too (one that no operation reaches may use one
    # that a single section reaches).
    for d in found:
        if d.name.endswith("Envelope"):
            index[d.name] = ENVELOPES
        elif d.name in bodies and not any(d.name in other.uses for other in found):
            index[d.name] = REQUESTS
    todo = [d.name for d in found if index[d.name] == COMMON]
    while todo:
        for used in by_name[todo.pop()].uses:
            if index[used] != COMMON:
                index[used] = COMMON
                todo.append(used)
    sections: dict[str, list[Definition]] = {}
    for d in found:
        sections.setdefault(index[d.name], []).append(d)
    for section, members in sections.items():
        for d in members:
            for used in d.uses:
                home = index[used]
                if home not in (section, COMMON) and (section not in LEAVES or home in LEAVES):
                    raise ValueError(f"{d.name} ({section}) uses {used} ({index[used]})")
    return Split(imports, dict(sorted(sections.items())), index)
