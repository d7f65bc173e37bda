"""Emit ``src/wacr/models/_structure.py``: the fast structuring function of every generated model.

cattrs' own generated functions call a hook for every field; on a page of response models that
is about twice the bare attrs constructor. Each function emitted here reads a model's fields
from a parsed JSON object, checks the JSON-native ones inline (a ``str`` field takes only a
``str``, an ``int`` field only an ``int``, ...), hands the others (datetimes, enums, nested
models) to the converter's hooks, and fills the instance. On any mismatch it returns what the
converter's detailed path (cattrs' generated function, which words the error) makes of the
same object, so both paths accept exactly the same data. ``wacr._convert`` installs ``hooks``
and ``detailed`` in the emitted module before its first use.
"""

from __future__ import annotations

import enum
import importlib.util
import sys
import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

DOC = "Fast structuring of every generated model from parsed JSON (see codegen/structure.py)."

_NONE = type(None)
_UNIONS: tuple[Any, ...] = (typing.Union, types.UnionType)
_CLASS_TESTS = {str: "str", int: "int", bool: "bool", dict: "dict", list: "list"}


def load_models(path: Path) -> types.ModuleType:
    """Import a freshly generated models file (not the installed one) to read its classes."""
    name = "_wacr_codegen_models"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _optional_inner(tp: Any) -> Any | None:
    if typing.get_origin(tp) in _UNIONS:
        args = typing.get_args(tp)
        if len(args) == 2 and _NONE in args:
            return args[0] if args[1] is _NONE else args[1]
    return None


def _is_any_mapping(tp: Any) -> bool:
    if tp is dict:
        return True
    args = typing.get_args(tp)
    return typing.get_origin(tp) is dict and len(args) == 2 and args[1] is Any and args[0] in (str, Any)


def _is_list(tp: Any) -> bool:
    return tp is list or typing.get_origin(tp) is list


def _native_classes(tp: Any) -> frozenset[type] | None:
    """The classes a union of JSON-native types accepts (as ``wacr._convert`` reads it)."""
    if typing.get_origin(tp) not in _UNIONS:
        return None
    classes: set[type] = set()
    for member in typing.get_args(tp):
        if member is _NONE or member in (str, int, float, bool):
            classes.add(member)
        elif _is_any_mapping(member):
            classes.add(dict)
        elif _is_list(member) and typing.get_args(member) in ((), (Any,)):
            classes.add(list)
        else:
            return None
    return frozenset(classes)


def _init_is_plain(cls: Any) -> bool:
    """Whether attrs' ``__init__`` only stores its arguments (then slot stores build the object)."""
    init_code = getattr(cls.__init__, "__code__", None)
    return (
        init_code is not None
        and init_code.co_filename.startswith("<attrs generated")
        and cls.__setattr__ is object.__setattr__
        and not hasattr(cls, "__attrs_pre_init__")
        and not hasattr(cls, "__attrs_post_init__")
        and not hasattr(cls, "_attrs_cached_hash")
        and all(a.validator is None and a.converter is None for a in attrs.fields(cls))
    )


