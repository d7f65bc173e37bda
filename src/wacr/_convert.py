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
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
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

from wacr._envelope import invalid
from wacr._json_types import (
    _JSON_NAMES,
    _is_any_mapping,
    _is_list,
    _native_classes,
    _optional_inner,
    _passthrough,
    _structure_array,
    _structure_bool,
    _structure_date,
    _structure_datetime,
    _structure_enum,
    _structure_float,
    _structure_int,
    _structure_object,
    _structure_str,
    _unstructure_datetime,
    _WrongType,
)
from wacr._response import ResponseInfo
from wacr.errors import InvalidResponseError
from wacr.models._base import Model, OpenEnum, give_nested, nested_results

__all__ = [
    "converter",
    "dumps",
    "invalid_response_error",
    "structure",
    "structure_response",
    "unstructure",
]

T = TypeVar("T")


#: The converter (exposed for the rare caller that needs cattrs' own API).
converter = make_converter(forbid_extra_keys=False)


# ISO 8601 in the shapes Python 3.10's fromisoformat rejects: "Z", fractions that are not 3
# or 6 digits long, offsets without a colon.


def _optional_factory(tp: Any) -> Callable[[Any, Any], Any]:
    inner = _optional_inner(tp)
    handler = converter.get_structure_hook(inner)

    def structure_optional(value: Any, _: Any) -> Any:
        return None if value is None else handler(value, inner)

    return structure_optional


# --- unions of JSON-native types (int | str, dict | list, ...) -------------------------------


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


# --- lists ------------------------------------------------------------------------------------


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
        nested = nested_results(type(result))
        if nested:
            give_nested(result, info, nested)
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
    return invalid(
        f"response does not match the API schema ({len(problems)} bad {what})", info, problems=problems
    )


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
