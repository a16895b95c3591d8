"""A quick yes-or-no answer to "does this data satisfy the matrix JSON Schema?".

jsonschema explains each violation, and the error messages are built from its explanations,
but walking every node of a large matrix through it costs more than reading the file.
Valid data, the common case, needs no explanation: the schema is compiled here, once, into
plain Python tests that answer yes or no, and schema.py asks jsonschema only when the answer
is no. Each keyword means what it means to jsonschema (Draft 2020-12: the same type tests,
the same `re.search`, the same equality that keeps `true` apart from `1`). A schema that
uses a keyword not handled here is not compiled at all, and then jsonschema checks every
file. A "no" is always safe: jsonschema then decides, and reports what it finds.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Check = Callable[[Any], bool]

# Keywords that only annotate: they never make an instance invalid.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "$defs", "title", "description", "default", "examples"}
)

_TYPES: dict[str, Check] = {
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (
        not isinstance(v, bool)
        and (isinstance(v, int) or (isinstance(v, float) and v.is_integer()))
    ),
    "null": lambda v: v is None,
    "number": lambda v: not isinstance(v, bool) and isinstance(v, numbers.Number),
    "object": lambda v: isinstance(v, dict),
    "string": lambda v: isinstance(v, str),
}


def _unsupported(what: str) -> ValueError:
    """The schema uses something this module does not compile."""
    return ValueError(f"not compiled: {what}")


def _always(_: Any) -> bool:
    return True


def _never(_: Any) -> bool:
    return False


def _unbool(value: Any) -> Any:
    return ("bool", value) if isinstance(value, bool) else value


def _equal(one: Any, two: Any) -> bool:
    """Equality as JSON Schema's `enum` and `const` see it: `true` is not `1`."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(k in two and _equal(v, two[k]) for k, v in one.items())
    return bool(_unbool(one) == _unbool(two))


def _all(tests: list[Check]) -> Check:
    if not tests:
        return _always
    if len(tests) == 1:
        return tests[0]
    chain = tuple(tests)

    def check(value: Any) -> bool:
        for test in chain:  # noqa: SIM110 - a loop costs less than all() over a generator
            if not test(value):
                return False
        return True

    return check


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, Mapping):
            raise _unsupported(repr(schema))
        keys = set(schema) - _ANNOTATIONS
        tests: list[Check] = []
        if "type" in keys:
            tests.append(self.type(schema["type"]))
        object_keys = keys & {
            "properties",
            "patternProperties",
            "additionalProperties",
            "required",
            "minProperties",
        }
        if object_keys:
            tests.append(self.object(schema))
        if keys & {"items", "minItems"}:
            tests.append(self.array(schema))
        if "pattern" in keys:
            tests.append(self.pattern(schema["pattern"]))
        if "enum" in keys:
            tests.append(self.enum(list(schema["enum"])))
        if "const" in keys:
            tests.append(self.enum([schema["const"]]))
        if "anyOf" in keys:
            tests.append(self.any_of([self.compile(s) for s in schema["anyOf"]]))
        if "$ref" in keys:
            tests.append(self.ref(schema["$ref"]))
        if "if" in keys:
            tests.append(self.condition(schema))
        handled = {"type", "items", "minItems", "pattern", "enum", "const", "anyOf", "$ref"}
        handled |= {"if", "then", "else"} | object_keys
        if keys - handled:
            raise _unsupported(", ".join(sorted(keys - handled)))
        return _all(tests)

    def type(self, names: Any) -> Check:
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or any(n not in _TYPES for n in names):
            raise _unsupported(f"type {names!r}")
        tests = tuple(_TYPES[n] for n in names)
        if len(tests) == 1:
            return tests[0]
        return lambda value: any(test(value) for test in tests)

    def object(self, schema: Mapping[str, Any]) -> Check:
        properties = {k: self.compile(v) for k, v in schema.get("properties", {}).items()}
        patterns = schema.get("patternProperties", {})
        each = tuple((re.compile(p), self.compile(s)) for p, s in patterns.items())
        # jsonschema joins the patterns to decide which keys are additional; so does this.
        joined = re.compile("|".join(patterns)) if patterns else None
        extra = self.compile(schema.get("additionalProperties", True))
        required = tuple(schema.get("required", ()))
        least = schema.get("minProperties", 0)

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            if len(value) < least or any(key not in value for key in required):
                return False
            for key, item in value.items():
                if not isinstance(key, str):
                    return False  # let jsonschema say what it makes of it
                test = properties.get(key)
                if test is not None and not test(item):
                    return False
                for regex, matches in each:
                    if regex.search(key) and not matches(item):
                        return False
                if test is None and not (joined and joined.search(key)) and not extra(item):
                    return False
            return True

        return check

    def array(self, schema: Mapping[str, Any]) -> Check:
        if "prefixItems" in schema:
            raise _unsupported("prefixItems")
        items = self.compile(schema.get("items", True))
        least = schema.get("minItems", 0)

        def check(value: Any) -> bool:
            if not isinstance(value, list):
                return True
            if len(value) < least:
                return False
            for item in value:  # noqa: SIM110 - as above
                if not items(item):
                    return False
            return True

        return check

    def pattern(self, pattern: str) -> Check:
        regex = re.compile(pattern)
        return lambda value: not isinstance(value, str) or regex.search(value) is not None

    def enum(self, options: list[Any]) -> Check:
        return lambda value: any(_equal(option, value) for option in options)

    def any_of(self, tests: list[Check]) -> Check:
        if len(tests) == 2 and _TYPES["null"] in tests:
            # `X or null`, the shape of every optional field: one test, then the other.
            other = tests[1] if tests[0] is _TYPES["null"] else tests[0]
            return lambda value: value is None or other(value)
        return lambda value: any(test(value) for test in tests)

    def ref(self, ref: Any) -> Check:
        if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
            raise _unsupported(f"$ref {ref!r}")
        name = ref.removeprefix("#/$defs/")
        if name not in self.refs:
            # Placed before compiling, so a definition that refers to itself terminates.
            cell: list[Check] = []
            self.refs[name] = lambda value: cell[0](value)
            cell.append(self.compile(self.root["$defs"][name]))
        return self.refs[name]

    def condition(self, schema: Mapping[str, Any]) -> Check:
        test = self.compile(schema["if"])
        then = self.compile(schema.get("then", True))
        otherwise = self.compile(schema.get("else", True))
        return lambda value: then(value) if test(value) else otherwise(value)


def compile_schema(schema: Mapping[str, Any]) -> Check | None:
    """A test that is true for data the schema accepts and false otherwise; None when the
    schema uses a keyword this module does not handle."""
    try:
        return _Compiler(schema).compile(schema)
    except (ValueError, KeyError, TypeError, re.error):
        return None
