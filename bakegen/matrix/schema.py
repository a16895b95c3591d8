"""The matrix JSON Schema: generated from the models, committed, and applied to raw YAML.

A file is first checked against the committed schema (a test keeps it equal to the generated
one) by schema_check.py; only a file that fails that check loads the generator and jsonschema,
whose findings become the messages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, get_args

from bakegen.errors import KeyPath
from bakegen.load.source import Source
from bakegen.matrix import model
from bakegen.matrix.names import closest, suggest
from bakegen.matrix.schema_quick import Check, compile_schema

if TYPE_CHECKING:
    import jsonschema

SCHEMA_PATH = Path(__file__).parents[1] / "resources" / "matrix.schema.json"
SCHEMA_ID = "https://bakegen.dev/schema/matrix-v1.json"

# What each constrained string pattern means, in words a user can act on.
_PATTERN_WORDS = {
    "image": "a lowercase image name such as 'dynamo' or 'team/dynamo'",
    "registry": "a registry and namespace such as 'ghcr.io/acme' (lowercase path)",
    "repository": "an image repository such as 'ghcr.io/acme/cache' (lowercase path)",
    "tagpart": "letters, digits, '_', '.' and '-' (a tag suffix, at most 100 characters)",
    r"^[A-Za-z0-9_-]+$": "only letters, digits, '_' and '-'",
    r"^[A-Za-z_][A-Za-z0-9_]*$": "a build-arg name: letters, digits and '_', not starting "
    "with a digit",
    r"^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$": "a platform of the form os/arch[/variant], "
    "e.g. linux/amd64",
}

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def generate_schema() -> dict[str, Any]:
    """The JSON Schema of a matrix file, from the pydantic models."""
    from bakegen.matrix.model_images import MatrixDocument

    schema = MatrixDocument.model_json_schema(by_alias=True, mode="validation")
    _close_pattern_maps(schema)
    # One image needs `image` and `axes`; a file of several has them under `images`.
    schema["if"] = {"type": "object", "required": ["images"]}
    schema["else"] = {"required": ["image", "axes"]}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    return schema


def _close_pattern_maps(node: Any) -> None:
    """Maps with constrained keys must also reject keys that break the constraint."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_pattern_maps(value)
    elif isinstance(node, list):
        for value in node:
            _close_pattern_maps(value)


def schema_text() -> str:
    return json.dumps(generate_schema(), indent=2, sort_keys=True) + "\n"


@cache
def matrix_schema() -> dict[str, Any]:
    """The committed schema, which the quick check compiles."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def _conforms() -> Check | None:
    return compile_schema(matrix_schema())


@cache
def _validator() -> jsonschema.protocols.Validator:
    import jsonschema

    # The generated schema, not the committed copy: its key order is the order in which
    # jsonschema reports violations, and so the order of the messages.
    schema = generate_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def _expected_types(error: jsonschema.ValidationError) -> list[str]:
    types = error.validator_value
    names = [types] if isinstance(types, str) else list(types) if isinstance(types, list) else []
    return [_TYPE_WORDS.get(t, t) for t in names]


@dataclass(frozen=True)
class _Leaf:
    """One reportable violation; `types` is set when several type alternatives all failed."""

    error: jsonschema.ValidationError
    types: tuple[str, ...] | None = None


def _is_null_branch(error: jsonschema.ValidationError) -> bool:
    return error.validator == "type" and error.validator_value == "null"


def _leaf_errors(error: jsonschema.ValidationError) -> list[_Leaf]:
    """Unwrap anyOf/oneOf: keep the branch errors that explain the failure best."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [_Leaf(error)]
    branches = [e for e in error.context if not _is_null_branch(e)]
    if not branches:
        return [_Leaf(error)]
    deeper = [e for e in branches if len(e.absolute_path) > len(error.absolute_path)]
    chosen = deeper or branches
    if not deeper and all(e.validator == "type" for e in branches):
        words = sorted({w for e in branches for w in _expected_types(e)})
        if any(_is_null_branch(e) for e in error.context):
            words.append("null")
        return [_Leaf(error, tuple(words))]
    return [leaf for sub in chosen for leaf in _leaf_errors(sub)]


def _allowed_keys(schema: dict[str, Any]) -> list[str]:
    props = schema.get("properties", {})
    return sorted(props) if isinstance(props, dict) else []


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        defs: dict[str, Any] = generate_schema()["$defs"]
        return defs[ref.removeprefix("#/$defs/")]  # type: ignore[no-any-return]
    return schema


def _matches_any(patterns: list[str], key: Any) -> bool:
    return isinstance(key, str) and any(re.search(p, key) for p in patterns)


def _required_hint(path: KeyPath, missing: str) -> str | None:
    """What to write for a required key that is missing, where the key alone says too
    little."""
    if missing == "image" and len(path) == 2 and path[0] == "images":
        return (
            "each entry of images needs its own image, with at least its repository "
            f"name, e.g. 'image: {{name: {path[1]}}}'"
        )
    return None


