"""Emit ``src/wacr/_checks.py``: the argument checks of every operation as plain Python.

Each check answers one question for one resolved schema of the operation table: "would
``wacr._validate.check_value`` record nothing for this value?". It applies exactly the keywords
that interpreter applies (the ``RULE_KEYS`` of codegen/generate.py), so a ``True`` lets the
client skip the interpreter and a ``False`` sends it there to word the messages. A schema
keyword is therefore added in two places: this emitter and ``wacr._validate``.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

DOC = "The argument checks of every operation: True exactly when wacr._validate finds nothing."

# What ``isinstance`` test each JSON type is (bool is an int subclass, never a number here).
_TYPE_TESTS = {
    "string": "isinstance({v}, str)",
    "integer": "(isinstance({v}, int) and not isinstance({v}, bool))",
    "number": "(isinstance({v}, (int, float)) and not isinstance({v}, bool))",
    "boolean": "isinstance({v}, bool)",
    "array": "isinstance({v}, (list, tuple))",
    "object": "isinstance({v}, Mapping)",
    "null": "{v} is None",
}
# The interpreter's branches, in its order; the classes are disjoint, so a branch without a rule
# can be left out.
_IS_STR = "isinstance({v}, str)"
_IS_NUMBER = "isinstance({v}, (int, float)) and not isinstance({v}, bool)"
_IS_ARRAY = "isinstance({v}, (list, tuple))"
_IS_OBJECT = "isinstance({v}, Mapping)"
_SCALARS = ("string", "integer", "number", "boolean")


def _json_schema_regex() -> Callable[[str], str]:
    """The interpreter's translation of a spec pattern to Python's `re`, loaded from its file: the
    package itself imports the files generated here."""
    path = Path(__file__).resolve().parents[1] / "src" / "wacr" / "_validate.py"
    spec = importlib.util.spec_from_file_location("_wacr_codegen_validate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return cast("Callable[[str], str]", module.json_schema_regex)


json_schema_regex = _json_schema_regex()


class _Emitter:
    def __init__(self) -> None:
        self.constants: list[str] = []
        self.functions: list[str] = []
        self.patterns: dict[str, str] = {}

    def pattern(self, pattern: str) -> str:
        name = self.patterns.get(pattern)
        if name is None:
            name = self.patterns[pattern] = f"_PATTERN_{len(self.patterns)}"
            # The pattern as the interpreter compiles it (`$` is the end of the value, ...).
            self.constants.append(f"{name} = re.compile({json_schema_regex(pattern)!r})")
        return name

    # -- the rules of one value ------------------------------------------------------------

    def type_test(self, schema: dict[str, Any], v: str) -> str | None:
        expected = schema.get("type")
        if expected is None:
            return None
        names = expected if isinstance(expected, list) else [expected]
        if any(name not in _TYPE_TESTS for name in names):
            return None  # a type the interpreter does not know accepts everything
        if not names:
            return "False"
        return " or ".join(_TYPE_TESTS[name].format(v=v) for name in names)

    def string_lines(self, schema: dict[str, Any], v: str) -> list[str]:
        lines = []
        if schema.get("minLength") is not None:
            lines.append(f"if len({v}) < {schema['minLength']!r}: return False")
        if schema.get("maxLength") is not None:
            lines.append(f"if len({v}) > {schema['maxLength']!r}: return False")
        if schema.get("pattern") is not None:
            lines.append(f"if {self.pattern(schema['pattern'])}.search({v}) is None: return False")
        if schema.get("format") == "email":
            lines.append(f"if EMAIL.match({v}) is None: return False")
        elif schema.get("format") == "uri":
            lines.append(f"if not is_http_url({v}): return False")
        return lines

    def number_lines(self, schema: dict[str, Any], v: str) -> list[str]:
        lines = []
        if schema.get("minimum") is not None:
            lines.append(f"if {v} < {schema['minimum']!r}: return False")
        if schema.get("maximum") is not None:
            lines.append(f"if {v} > {schema['maximum']!r}: return False")
        return lines

    def array_lines(self, schema: dict[str, Any], v: str, name: str) -> list[str]:
        lines = []
        if schema.get("minItems") is not None:
            lines.append(f"if len({v}) < {schema['minItems']!r}: return False")
        if schema.get("maxItems") is not None:
            lines.append(f"if len({v}) > {schema['maxItems']!r}: return False")
        if schema.get("items"):
            check = self.value_function(schema["items"], f"{name}__item")
            lines += [f"for item in {v}:", f"    if not {check}(item): return False"]
        return lines

    def object_lines(self, schema: dict[str, Any], v: str, name: str) -> list[str]:
        properties: dict[str, Any] = schema.get("properties", {})
        lines = [f"get = {v}.get"]
        required = list(schema.get("required", ()))
        # A required field without rules of its own is only looked up; one with rules is
        # looked up once, below, with its rules.
        for field in required:
            if field not in properties:
                lines.append(f"if get({field!r}) is None: return False")
        for field, conditions in schema.get("x-required-when", {}).items():
            tests = " and ".join(f"get({k!r}) == {expected!r}" for k, expected in conditions.items())
            lines.append(f"if get({field!r}) is None and {tests or 'True'}: return False")
        if schema.get("additionalProperties") is False:
            fields = f"_FIELDS_{len(self.constants)}"
            self.constants.append(f"{fields} = frozenset({sorted(properties)!r})")
            lines.append(f"if not {fields}.issuperset({v}): return False")
        for field, sub in properties.items():
            inline = self.inline_lines(sub, "x")
            if field in required:
                lines += [f"x = get({field!r})", "if x is None: return False"]
                if inline is None:
                    check = self.value_function(sub, f"{name}__{_identifier(field)}")
                    lines.append(f"if not {check}(x): return False")
                else:
                    lines += inline
            elif inline is None:
                check = self.value_function(sub, f"{name}__{_identifier(field)}")
                lines.append(f"x = get({field!r})")
                lines.append(f"if x is not None and not {check}(x): return False")
            elif inline:
                lines += [f"x = get({field!r})", "if x is not None:", *_indent(inline)]
        if len(lines) == 1:
            return []
        return lines

    def inline_lines(self, schema: dict[str, Any], v: str) -> list[str] | None:
        """The rules of a non-null scalar as statements, or ``None`` for another kind of schema."""
        kind = schema.get("type")
        if kind not in _SCALARS:
            return None
        lines = [f"if not {self.type_test(schema, v)}: return False"]
        if schema.get("enum") is not None:
            lines.append(f"if {v} not in {tuple(schema['enum'])!r}: return False")
        if kind == "string":
            lines += self.string_lines(schema, v)
        elif kind in ("integer", "number"):
            lines += self.number_lines(schema, v)
        return lines

    def value_lines(self, schema: dict[str, Any], v: str, name: str) -> list[str]:
        """``check_value`` for one schema: the statements of a function that returns a bool."""
        lines = []
        test = self.type_test(schema, v)
        if test is not None:
            lines.append(f"if not ({test}): return False")
        lines.append(f"if {v} is None: return True")
        if schema.get("enum") is not None:
            lines.append(f"if {v} not in {tuple(schema['enum'])!r}: return False")
        branches = [
            (_IS_STR, self.string_lines(schema, v)),
            (_IS_NUMBER, self.number_lines(schema, v)),
            (_IS_ARRAY, self.array_lines(schema, v, name)),
            (_IS_OBJECT, self.object_lines(schema, v, name)),
        ]
        keyword = "if"
        for condition, body in branches:
            if body:
                lines += [f"{keyword} {condition.format(v=v)}:", *_indent(body)]
                keyword = "elif"
        lines.append("return True")
        return lines

    # -- functions ---------------------------------------------------------------------------

    def value_function(self, schema: dict[str, Any], name: str) -> str:
        self.add(name, "value: Any", self.value_lines(schema, "value", name))
        return name

    def body_function(self, schema: dict[str, Any], name: str) -> str:
        """A request body's check: ``_check_object`` of the interpreter, for a mapping."""
        lines = self.object_lines(schema, "value", name) or []
        self.add(name, "value: Mapping[str, Any]", [*lines, "return True"])
        return name

    def add(self, name: str, signature: str, lines: list[str]) -> None:
        self.functions.append(f"def {name}({signature}) -> bool:\n" + "".join(f"    {x}\n" for x in lines))


