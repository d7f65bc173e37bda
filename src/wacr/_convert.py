"""The one cattrs converter: JSON data <-> the generated attrs models.

Configured once, at import:

* wire names come from ``attrs.field(metadata={"json": "<wire name>"})``;
* unknown keys are ignored (the server may add fields at any time);
* primitives are strict: ``"false"`` is not ``True``, ``"5"`` is not ``5``, ``5.7`` is not an
  int, ``True`` is not an int, and only a ``str`` is a ``str``; an int is accepted (and
  converted) for a float field;
* datetimes accept ISO 8601 with ``Z`` or an offset and fractions of any length (also on
  Python 3.10) and always come back tz-aware (naive means UTC);
* :class:`~wacr.models._base.OpenEnum` fields keep values the spec does not list yet;
* unstructuring writes wire names and leaves out fields equal to their default (``None``).

Speed: cattrs' generated structuring code calls a hook for every field and gathers the
optional ones in a dict; on a page of response models (many optional JSON-native fields) that
is about 2x the bare attrs constructor. So every generated model also has a *fast path*,
emitted at build time by codegen/structure.py into ``wacr.models._structure``: JSON-native
fields are read and type-checked inline, other fields go through the converter's hooks, and
(when ``__init__`` would only store its arguments) the instance is filled by slot stores
instead of a 20-keyword call. When anything on the fast path fails,
cattrs' own detailed-validation function structures the same data again and raises its
``ClassValidationError``, which carries the path of each bad field. Both paths run the same
checks, so the fast path never accepts what the detailed one would reject.
"""

from __future__ import annotations

import enum
import re
import sys
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timezone
from typing import Any, TypeVar

import attrs
import orjson
from cattrs import override
from cattrs.cols import list_structure_factory
from cattrs.errors import (
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn
from cattrs.preconf.orjson import make_converter

from wacr._response import ResponseInfo
from wacr.errors import InvalidResponseError
from wacr.models._base import Model, OpenEnum

__all__ = [
    "converter",
    "dumps",
    "invalid_response_error",
    "structure",
    "structure_response",
    "unstructure",
]

T = TypeVar("T")

_NONE_TYPE = type(None)
_UNION_TYPES: tuple[Any, ...] = (typing.Union, types.UnionType)

#: The converter (exposed for the rare caller that needs cattrs' own API).
converter = make_converter(forbid_extra_keys=False)


class _WrongType(TypeError):
    """A value of the wrong JSON type; ``expected`` names what the field takes."""

    def __init__(self, expected: str, value: Any) -> None:
        super().__init__(f"expected {expected}, got {_describe_value(value)}")
        self.expected = expected


# --- primitives -----------------------------------------------------------------------------


def _structure_str(value: Any, cl: Any) -> Any:
    if value.__class__ is str:
        return value if cl is str else cl(value)
    raise _WrongType("string", value)


def _structure_int(value: Any, cl: Any) -> Any:
    if value.__class__ is int:
        return value if cl is int else cl(value)
    raise _WrongType("integer", value)


def _structure_float(value: Any, _: Any) -> float:
    cls = value.__class__
    if cls is float:
        return value  # type: ignore[no-any-return]
    if cls is int:
        return float(value)
    raise _WrongType("number", value)


def _structure_bool(value: Any, _: Any) -> bool:
    if value.__class__ is bool:
        return bool(value)
    raise _WrongType("boolean", value)


def _passthrough(value: Any, _: Any) -> Any:
    return value


def _structure_object(value: Any, _: Any) -> Any:
    if value.__class__ is dict:
        return value
    raise _WrongType("object", value)


def _structure_array(value: Any, _: Any) -> Any:
    if value.__class__ is list:
        return value
    raise _WrongType("array", value)


# --- datetimes --------------------------------------------------------------------------------

_UTC = timezone.utc
if sys.version_info >= (3, 11):
    _fromisoformat = datetime.fromisoformat
else:  # pragma: no cover - Python 3.10

    def _fromisoformat(text: str) -> datetime:
        # 3.10 rejects "Z", the form the API uses most; the fallback parser handles the rest.
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        return datetime.fromisoformat(text)


# ISO 8601 in the shapes Python 3.10's fromisoformat rejects: "Z", fractions that are not 3
# or 6 digits long, offsets without a colon.
_ISO_RE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<time>\d{2}(?::\d{2}(?::\d{2})?)?)(?:[.,](?P<frac>\d+))?)?"
    r"\s*(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?"
)


