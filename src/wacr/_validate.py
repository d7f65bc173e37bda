"""Check call arguments against the spec's rules before anything is sent.

The rules are the spec's own JSON Schemas, resolved by the codegen step into
``wacr.models._operations`` (a small subset: types, lengths, ranges, patterns, enums, formats,
required and unknown fields, nested arrays and objects, and ``x-required-when``). Nothing
here restates a rule by hand. A broken rule is reported per field, with the field's wire path
(``sections.0.rows.2.title``), in a :class:`wacr.ValidationError` with ``status=None``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

__all__ = ["accepts", "body_check", "check_value", "validate"]

Schema = Mapping[str, Any]
Errors = dict[str, list[str]]

# Deliberately loose: the server is the judge of deliverability; this catches typos such as a
# missing "@" or a space, not exotic but valid addresses.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _is_type(value: object, name: str) -> bool:
    # bool is a subclass of int: it is never accepted where a number is expected.
    if name == "string":
        return isinstance(value, str)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "array":
        return isinstance(value, (list, tuple))
    if name == "object":
        return isinstance(value, Mapping)
    if name == "null":
        return value is None
    return True


def _add(errors: Errors, path: str, message: str) -> None:
    errors.setdefault(path, []).append(message)


def _check_uri(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def check_value(schema: Schema, value: Any, path: str, errors: Errors) -> None:
    """Record in ``errors`` every rule of ``schema`` that ``value`` breaks, under ``path``."""
    expected = schema.get("type")
    if expected is not None:
        names = expected if isinstance(expected, list) else [expected]
        if not any(_is_type(value, name) for name in names):
            wanted = " or ".join(_TYPE_NAMES.get(n, str(n)) for n in names)
            _add(errors, path, f"must be {wanted}, not {type(value).__name__}")
            return
    if value is None:
        return
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        _add(errors, path, f"must be one of {', '.join(map(str, enum))} (got {value!r})")
        return
    if isinstance(value, str):
        _check_string(schema, value, path, errors)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        minimum, maximum = schema.get("minimum"), schema.get("maximum")
        if minimum is not None and value < minimum:
            _add(errors, path, f"must be at least {minimum} (got {value})")
        if maximum is not None and value > maximum:
            _add(errors, path, f"must be at most {maximum} (got {value})")
    elif isinstance(value, (list, tuple)):
        _check_array(schema, value, path, errors)
    elif isinstance(value, Mapping):
        _check_object(schema, value, path, errors)


def _check_string(schema: Schema, value: str, path: str, errors: Errors) -> None:
    min_length, max_length = schema.get("minLength"), schema.get("maxLength")
    if min_length is not None and len(value) < min_length:
        if min_length == 1:
            _add(errors, path, "must not be empty")
        else:
            _add(errors, path, f"must be at least {min_length} characters (got {len(value)})")
    if max_length is not None and len(value) > max_length:
        _add(errors, path, f"must be at most {max_length} characters (got {len(value)})")
        return  # refused already; the pattern and format need not scan megabytes of it
    pattern = schema.get("pattern")
    if pattern is not None and not _regex(pattern).search(value):
        _add(errors, path, f"must match {pattern}")
    fmt = schema.get("format")
    if fmt == "email" and not _EMAIL.match(value):
        _add(errors, path, "must be a valid email address")
    elif fmt == "uri" and not _check_uri(value):
        _add(errors, path, "must be an absolute http(s) URL")


def _check_array(schema: Schema, value: list[Any] | tuple[Any, ...], path: str, errors: Errors) -> None:
    min_items, max_items = schema.get("minItems"), schema.get("maxItems")
    if min_items is not None and len(value) < min_items:
        noun = "item" if min_items == 1 else "items"
        _add(errors, path, f"must have at least {min_items} {noun} (got {len(value)})")
    if max_items is not None and len(value) > max_items:
        _add(errors, path, f"must have at most {max_items} items (got {len(value)})")
    items = schema.get("items")
    if items:
        for index, item in enumerate(value):
            check_value(items, item, f"{path}.{index}", errors)


def _check_object(schema: Schema, value: Mapping[str, Any], path: str, errors: Errors) -> None:
    properties: Mapping[str, Schema] = schema.get("properties", {})
    prefix = f"{path}." if path else ""
    for name in schema.get("required", ()):
        if value.get(name) is None:
            _add(errors, prefix + name, "is required")
    for name, conditions in schema.get("x-required-when", {}).items():
        if value.get(name) is None and all(value.get(k) == v for k, v in conditions.items()):
            when = ", ".join(f"{k} is {v!r}" for k, v in conditions.items())
            _add(errors, prefix + name, f"is required when {when}")
    closed = schema.get("additionalProperties") is False
    for name, item in value.items():
        sub = properties.get(name)
        if sub is None:
            if closed:
                _add(errors, prefix + name, "is not a field of this request")
            continue
        if item is not None:
            check_value(sub, item, prefix + name, errors)


def validate(schema: Schema, value: Mapping[str, Any]) -> Errors:
    """Return the broken rules of a request body or argument set, ``{}`` when it is valid."""
    try:
        if body_check(schema)(value):
            return {}
    except Exception:
        pass  # the full check below reports (or raises) exactly as it always did
    errors: Errors = {}
    _check_object(schema, value, "", errors)
    return errors


# --- compiled checks: the fast path ------------------------------------------------------------
#
# Interpreting a schema (dict lookups for every keyword, on every call) costs more than the rest
# of building a request. Each schema is therefore also compiled, once, into a closure that
# answers one question: "would the checks above record nothing?". A ``True`` skips them; a
# ``False`` (or any exception) runs them to collect the messages. The closures apply exactly
# the rules above, so they never accept what those would reject.

Check = Callable[[Any], bool]


def _never(_: Any) -> bool:
    return False


def _is_str(value: Any) -> bool:
    return value.__class__ is str or isinstance(value, str)


def _is_integer(value: Any) -> bool:
    return value.__class__ is int or (isinstance(value, int) and not isinstance(value, bool))


def _is_number(value: Any) -> bool:
    cls = value.__class__
    return cls is int or cls is float or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_array(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _is_object(value: Any) -> bool:
    return value.__class__ is dict or isinstance(value, Mapping)


def _is_null(value: Any) -> bool:
    return value is None


_TYPE_CHECKS: dict[str, Check] = {
    "string": _is_str,
    "integer": _is_integer,
    "number": _is_number,
    "boolean": _is_bool,
    "array": _is_array,
    "object": _is_object,
    "null": _is_null,
}


def _compile_type(schema: Schema) -> Check | None:
    """The ``type`` rule as a check, or ``None`` when every value passes it."""
    expected = schema.get("type")
    if expected is None:
        return None
    names = expected if isinstance(expected, list) else [expected]
    checks: list[Check] = []
    for name in names:
        check = _TYPE_CHECKS.get(name) if isinstance(name, str) else None
        if check is None:
            return None  # a type name _is_type does not know accepts everything
        checks.append(check)
    if not checks:
        return _never
    if len(checks) == 1:
        return checks[0]
    options = tuple(checks)
    return lambda value: any(check(value) for check in options)


def _compile_string(schema: Schema) -> Check | None:
    min_length, max_length = schema.get("minLength"), schema.get("maxLength")
    pattern, fmt = schema.get("pattern"), schema.get("format")
    if min_length is None and max_length is None and pattern is None and fmt not in ("email", "uri"):
        return None
    regex = None
    if pattern is not None:
        try:
            regex = _regex(pattern)
        except Exception:
            return _never  # the full check reports (or raises) as it always did
    email, uri = fmt == "email", fmt == "uri"

    def check_string(value: str) -> bool:
        size = len(value)
        if min_length is not None and size < min_length:
            return False
        if max_length is not None and size > max_length:
            return False
        if regex is not None and not regex.search(value):
            return False
        if email:
            return _EMAIL.match(value) is not None
        return not (uri and not _check_uri(value))

    return check_string


def _compile_number(schema: Schema) -> Check | None:
    minimum, maximum = schema.get("minimum"), schema.get("maximum")
    if minimum is None and maximum is None:
        return None

    def check_number(value: float) -> bool:
        if minimum is not None and value < minimum:
            return False
        return not (maximum is not None and value > maximum)

    return check_number


def _compile_array(schema: Schema) -> Check | None:
    min_items, max_items, items = schema.get("minItems"), schema.get("maxItems"), schema.get("items")
    item_check = _compile(items) if items else None
    if min_items is None and max_items is None and item_check is None:
        return None

    def check_array(value: list[Any] | tuple[Any, ...]) -> bool:
        size = len(value)
        if min_items is not None and size < min_items:
            return False
        if max_items is not None and size > max_items:
            return False
        if item_check is not None:
            for item in value:
                if not item_check(item):
                    return False
        return True

    return check_array


def _compile_object(schema: Schema) -> Check | None:
    """``_check_object`` as a check, or ``None`` when it never records anything."""
    properties: Mapping[str, Schema] = schema.get("properties", {})
    required = tuple(schema.get("required", ()))
    required_when = tuple(
        (name, tuple(conditions.items())) for name, conditions in schema.get("x-required-when", {}).items()
    )
    closed = schema.get("additionalProperties") is False
    checks = {name: _compile(sub) for name, sub in properties.items()}
    if not (required or required_when or closed or checks):
        return None

    def check_object(value: Mapping[str, Any]) -> bool:
        get = value.get
        for name in required:
            if get(name) is None:
                return False
        for name, conditions in required_when:
            if get(name) is None and all(get(k) == v for k, v in conditions):
                return False
        for name, item in value.items():
            check = checks.get(name)
            if check is None:
                if closed:
                    return False
                continue
            if item is not None and not check(item):
                return False
        return True

    return check_object


def _always(_: Any) -> bool:
    return True


def _compile(schema: Schema) -> Check:
    """``check_value`` as a check: ``True`` exactly when it would record no error."""
    type_check = _compile_type(schema)
    enum = schema.get("enum")
    string_check = _compile_string(schema)
    number_check = _compile_number(schema)
    array_check = _compile_array(schema)
    object_check = _compile_object(schema)
    if (
        type_check is None
        and enum is None
        and string_check is None
        and number_check is None
        and array_check is None
        and object_check is None
    ):
        return _always

    def check_value(value: Any) -> bool:
        if type_check is not None and not type_check(value):
            return False
        if value is None:
            return True
        if enum is not None and value not in enum:
            return False
        if isinstance(value, str):
            return string_check is None or string_check(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return number_check is None or number_check(value)
        if isinstance(value, (list, tuple)):
            return array_check is None or array_check(value)
        if isinstance(value, Mapping):
            return object_check is None or object_check(value)
        return True

    return check_value


# Compiled checks by schema identity; the entry keeps its schema alive so that the id is never
# reused for another one. Schemas are the operation table's constants, so this stays small.
_Cache = dict[int, tuple[Schema, Check]]
_CACHE_LIMIT = 1024
_compiled: _Cache = {}
_compiled_objects: _Cache = {}


def _cached(cache: _Cache, schema: Schema, build: Callable[[Schema], Check]) -> Check:
    entry = cache.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    check = build(schema)
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[id(schema)] = (schema, check)
    return check


def body_check(schema: Schema) -> Check:
    """The compiled check of an object schema (a request body), built once per schema.

    It returns ``True`` exactly when :func:`validate` would find nothing; ``False`` (or an
    exception, on odd input) means: call :func:`validate` for the messages.
    """
    entry = _compiled_objects.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    return _cached(_compiled_objects, schema, _object_check)


def accepts(schema: Schema, value: Any) -> bool:
    """Whether ``value`` keeps every rule of ``schema`` (what :func:`check_value` checks), fast."""
    try:
        return _cached(_compiled, schema, _compile)(value)
    except Exception:
        errors: Errors = {}
        check_value(schema, value, "", errors)
        return not errors


def _object_check(schema: Schema) -> Check:
    """A request body's check: one generated function (the closures above, flattened)."""
    try:
        return _generate_object(schema)
    except Exception:
        return _compile_object(schema) or _always


