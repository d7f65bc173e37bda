"""The rules of argument values that the spec's schemas leave to the client, and the query check.

What counts as a list (:func:`is_list`), what text is an integer (:func:`integer_text`) and the
integer range (the int64 of the spec's path ids), used by the query arguments
(:func:`query_params`, which ``Resource._query`` runs), the path ids and the escape hatches
(``resources/_options.py``). Every refusal is worded here or by ``wacr._validate``; nothing is
converted to fit.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence, Set
from typing import TYPE_CHECKING, Any

from wacr._operations import OPERATIONS
from wacr._query import LIST_OPERATORS, LIST_PARAMETERS, build_query, key_text
from wacr._validate import accepts, check_value
from wacr.errors import ValidationError

if TYPE_CHECKING:
    from wacr._operation import Operation

__all__ = [
    "INT_MAX",
    "INT_MIN",
    "MAX_DEPTH",
    "NOT_UTF8",
    "beyond_int64",
    "check_integer",
    "integer_text",
    "is_list",
    "is_utf8",
    "query_params",
]

Errors = dict[str, list[str]]

#: The integer range of the API: the spec's bound of every path id (``components.parameters.Id``
#: in openapi/wacr-v2.yaml, int64), for the integers the spec gives no bound of their own.
INT_MAX: int = max(op.path_params["id"]["maximum"] for op in OPERATIONS.values() if "id" in op.path_params)
INT_MIN: int = -INT_MAX - 1

#: How deep an argument is walked: deeper than any body of the spec (6 levels), far from the
#: interpreter's recursion limit (orjson's own stops at 254).
MAX_DEPTH = 64

# The integer text the API reads (testing/_query.py, PHP's FILTER_VALIDATE_INT): ASCII digits
# with an optional "-"; no "+", spaces, "_" or other scripts' digits, which `int()` takes.
_INTEGER = re.compile(r"-?[0-9]+")
_DIGITS = len(str(INT_MAX))
# Text that is bytes (or a view of them) is a Sequence of ints, never a list of values.
_NOT_LISTS = (str, bytes, bytearray, memoryview)

#: The rule a text with a lone surrogate breaks (it cannot be sent as UTF-8).
NOT_UTF8 = "must be valid Unicode text (it has a lone surrogate)"


def is_utf8(text: str) -> bool:
    """Whether ``text`` can be sent (a lone surrogate cannot be encoded as UTF-8)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def is_list(value: Any) -> bool:
    """Whether ``value`` is taken where the spec has a list: a list, a tuple or another ordered
    ``Sequence`` (``range``, ``deque``); not text or bytes, and not a set, a generator, an
    iterator or a dict view, whose order is arbitrary or which a read would use up."""
    if value.__class__ is list or value.__class__ is tuple:
        return True
    return isinstance(value, Sequence) and not isinstance(value, _NOT_LISTS)


def integer_text(text: str) -> int | None:
    """The integer that ``text`` is in the API's form, ``None`` when it is not one; an integer
    beyond int64 comes back as it is, for :func:`beyond_int64` to word (never ``int()`` of
    thousands of digits)."""
    if not _INTEGER.fullmatch(text):
        return None
    digits = text.lstrip("-").lstrip("0")
    if len(digits) > _DIGITS:
        return INT_MIN - 1 if text.startswith("-") else INT_MAX + 1
    return int(text)


def beyond_int64(number: int, schema: Mapping[str, Any] | None = None) -> str | None:
    """The rule an integer outside int64 breaks, worded without its digits (``str()`` of more
    than 4300 digits raises); ``None`` inside the range."""
    bounds = schema or {}
    if number > INT_MAX:
        return (
            f"must be at most {min(bounds.get('maximum', INT_MAX), INT_MAX)} (got an integer beyond 64 bits)"
        )
    if number < INT_MIN:
        return (
            f"must be at least {max(bounds.get('minimum', INT_MIN), INT_MIN)} (got an integer beyond 64 bits)"
        )
    return None


def check_integer(
    schema: Mapping[str, Any], value: Any, path: str, errors: Errors, *, text: bool = False
) -> bool:
    """Whether ``value`` is an integer that keeps ``schema`` (an int, or with ``text`` its
    text in the API's form); else the broken rule is recorded under ``path``."""
    if text and isinstance(value, str):
        number = integer_text(value)
        if number is None:
            shown = value if len(value) <= 40 else value[:40] + "..."
            errors.setdefault(path, []).append(
                f"must be an integer: ASCII digits with an optional leading '-' (got {shown!r})"
            )
            return False
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        check_value(schema, value, path, errors)  # the type's own wording
        return False
    problem = beyond_int64(number, schema)
    if problem is not None:
        errors.setdefault(path, []).append(problem)
        return False
    if accepts(schema, number):
        return True
    check_value(schema, number, path, errors)
    return False