class _Emitter:
    def __init__(self, models: types.ModuleType, index: dict[str, str]) -> None:
        self.models = models
        self.index = index  # definition name -> its section module (codegen/sections.py)
        self.used: set[str] = set()  # the section modules this one refers to
        self.types: dict[str, str] = {}  # rendered type -> constant name
        self.extra: list[str] = []
        self.functions: list[str] = []
        self.table: list[str] = []

    def render(self, tp: Any) -> str:
        if tp is _NONE:
            return "None"
        if tp is Any:
            return "Any"
        origin = typing.get_origin(tp)
        if origin in _UNIONS:
            return " | ".join(self.render(arg) for arg in typing.get_args(tp))
        if origin is typing.Literal:
            return f"Literal[{', '.join(repr(arg) for arg in typing.get_args(tp))}]"
        if origin is not None:
            return f"{origin.__name__}[{', '.join(self.render(arg) for arg in typing.get_args(tp))}]"
        if getattr(tp, "__module__", None) == self.models.__name__:
            return self.ref(tp.__qualname__)
        if tp.__module__ == "datetime":
            return f"_dt.{tp.__name__}"
        if tp.__module__ == "builtins":
            return str(tp.__name__)
        raise ValueError(f"no rendering for {tp!r}")

    def ref(self, name: str) -> str:
        section = self.index[name]
        self.used.add(section)
        return f"{section}.{name}"

    def constant(self, tp: Any) -> str:
        text = self.render(tp)
        name = self.types.get(text)
        if name is None:
            name = self.types[text] = f"_T{len(self.types)}"
        return name

    def members(self, key: str) -> str:
        name = f"_MEMBERS{key[2:]}"
        line = f"{name}: dict[Any, Any] = {key}._value2member_map_"
        if line not in self.extra:
            self.extra.append(line)
        return name

    def check(self, v: str, tp: Any) -> list[str]:
        """Statements that check (or convert) ``v`` in place; a mismatch raises ``_Mismatch``."""
        if tp is Any or tp is object:
            return []
        if _is_any_mapping(tp):
            tp = dict
        elif _is_list(tp):
            args = typing.get_args(tp)
            elem = args[0] if args else Any
            if elem is Any:
                tp = list
            else:
                allowed = frozenset((elem,)) if elem in (str, int, bool) else _native_classes(elem)
                if allowed is not None and float not in allowed:
                    classes = ", ".join(sorted(c.__name__ if c is not _NONE else "_NONE" for c in allowed))
                    return [
                        f"if {v}.__class__ is not list:",
                        "    raise _Mismatch",
                        f"for x in {v}:",
                        f"    if x.__class__ not in ({classes},):",
                        "        raise _Mismatch",
                    ]
        if tp in _CLASS_TESTS:
            return [f"if {v}.__class__ is not {_CLASS_TESTS[tp]}:", "    raise _Mismatch"]
        native = _native_classes(tp)
        if native is not None and not (float in native and int not in native):
            classes = ", ".join(sorted(c.__name__ if c is not _NONE else "_NONE" for c in native))
            return [f"if {v}.__class__ not in ({classes},):", "    raise _Mismatch"]
        if tp is float:
            return [
                f"if {v}.__class__ is not float:",
                f"    if {v}.__class__ is not int:",
                "        raise _Mismatch",
                f"    {v} = float({v})",
            ]
        if tp is datetime:
            naive = [f"if {v}.tzinfo is None:", f"    {v} = {v}.replace(tzinfo=_UTC)"]
            return [f"{v} = _fromisoformat({v})", *naive]
        key = self.constant(tp)
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            # The member for a known value without a call; a new value goes through the hook.
            return [
                f"x = {self.members(key)}.get({v})",
                f"{v} = x if x is not None else _hub.hooks[{key}]({v}, {key})",
            ]
        return [f"{v} = _hub.hooks[{key}]({v}, {key})"]

    def model(self, cls: Any) -> None:
        fields = attrs.fields(cls)
        if any(not a.init or getattr(a.default, "takes_self", False) for a in fields):
            return
        hints = typing.get_type_hints(cls)
        name = cls.__qualname__
        ref = self.ref(name)
        body: list[str] = ["if o.__class__ is not dict:", "    raise _Mismatch", "get = o.get"]
        for n, a in enumerate(fields):
            tp = hints.get(a.name, Any)
            key = a.metadata.get("json", a.name)
            inner = _optional_inner(tp)
            nullable = inner is not None
            tp = inner if inner is not None else tp
            v = f"v{n}"
            lines = self.check(v, tp)
            if a.default is attrs.NOTHING:
                body.append(f"{v} = o[{key!r}]")
            elif a.default is None:
                body.append(f"{v} = get({key!r})")  # absent and null are the same here
                nullable = True
            else:
                factory = isinstance(a.default, _FACTORY)
                default = f"{a.default.factory.__name__}()" if factory else repr(a.default)
                body += [f"if {key!r} not in o:", f"    {v} = {default}", "else:", f"    {v} = o[{key!r}]"]
                if lines and nullable:
                    lines = [f"if {v} is not None:", *("    " + x for x in lines)]
                body += ["    " + x for x in lines]
                continue
            if lines and nullable:
                lines = [f"if {v} is not None:", *("    " + x for x in lines)]
            body += lines
        if _init_is_plain(cls):
            body.append(f"obj = _new({ref})")
            body += [f"obj.{a.name} = v{n}" for n, a in enumerate(fields)]
            body.append("return obj")
        else:
            body.append(f"return {ref}({', '.join(f'{a.alias}=v{n}' for n, a in enumerate(fields))})")
        function = f"structure_{name}"
        self.functions.append(
            f"def {function}(o: Any, _: Any = None) -> {ref}:\n"
            "    try:\n"
            + "".join(f"        {x}\n" for x in body)
            + "    except Exception:\n"
            + f"        return _hub._mismatch(o, {ref})  # type: ignore[no-any-return]\n"
        )
        self.table.append(f"    {ref}: {function},")


_FACTORY: type = type(attrs.Factory(list))


