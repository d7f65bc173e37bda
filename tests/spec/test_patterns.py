"""A spec pattern means what it means in JSON Schema (ECMA-262) in all three places that apply it:
the generated checks (wacr._checks), the interpreter (wacr._validate) and the emulator
(wacr.testing._validation). Python's `re` would read `$` as "the end, or before a final newline".
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.spec._patterns import (
    BODIES,
    EMAIL_PATTERN,
    EXAMPLES,
    TAKE_A_TRAILING_NEWLINE,
    Place,
    places,
    reference,
    spec_patterns,
    with_value,
)
from wacr import _validate
from wacr._checks import BODIES as BODY_CHECKS
from wacr._checks import PARAMETERS, SECTIONS
from wacr._operations import OPERATIONS
from wacr._validate import accepts, check_value, json_schema_regex, validate
from wacr.testing import _validation
from wacr.testing._validation import Validator

PATTERNS = sorted(spec_patterns() | {EMAIL_PATTERN})
PLACES = places()

# -- the translation ------------------------------------------------------------------------------
# (pattern, value, whether ECMA-262 finds the pattern in the value), stated by hand.
ECMA = [
    ("^a$", "a", True),
    ("^a$", "a\n", False),
    (r"^a\$$", "a$", True),  # an escaped `$` is the character
    (r"^a\$$", "a$\n", False),
    ("^[$]$", "$", True),  # so is one in a class
    (r"^[\]$]+$", "]$]", True),
    (r"^a\\$", "a\\", True),  # an escaped backslash, then the end
    (r"^a\\$", "a\\\n", False),
    ("^(?:a$|b$)", "a\n", False),  # every `$`, in every branch
    ("^(?:a$|b$)", "b", True),
    (r"^\d$", "\u0663", False),  # ARABIC-INDIC DIGIT THREE: \d is 0-9
    (r"^[\d-]+$", "1-2", True),
    (r"^\w$", "é", False),
    (r"^\s$", "\u00a0", True),
    (r"^[\s]+$", "\t\n\u3000", True),
    ("^.$", "\r", False),  # `.` takes no line terminator
    ("^.$", "\u2028", False),
    ("^.$", "é", True),
    (r"\bx", "éx", True),  # a word boundary between ASCII's word and non-word characters
    (r"\Bx", "éx", False),
    ("^a{,2}$", "a{,2}", True),  # not a quantifier in ECMA-262
    ("^a{2}$", "aa", True),
    ("^[a[]+$", "[a", True),
    (r"^[\b]$", "\b", True),  # backspace in a class, in both dialects
]


@pytest.mark.parametrize(("pattern", "value", "found"), ECMA)
def test_the_translation_finds_what_ecma_finds(pattern: str, value: str, found: bool) -> None:
    for translate in (json_schema_regex, _validation.json_schema_regex):
        assert (re.search(translate(pattern), value) is not None) is found


@pytest.mark.parametrize(
    "pattern", [r"[\D]", r"[\W]", "[]", "[^]a", r"\cA", r"\k<a>", r"\p{L}", r"\a", "a\\"]
)
def test_a_construct_without_a_python_equivalent_is_refused(pattern: str) -> None:
    for translate in (json_schema_regex, _validation.json_schema_regex):
        with pytest.raises(ValueError):
            translate(pattern)


def test_the_emulator_copy_translates_every_pattern_alike() -> None:
    # The emulator imports nothing of the client (tests/emulator/test_import_rules.py): a copy.
    for pattern in [*PATTERNS, *(p for p, _, _ in ECMA)]:
        assert _validation.json_schema_regex(pattern) == json_schema_regex(pattern), pattern
    assert _validation._ECMA_CLASSES == _validate._ECMA_CLASSES
    assert _validation._SAME_ESCAPES == _validate._SAME_ESCAPES


def test_every_generated_pattern_is_a_translated_spec_pattern() -> None:
    translated = {json_schema_regex(p) for p in PATTERNS}
    emitted = set()
    for section in SECTIONS:
        module = importlib.import_module(f"wacr._checks.{section}")
        emitted |= {v.pattern for k, v in vars(module).items() if k.startswith("_PATTERN_")}
    assert emitted == translated - {json_schema_regex(EMAIL_PATTERN)}
    assert _validate.EMAIL.pattern == _validation._EMAIL.pattern == json_schema_regex(EMAIL_PATTERN)


# -- every pattern of the spec, with a trailing newline ------------------------------------------


def test_every_pattern_has_an_example_and_a_place() -> None:
    assert sorted(EXAMPLES) == PATTERNS
    assert {place.pattern for place in PLACES} == set(PATTERNS)
    for pattern, example in EXAMPLES.items():
        assert reference(pattern, example), pattern
    # Only a pattern that ends in `\s` or `[^,]` takes the newline; every other refuses it.
    assert {p for p in PATTERNS if reference(p, EXAMPLES[p] + "\n")} == TAKE_A_TRAILING_NEWLINE


def _client_takes(place: Place, value: str) -> tuple[bool, bool, bool]:
    """(generated check, interpreter, ``accepts``) on ``value`` at ``place``."""
    op = OPERATIONS[place.op_id]
    if place.where == "body":
        body = with_value(BODIES[place.op_id], place.name, value)
        assert op.body is not None
        generated = BODY_CHECKS[place.op_id](body)
        return generated, validate(op.body, body) == {}, generated
    schema = {**op.path_params, **op.query}[place.name]
    errors: dict[str, list[str]] = {}
    check_value(schema, value, place.name, errors)
    return PARAMETERS[place.op_id, place.name](value), not errors, accepts(schema, value)


@pytest.mark.parametrize("place", PLACES, ids=str)
def test_a_trailing_newline_is_judged_as_ecma_judges_it(place: Place) -> None:
    example = EXAMPLES[place.pattern]
    assert _client_takes(place, example) == (True, True, True)
    takes = reference(place.pattern, example + "\n")
    assert _client_takes(place, example + "\n") == (takes, takes, takes)
    # The emulator's rule, given the same pattern (its own are restatements of the spec's).
    assert (Validator({"x": example + "\n"}).string("x", regex=place.pattern) is not None) is takes


# -- any value: the three compiled forms and the reference ---------------------------------------
SUFFIXES = st.sampled_from(["", "\n", "\r\n", " ", "\t", "\u2028", "\u00a0", "\u0663", "é", "x"])
# Where `\s` is read as Python reads it, not as ECMA-262 (src/wacr/_validate.py _SAME_ESCAPES).
_S_APART = frozenset("\x1c\x1d\x1e\x1f\x85\ufeff")


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_compiled_form_agrees_with_ecma(pattern: str) -> None:
    generated = [
        v
        for section in SECTIONS
        for k, v in vars(importlib.import_module(f"wacr._checks.{section}")).items()
        if k.startswith("_PATTERN_") and v.pattern == json_schema_regex(pattern)
    ]
    compiled: list[Any] = [*generated, _validate._regex(pattern), _validation._compiled(pattern)]

    @settings(max_examples=40, deadline=None)
    @given(st.from_regex(json_schema_regex(pattern), fullmatch=True), SUFFIXES, SUFFIXES)
    def agree(value: str, before: str, after: str) -> None:
        for text in (value, before + value, value + after):
            if _S_APART.intersection(text):
                continue
            found = reference(pattern, text)
            assert [c.search(text) is not None for c in compiled] == [found] * len(compiled), text

    agree()