def query_params(op: Operation, args: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The query of ``op`` from its list arguments, every rule checked before anything is sent.

    Only the comma lists of ``build_query`` (``sort``, ``include``, ``fields``; a filter's
    ``in``, ``not_in``, ``between``) take a list; any other argument is one value of its
    parameter's type. An integer is an int (a filter's also its text, :func:`integer_text`)
    within int64. Texts are then checked against their parameter's rules.
    """
    given = {key: value for key, value in args.items() if value is not None}
    filters = given.pop("filters", None)
    errors: Errors = {}
    for name, value in given.items():
        schema = op.query.get(name)
        if schema is None:
            errors.setdefault(name, []).append("is not a parameter of this operation")
        elif name in LIST_PARAMETERS:
            given[name] = _comma_list(schema, value, name, errors)
        elif schema.get("type") == "integer":
            check_integer(schema, value, name, errors)
        elif not accepts(schema, value):
            check_value(schema, value, name, errors)
    if filters is not None and not isinstance(filters, Mapping):
        errors["filters"] = ["must be a mapping of field names to values"]
    elif filters:
        filters = _filters(op, filters, errors)
    if errors:
        raise ValidationError(errors=errors)
    params = build_query(filters=filters, **given)
    for name, text in params:
        if not text.isascii() and not is_utf8(text):
            errors.setdefault(name, []).append(NOT_UTF8)
            continue
        schema = op.query.get(name)
        if schema is None:  # a filter operator the operation does not take
            errors.setdefault(name, []).append("is not a parameter of this operation")
        elif schema.get("type") == "string" and not accepts(schema, text):
            check_value(schema, text, name, errors)
        # An integer parameter's value was checked above, before it became text.
    if errors:
        raise ValidationError(errors=errors)
    return params


def _comma_list(schema: Mapping[str, Any], value: Any, path: str, errors: Errors) -> Any:
    """A comma-list argument (``sort``, ``include``, ``fields``): a string, or a list of strings
    (joined by ``build_query``, the joined text then held to the parameter's rules)."""
    if isinstance(value, str):
        return value
    if not is_list(value):
        check_value({"type": [schema.get("type", "string"), "array"]}, value, path, errors)
        return value
    for index, item in enumerate(value):
        if not isinstance(item, str):
            check_value({"type": "string"}, item, f"{path}.{index}", errors)
    return list(value)


def _filters(op: Operation, filters: Mapping[Any, Any], errors: Errors) -> dict[str, Any]:
    """The filters with their values checked against their parameters (exact match: one value;
    a list operator: a list) and each list made a list for ``build_query``."""
    allowed = {key[7:].split("]", 1)[0] for key in op.query if key.startswith("filter[")}
    checked: dict[str, Any] = {}
    for field, value in filters.items():
        if field not in allowed:
            hint = ", ".join(sorted(allowed)) or "none"
            errors.setdefault(f"filters.{key_text(field)}", []).append(
                f"is not a filter of this operation (filters: {hint})"
            )
            continue
        # The items of a list operator have the field's own type (an id list holds ids).
        plain = op.query.get(f"filter[{field}]") or op.query.get(f"filter[{field}][ne]") or {}
        if isinstance(value, Mapping):
            operands = {}
            for operator, operand in value.items():
                name = f"filter[{field}][{key_text(operator)}]"
                operands[operator] = _filter_value(op.query.get(name), plain, operator, operand, name, errors)
            checked[field] = operands
        else:
            name = f"filter[{field}]"
            checked[field] = _filter_value(op.query.get(name), plain, None, value, name, errors)
            if name in errors and f"filter[{field}][in]" in op.query and _many(value):
                errors[name][-1] += " (a list goes with the in operator: {'in': [...]})"
    return checked


def _many(value: Any) -> bool:
    return isinstance(value, Set) or is_list(value)


def _filter_value(
    schema: Mapping[str, Any] | None,
    plain: Mapping[str, Any],
    operator: Any,
    value: Any,
    path: str,
    errors: Errors,
) -> Any:
    if schema is None or value is None:
        return value  # an operator the operation does not take: build_query's output says so
    value = _member(value)
    if operator not in LIST_OPERATORS:
        if operator is None and _many(value):
            check_value(schema, value, path, errors)  # an exact match takes one value
        elif schema.get("type") == "integer":
            check_integer(schema, value, path, errors, text=True)
        # An operator's list is build_query's to refuse ("takes a single value").
        return value
    ids = plain.get("type") == "integer"  # the items of an id list are ids
    longest = schema.get("maxLength", INT_MAX)
    whole = isinstance(value, Set) and operator != "between"  # `in`: membership, in any order
    if whole or is_list(value):
        if ids and len(value) <= longest:  # a longer list is refused by its length
            for index, item in enumerate(value):
                check_integer(plain, _member(item), path if whole else f"{path}.{index}", errors, text=True)
        return value if whole else list(value)
    if isinstance(value, str):
        if ids and len(value) <= longest:
            for index, part in enumerate(value.split(",")):
                check_integer(plain, part, f"{path}.{index}", errors, text=True)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if ids:
            check_integer(plain, value, path, errors)
    else:
        check_value({"type": [schema.get("type", "string"), "array"]}, value, path, errors)
    return value


def _member(value: Any) -> Any:
    # build_query sends an enum member as its value (wacr/_query.py): it is checked as that.
    return value.value if isinstance(value, enum.Enum) else value