def modules(models: types.ModuleType, index: dict[str, str], header: str) -> dict[str, str]:
    """The sources of the ``wacr.models._structure`` package: its hub (``__init__``: the hooks
    the converter installs and the lazy table) and one module per section of ``index``."""
    emitters: dict[str, _Emitter] = {}
    for value in vars(models).values():
        ours = isinstance(value, type) and attrs.has(value) and value.__module__ == models.__name__
        if ours and not getattr(value, "__parameters__", None):
            section = index[value.__qualname__]
            emitter = emitters.setdefault(section, _Emitter(models, index))
            emitter.model(value)
    out = {"__init__": _hub(header, sorted(emitters))}
    for section, emit in sorted(emitters.items()):
        constants = [f"{name} = {text}" for text, name in emit.types.items()] + emit.extra
        uses = ", ".join(sorted(emit.used))
        parts = [
            header,
            "from __future__ import annotations\n",
            "import datetime as _dt\n",
            "from typing import Any, Literal\n",
            "import wacr.models._structure as _hub",
            f"from wacr.models._generated import {uses}",
            "from wacr.models._structure import _UTC, Hook, _fromisoformat, _Mismatch, _new\n",
            '__all__ = ["STRUCTURERS"]\n',
            "_NONE = type(None)",
            *constants,
            "\n\n" + "\n\n".join(emit.functions),
            "#: The fast structuring function of each model class of this section.",
            "STRUCTURERS: dict[type, Hook] = {\n" + "\n".join(emit.table) + "\n}\n",
        ]
        out[section] = "\n".join(parts)
    return out


def _hub(header: str, sections: list[str]) -> str:
    modules = {f"wacr.models._generated.{s}": f"wacr.models._structure.{s}" for s in sections}
    return "\n".join(
        [
            header,
            "from __future__ import annotations\n",
            "import datetime as _dt\nimport importlib\nimport sys\n",
            "from collections.abc import Callable\nfrom typing import Any\n",
            '__all__ = ["STRUCTURERS", "Hook", "detailed", "hooks"]\n',
            "Hook = Callable[[Any, Any], Any]\n_new = object.__new__\n",
            "_UTC = _dt.timezone.utc\n",
            "\nif sys.version_info >= (3, 11):  # it reads every ISO 8601 form the converter's parser does\n"
            "    _fromisoformat = _dt.datetime.fromisoformat\n"
            "else:  # pragma: no cover - Python 3.10\n\n"
            "    def _fromisoformat(text: Any) -> _dt.datetime:\n"
            "        return hooks[_dt.datetime](text, _dt.datetime)  # type: ignore[no-any-return]\n",
            "\nclass _Mismatch(Exception):\n"
            '    """A field that the fast path does not take as it is: the detailed path decides."""\n',
            "\n# Until wacr._convert installs its own (when it builds its first model hook), the hooks",
            "# load it on first use: a call whose answer fits the fast path needs no cattrs.",
            "class _ConverterHooks(dict[Any, Hook]):",
            '    """The converter\'s hook of each type, the converter loaded on first use."""\n',
            "    def __missing__(self, tp: Any) -> Hook:",
            "        from wacr import _convert\n",
            "        hook: Hook = _convert.converter.get_structure_hook(tp)",
            "        self[tp] = hook",
            "        return hook\n",
            "\ndef _unset(o: Any, cls: Any) -> Any:\n"
            '    raise RuntimeError("wacr._convert installs it with its first model hook")\n',
            "\n#: The converter's hook of each non-native field type (``wacr._convert`` installs its own).",
            "hooks: dict[Any, Hook] = _ConverterHooks()",
            "#: The converter's detailed structuring, which words what is wrong (installed likewise).",
            "detailed: Hook = _unset\n",
            "\ndef _mismatch(o: Any, cls: Any) -> Any:",
            '    """What the fast path does with an object it does not take: the detailed path."""',
            "    from wacr import _convert\n",
            "    # The converter's hook of cls, built once, comes with cls's detailed function.",
            "    _convert.converter.get_structure_hook(cls)",
            "    return detailed(o, cls)\n",
            "#: The structuring module of each models module (one per API section).",
            f"_MODULES: dict[str, str] = {modules!r}\n",
            "\nclass _Structurers(dict[type, Hook]):",
            '    """The fast function of every model class, loaded a section at a time."""\n',
            "    def __missing__(self, cls: type) -> Hook:",
            "        module = _MODULES.pop(getattr(cls, '__module__', ''), None)",
            "        if module is None:",
            "            raise KeyError(cls)",
            "        self.update(importlib.import_module(module).STRUCTURERS)",
            "        return dict.__getitem__(self, cls)\n",
            "    def get(self, cls: type, default: Any = None) -> Any:",
            "        try:",
            "            return self[cls]",
            "        except KeyError:",
            "            return default\n",
            "\n#: The fast structuring function of each model class (``wacr._convert`` reads it).",
            "STRUCTURERS: dict[type, Hook] = _Structurers()\n",
        ]
    )