def _parse_datetime_fallback(text: str) -> datetime:
    """Parse the ISO 8601 forms that ``datetime.fromisoformat`` rejects on older Pythons."""
    match = _ISO_RE.fullmatch(text.strip())
    if match is None:
        raise _WrongType("datetime (ISO 8601)", text)
    clock = match["time"] or "00:00:00"
    clock += ":00" * (2 - clock.count(":"))
    frac = match["frac"]
    if frac:
        clock += "." + frac[:6].ljust(6, "0")
    tz = match["tz"]
    if tz is None:
        offset = ""
    elif tz in "Zz":
        offset = "+00:00"
    else:
        digits = tz[1:].replace(":", "")
        offset = f"{tz[0]}{digits[:2]}:{digits[2:4] or '00'}"
    try:
        return _fromisoformat(f"{match['date']}T{clock}{offset}")
    except ValueError:
        raise _WrongType("datetime (ISO 8601)", text) from None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=_UTC)


def _structure_datetime(value: Any, _: Any) -> datetime:
    if value.__class__ is str:
        try:
            parsed = _fromisoformat(value)  # the fast path; C code
        except ValueError:
            parsed = _parse_datetime_fallback(value)
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=_UTC)
    if isinstance(value, datetime):
        return _aware(value)
    raise _WrongType("datetime (ISO 8601)", value)


def _structure_date(value: Any, _: Any) -> date:
    if value.__class__ is str:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return _structure_datetime(value, datetime).date()
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise _WrongType("date (ISO 8601)", value)


def _unstructure_datetime(value: datetime) -> datetime:
    # orjson writes datetimes itself (RFC 3339); only make sure a naive one means UTC.
    return _aware(value)


# --- enums --------------------------------------------------------------------------------


def _structure_enum(value: Any, cl: Any) -> Any:
    try:
        return cl._value2member_map_[value]  # the documented values: one dict lookup
    except (KeyError, TypeError):
        pass
    try:
        return cl(value)  # OpenEnum builds a pseudo-member for a new server value
    except ValueError:
        raise _WrongType(cl.__name__, value) from None


# --- Optional[X] ----------------------------------------------------------------------------


def _optional_inner(tp: Any) -> Any | None:
    """``X`` for ``X | None`` / ``Optional[X]``, else ``None``."""
    if typing.get_origin(tp) in _UNION_TYPES:
        args = typing.get_args(tp)
        if len(args) == 2 and _NONE_TYPE in args:
            return args[0] if args[1] is _NONE_TYPE else args[1]
    return None


def _optional_factory(tp: Any) -> Callable[[Any, Any], Any]:
    inner = _optional_inner(tp)
    handler = converter.get_structure_hook(inner)

    def structure_optional(value: Any, _: Any) -> Any:
        return None if value is None else handler(value, inner)

    return structure_optional


# --- unions of JSON-native types (int | str, dict | list, ...) -------------------------------


def _native_classes(tp: Any) -> frozenset[type] | None:
    """The classes a union of JSON-native types accepts, or ``None`` for another union."""
    if typing.get_origin(tp) not in _UNION_TYPES:
        return None
    classes: set[type] = set()
    for member in typing.get_args(tp):
        if member is _NONE_TYPE or member in (str, int, float, bool):
            classes.add(member)
        elif _is_any_mapping(member):
            classes.add(dict)
        elif _is_list(member) and typing.get_args(member) in ((), (Any,)):
            classes.add(list)
        else:
            return None
    return frozenset(classes)


def _native_union_factory(tp: Any) -> Callable[[Any, Any], Any]:
    allowed = _native_classes(tp)
    assert allowed is not None
    expected = " or ".join(sorted(_JSON_NAMES[c] for c in allowed))
    # An int is a valid float (as for a float field), and becomes one.
    int_to_float = float in allowed and int not in allowed

    def structure_native_union(value: Any, _: Any) -> Any:
        cls = value.__class__
        if cls in allowed:
            return value
        if cls is int and int_to_float:
            return float(value)
        raise _WrongType(expected, value)

    return structure_native_union


_JSON_NAMES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    dict: "object",
    list: "array",
    _NONE_TYPE: "null",
}


# --- lists ------------------------------------------------------------------------------------


def _is_list(tp: Any) -> bool:
    return tp is list or typing.get_origin(tp) is list