def _identifier(name: str) -> str:
    return re.sub(r"\W", "_", name)


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def modules(ops: list[dict[str, Any]], header: str) -> dict[str, str]:
    """The sources of the ``wacr._checks`` package: one module per API section (the section
    an operation id starts with) and the hub (``__init__``) that loads them on first use."""
    by_section: dict[str, list[dict[str, Any]]] = {}
    for op in ops:
        by_section.setdefault(op["operation_id"].split("_", 1)[0], []).append(op)
    out = {section: module(members, header) for section, members in sorted(by_section.items())}
    out["__init__"] = _hub(header, sorted(by_section))
    return out


def _hub(header: str, sections: list[str]) -> str:
    return "\n".join(
        [
            header,
            "from __future__ import annotations\n",
            "import importlib\nfrom collections.abc import Callable, Iterator, Mapping\n"
            "from typing import Any, TypeVar\n",
            '__all__ = ["BODIES", "PARAMETERS", "SECTIONS"]\n',
            "#: The API sections; ``wacr._checks.<section>`` holds the checks of its operations.",
            f"SECTIONS = {tuple(sections)!r}\n",
            'K = TypeVar("K")\n',
            "\nclass _BySection(Mapping[K, Callable[[Any], bool]]):",
            '    """One table of every section\'s module, a module imported when first asked for."""\n',
            "    def __init__(self, table: str, section: Callable[[K], str]) -> None:",
            "        self._table = table",
            "        self._section = section\n",
            "    def _of(self, section: str) -> Mapping[K, Callable[[Any], bool]]:",
            '        module = importlib.import_module(f"wacr._checks.{section}")',
            "        table: Mapping[K, Callable[[Any], bool]] = getattr(module, self._table)",
            "        return table\n",
            "    def __getitem__(self, key: K) -> Callable[[Any], bool]:",
            "        section = self._section(key)",
            "        if section not in SECTIONS:",
            "            raise KeyError(key)",
            "        return self._of(section)[key]\n",
            "    def __iter__(self) -> Iterator[K]:",
            "        for section in SECTIONS:",
            "            yield from self._of(section)\n",
            "    def __len__(self) -> int:",
            "        return sum(len(self._of(section)) for section in SECTIONS)\n",
            "\ndef _of_operation(op_id: str) -> str:",
            '    return op_id.split("_", 1)[0]\n',
            "\ndef _of_parameter(key: tuple[str, str]) -> str:",
            '    return key[0].split("_", 1)[0]\n',
            "\n#: The check of each operation's request body, by operation id.",
            'BODIES: Mapping[str, Callable[[Any], bool]] = _BySection("BODIES", _of_operation)',
            "#: The check of each path and query parameter, by operation id and parameter name.",
            "PARAMETERS: Mapping[tuple[str, str], Callable[[Any], bool]] = _BySection(",
            '    "PARAMETERS", _of_parameter',
            ")\n",
        ]
    )