class Violation(NamedTuple):
    """One way the data breaks the schema; `guessed` and `missing` name keys for the rule
    that a misspelt required key is reported once."""

    path: KeyPath
    message: str
    hint: str | None
    guessed: str | None = None  # an unknown key is probably a misspelling of this one
    missing: str | None = None  # the required key that is missing


def schema_problems(source: Source) -> list[tuple[KeyPath, str, str | None]]:
    """Apply the JSON Schema to raw data: (key path, message, hint) for each violation."""
    conforms = _conforms()
    if conforms is not None and conforms(source.data):
        return []
    found: list[Violation] = []
    for top in _validator().iter_errors(source.data):
        for leaf in _leaf_errors(top):
            path = tuple(leaf.error.absolute_path)
            found.extend(Violation(*v) for v in _explain(leaf, path, source.text_of(path)))
    # A misspelt required key is reported once, as the misspelling.
    guessed = {(v.path[:-1], v.guessed) for v in found if v.guessed}
    return [(v.path, v.message, v.hint) for v in found if (v.path, v.missing) not in guessed]


def _pattern_words(pattern: str) -> str:
    named = {
        model.ImageName: "image",
        model.Registry: "registry",
        model.Repository: "repository",
        model.TagPart: "tagpart",
    }
    for alias, word in named.items():
        if any(getattr(m, "pattern", None) == pattern for m in get_args(alias)[1:]):
            return _PATTERN_WORDS[word]
    return f"pattern {pattern}"


def _number_hint(instance: Any, written: str | None) -> str | None:
    """Quote the value as it is written: `3.10` reads as 3.1, `022` as 18, `yes` as true."""
    if isinstance(instance, (int, float)) and not isinstance(instance, bool):
        return f'quote it: "{written if written is not None else instance}"'
    if written is None or instance is None or _plainly_bool(instance, written):
        return None
    return f'quote it: "{written}"'


def _plainly_bool(instance: Any, written: str) -> bool:
    return isinstance(instance, bool) and written.lower() in ("true", "false")


def _describe_written(instance: Any, written: str | None) -> str:
    if written is None or instance is None:
        return _describe(instance)
    if isinstance(instance, (int, float)) and not isinstance(instance, bool):
        return f"the number {written}"
    if _plainly_bool(instance, written):
        return _describe(instance)
    kind = "true or false" if isinstance(instance, bool) else f"a {type(instance).__name__}"
    return f"{written} (which YAML reads as {kind})"


def _explain(leaf: _Leaf, path: KeyPath, written: str | None = None) -> list[tuple[Any, ...]]:
    error = leaf.error
    kind = error.validator
    instance = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if leaf.types is not None:
        expected = " or ".join(leaf.types)
        got = _describe_written(instance, written)
        return [(path, f"expected {expected}, got {got}", _number_hint(instance, written))]
    if kind == "additionalProperties" and isinstance(instance, dict):
        patterns = list(schema.get("patternProperties", {}))
        if patterns and "properties" in _resolve(schema):
            # Named keys beside a pattern (the top level's `x-` extensions): a key that
            # matches the pattern is fine, any other is an unknown key.
            instance = {k: v for k, v in instance.items() if not _matches_any(patterns, k)}
        elif patterns:
            words = _PATTERN_WORDS.get(patterns[0], f"pattern {patterns[0]}")
            return [
                ((*path, key), f"key {key!r} is not valid: expected {words}", None)
                for key in instance
                if not any(re.search(p, key) for p in patterns)
            ]
        allowed = _allowed_keys(_resolve(schema))
        out: list[tuple[Any, ...]] = []
        for key in instance:
            if key not in allowed:
                guess = closest(key, allowed)
                hint = suggest(key, allowed) or (
                    f"allowed keys: {', '.join(allowed)}" if allowed else None
                )
                out.append(Violation((*path, key), f"unknown key {key!r}", hint, guessed=guess))
        return out
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        hint = _required_hint(path, missing)
        return [Violation(path, f"missing required key {missing!r}", hint, missing=missing)]
    if kind == "type":
        words = " or ".join(_expected_types(error))
        got = _describe_written(instance, written)
        return [(path, f"expected {words}, got {got}", _number_hint(instance, written))]
    if kind == "pattern":
        words = _PATTERN_WORDS.get(str(error.validator_value)) or _pattern_words(
            str(error.validator_value)
        )
        return [(path, f"{_describe(instance)} is not valid: expected {words}", None)]
    if kind == "propertyNames":
        return [(path, error.message, None)]
    if kind in ("const", "enum"):
        value = error.validator_value
        options = list(value) if kind == "enum" and isinstance(value, list) else [value]
        shown = ", ".join(json.dumps(o) for o in options)
        return [(path, f"expected {shown}, got {_describe(instance)}", None)]
    if kind in ("minItems", "minProperties"):
        return [(path, "must not be empty", None)]
    return [(path, error.message, None)]