def _list_factory(tp: Any) -> Callable[[Any, Any], Any]:
    args = typing.get_args(tp)
    elem = args[0] if args else Any
    if elem is Any:
        return _structure_array
    handler = converter.get_structure_hook(elem)
    # cattrs' list hook tracks the index of each element for the error path; keep it for
    # the error case and use a plain comprehension when everything is fine.
    detailed = list_structure_factory(tp, converter)

    def structure_list(value: Any, _: Any) -> list[Any]:
        if value.__class__ is list:
            try:
                return [handler(item, elem) for item in value]
            except Exception:
                pass  # the detailed pass below finds and reports the bad element
        elif not isinstance(value, (list, tuple)):
            raise _WrongType("array", value)
        return detailed(value, tp)  # type: ignore[no-any-return]

    return structure_list


def _is_any_mapping(tp: Any) -> bool:
    if tp is dict:
        return True
    if typing.get_origin(tp) is not dict:
        return False
    args = typing.get_args(tp)
    return len(args) == 2 and args[1] is Any and args[0] in (str, Any)


# --- attrs classes: wire names, fast path -------------------------------------------------


def _renames(cls: type) -> dict[str, Any]:
    return {a.name: override(rename=a.metadata["json"]) for a in attrs.fields(cls) if "json" in a.metadata}


def _wire_names(cls: Any) -> dict[str, str]:
    if not attrs.has(cls):
        return {}
    return {a.name: a.metadata.get("json", a.name) for a in attrs.fields(cls)}


# Classes whose hooks are being generated right now, each with a cell that receives the
# finished hook: a model that contains itself gets a forwarder to that cell.
_in_progress: dict[Any, list[Callable[..., Any]]] = {}
# cattrs' detailed function of each model class, for the generated fast path's mismatches.
_detailed: dict[Any, Callable[[Any, Any], Any]] = {}


class _Hooks(dict[Any, Callable[[Any, Any], Any]]):
    """The converter's hook of each type, looked up on first use (for the generated fast path)."""

    def __missing__(self, tp: Any) -> Callable[[Any, Any], Any]:
        hook = self[tp] = converter.get_structure_hook(tp)
        return hook


def _structure_detailed(obj: Any, cls: Any) -> Any:
    return _detailed[cls](obj, cls)


def _fast_path(cls: Any) -> Callable[[Any, Any], Any] | None:
    """The generated fast structuring of a model class (codegen/structure.py), if it has one."""
    from wacr.models import _structure

    if _structure.detailed is not _structure_detailed:
        _structure.hooks = _Hooks()
        _structure.detailed = _structure_detailed
    return _structure.STRUCTURERS.get(cls)


def _attrs_structure_factory(cls: Any) -> Callable[..., Any]:
    if typing.get_origin(cls) is not None or bool(getattr(cls, "__parameters__", None)):
        # Generic classes: cattrs resolves the type variables.
        return make_dict_structure_fn(cls, converter, **_renames(typing.get_origin(cls) or cls))
    pending = _in_progress.get(cls)
    if pending is not None:  # cls contains itself: forward to the hook being built
        return lambda obj, cl: pending[0](obj, cl)
    cell: list[Callable[..., Any]] = []
    _in_progress[cls] = cell
    try:
        cattrs_fn = make_dict_structure_fn(cls, converter, **_renames(cls))

        def detailed(obj: Any, cl: Any) -> Any:
            if not isinstance(obj, Mapping):
                raise _WrongType("object", obj)
            return cattrs_fn(obj, cl)

        _detailed[cls] = detailed
        hook = _fast_path(cls) or detailed
        cell.append(hook)
        return hook
    finally:
        del _in_progress[cls]


def _attrs_unstructure_factory(cls: Any) -> Callable[[Any], dict[str, Any]]:
    return make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True, **_renames(cls))


def _configure() -> None:
    c = converter
    # Class hooks go through singledispatch, so an enum (a str subclass) needs its own entry
    # to win over the str hook.
    c.register_structure_hook(str, _structure_str)
    c.register_structure_hook(int, _structure_int)
    c.register_structure_hook(float, _structure_float)
    c.register_structure_hook(bool, _structure_bool)
    c.register_structure_hook(enum.Enum, _structure_enum)
    c.register_structure_hook(OpenEnum, _structure_enum)
    c.register_structure_hook(datetime, _structure_datetime)
    c.register_structure_hook(date, _structure_date)
    c.register_unstructure_hook(datetime, _unstructure_datetime)
    c.register_structure_hook_func(lambda t: t is Any or t is object, _passthrough)
    c.register_structure_hook_func(_is_any_mapping, _structure_object)
    c.register_structure_hook_factory(_is_list, _list_factory)
    c.register_structure_hook_factory(lambda t: _optional_inner(t) is not None, _optional_factory)
    c.register_structure_hook_factory(lambda t: _native_classes(t) is not None, _native_union_factory)
    c.register_structure_hook_factory(attrs.has, _attrs_structure_factory)
    c.register_unstructure_hook_factory(attrs.has, _attrs_unstructure_factory)