# The property kinds a generated check handles inline, and the keywords that matter for each
# (check_value ignores the others for such a value).
_INLINE = {
    "string": ("enum", "minLength", "maxLength", "pattern", "format"),
    "integer": ("enum", "minimum", "maximum"),
    "number": ("enum", "minimum", "maximum"),
    "boolean": ("enum",),
}
_INLINE_TYPE_TESTS = {
    "string": "isinstance({v}, str)",
    "integer": "({v}.__class__ is int or (isinstance({v}, int) and not isinstance({v}, bool)))",
    "number": "_is_number({v})",
    "boolean": "isinstance({v}, bool)",
}


def _inline_lines(schema: Schema, var: str, ns: dict[str, Any], n: int) -> list[str]:
    """``check_value(schema, var)`` as statements that ``return False`` on a broken rule."""
    kind = schema.get("type")
    if not isinstance(kind, str) or kind not in _INLINE:
        ns[f"_c{n}"] = _compile(schema)
        return [f"if not _c{n}({var}): return False"]
    lines = [f"if not {_INLINE_TYPE_TESTS[kind].format(v=var)}: return False"]
    enum = schema.get("enum")
    if enum is not None:
        ns[f"_e{n}"] = enum
        lines.append(f"if {var} not in _e{n}: return False")
    if kind == "string":
        for key, op in (("minLength", "<"), ("maxLength", ">")):
            limit = schema.get(key)
            if limit is not None:
                ns[f"_{key[:4]}{n}"] = limit
                lines.append(f"if len({var}) {op} _{key[:4]}{n}: return False")
        pattern, fmt = schema.get("pattern"), schema.get("format")
        if pattern is not None:
            ns[f"_r{n}"] = _regex(pattern).search  # a bad pattern: the closures take over
            lines.append(f"if _r{n}({var}) is None: return False")
        if fmt == "email":
            ns["_EMAIL"] = _EMAIL
            lines.append(f"if _EMAIL.match({var}) is None: return False")
        elif fmt == "uri":
            ns["_check_uri"] = _check_uri
            lines.append(f"if not _check_uri({var}): return False")
    elif kind in ("integer", "number"):
        for key, op in (("minimum", "<"), ("maximum", ">")):
            limit = schema.get(key)
            if limit is not None:
                ns[f"_{key[:3]}{n}"] = limit
                lines.append(f"if {var} {op} _{key[:3]}{n}: return False")
    return lines