def module(ops: list[dict[str, Any]], header: str) -> str:
    """The source of one section's module of ``wacr._checks`` for its operations."""
    emit = _Emitter()
    bodies: list[str] = []
    params: list[str] = []
    for op in ops:
        op_id = op["operation_id"]
        if op["body"] is not None:
            bodies.append(f"    {op_id!r}: {emit.body_function(op['body'], f'body_{op_id}')},")
        for where in ("path_params", "query"):
            for param, schema in op[where].items():
                check = emit.value_function(schema, f"{op_id}__{_identifier(param)}")
                params.append(f"    ({op_id!r}, {param!r}): {check},")
    parts = [
        header,
        "from __future__ import annotations\n",
        "import re\nfrom collections.abc import Callable, Mapping\nfrom typing import Any\n",
        "from wacr._validate import EMAIL, is_http_url\n",
        '__all__ = ["BODIES", "PARAMETERS"]\n',
        "\n".join(emit.constants) + "\n",
        "\n\n".join(emit.functions),
        "#: The check of each operation's request body, by operation id.",
        "BODIES: dict[str, Callable[[Mapping[str, Any]], bool]] = {\n" + "\n".join(bodies) + "\n}\n",
        "#: The check of each path and query parameter, by operation id and parameter name.",
        "PARAMETERS: dict[tuple[str, str], Callable[[Any], bool]] = {\n" + "\n".join(params) + "\n}\n",
    ]
    return "\n".join(parts)