_configure()


# --- public helpers ---------------------------------------------------------------------------


def structure(data: Any, cls: type[T]) -> T:
    """Turn parsed JSON into ``cls`` (a model, ``list[Model]``, ...).

    Raises cattrs' validation errors (or ``TypeError``/``ValueError`` for a bare value); use
    :func:`structure_response` to get an :class:`~wacr.errors.InvalidResponseError` instead.
    """
    return converter.structure(data, cls)


def unstructure(obj: Any) -> Any:
    """Turn a model into JSON-ready data: wire names, fields equal to their default omitted."""
    return converter.unstructure(obj)


def dumps(obj: Any) -> bytes:
    """Encode a model (or plain data) as JSON bytes, as :func:`unstructure` shapes it."""
    return orjson.dumps(converter.unstructure(obj))


# The hook of each result type, looked up once (a dict hit instead of cattrs' dispatch on every
# call): a hook registered on `converter` for a result type must come before its first call,
# as it must for the types nested in a model anyway (their hooks are built into the model's).
response_hooks: dict[Any, Callable[[Any, Any], Any]] = {}


def structure_response(data: Any, cls: type[T], info: ResponseInfo | None = None, *, path: str = "data") -> T:
    """Structure the ``data`` of a response; a mismatch raises ``InvalidResponseError``.

    A :class:`~wacr.models._base.Model` result gets ``info`` as its ``response``.
    """
    hook = response_hooks.get(cls)
    if hook is None:
        hook = response_hooks[cls] = converter.get_structure_hook(cls)
    try:
        result: T = hook(data, cls)
    except Exception as exc:
        raise invalid_response_error(exc, path=path, info=info) from exc
    if info is not None and isinstance(result, Model):
        object.__setattr__(result, "_response", info)  # works on frozen models too
    return result


def invalid_response_error(
    exc: BaseException, *, path: str = "data", info: ResponseInfo | None = None
) -> InvalidResponseError:
    """Describe a structuring failure as ``InvalidResponseError`` naming each bad wire path.

    ``path`` is where the structured value sat in the body, e.g.
    ``data.items[3].created_at: expected datetime (ISO 8601), got 'yesterday'``.
    """
    problems = list(_problems(exc, path, None))
    what = "field" if len(problems) == 1 else "fields"
    error = InvalidResponseError(
        f"response does not match the API schema ({len(problems)} bad {what})",
        problems=problems,
    )
    if info is not None:
        error.status, error.request_id = info.status, info.request_id
        error.method, error.url = info.method, info.url
    return error


def _problems(exc: BaseException, path: str, tp: Any) -> Iterator[str]:
    if isinstance(exc, ClassValidationError):
        wire = _wire_names(exc.cl)
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            yield from _problems(sub, f"{path}.{wire.get(note.name, note.name)}", note.type)
        for sub in without:
            yield from _problems(sub, path, exc.cl)
    elif isinstance(exc, IterableValidationError):
        with_notes_i, without_i = exc.group_exceptions()
        for sub, inote in with_notes_i:
            yield from _problems(sub, f"{path}[{inote.index!r}]", inote.type)
        for sub in without_i:
            yield from _problems(sub, path, None)
    elif isinstance(exc, BaseValidationError):
        for sub in exc.exceptions:
            yield from _problems(sub, path, tp)
    else:
        yield f"{path}: {_describe_error(exc, tp)}"


def _describe_error(exc: BaseException, tp: Any) -> str:
    if isinstance(exc, _WrongType):
        return str(exc)
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unexpected fields {sorted(exc.extra_fields)}"
    expected = _type_name(tp) if tp is not None else "a valid value"
    return f"expected {expected} ({type(exc).__name__}: {exc})"


def _type_name(tp: Any) -> str:
    inner = _optional_inner(tp)
    if inner is not None:
        return f"{_type_name(inner)} or null"
    if isinstance(tp, type):
        return tp.__name__
    return repr(tp).replace("typing.", "")


def _describe_value(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