def _generate_object(schema: Schema) -> Check:
    """``_check_object`` for one schema as a single generated function."""
    properties: Mapping[str, Schema] = schema.get("properties", {})
    ns: dict[str, Any] = {"_is_number": _is_number, "_props": frozenset(properties)}
    body = ["get = value.get"]
    for name in schema.get("required", ()):
        body.append(f"if get({name!r}) is None: return False")
    for i, (name, conditions) in enumerate(schema.get("x-required-when", {}).items()):
        tests = []
        for j, (key, expected) in enumerate(conditions.items()):
            ns[f"_w{i}_{j}"] = expected
            tests.append(f"get({key!r}) == _w{i}_{j}")
        body.append(f"if get({name!r}) is None and {' and '.join(tests) or 'True'}: return False")
    if schema.get("additionalProperties") is False:
        body += ["for key in value:", "  if key not in _props: return False"]
    for n, (name, sub) in enumerate(properties.items()):
        body.append(f"x = get({name!r})")
        body.append("if x is not None:")
        body += ["  " + line for line in _inline_lines(sub, "x", ns, n)]
    body.append("return True")
    source = "def check_object(value):\n" + "".join(f"  {line}\n" for line in body)
    exec(compile(source, "<wacr request check>", "exec"), ns)
    return ns["check_object"]  # type: ignore[no-any-return]
