"""The quick schema check (schema_check.py) says yes exactly when jsonschema finds nothing,
so skipping jsonschema for the data it accepts changes no verdict and no message."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bakegen.errors import MatrixError
from bakegen.load.images import image_parts
from bakegen.load.nfc import normalise
from bakegen.load.source import load_text
from bakegen.matrix.schema import SCHEMA_PATH, generate_schema
from bakegen.matrix.schema_quick import compile_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads(SCHEMA_PATH.read_text())
QUICK = compile_schema(SCHEMA)
FULL = jsonschema.Draft202012Validator(generate_schema())
CORPUS = sorted(
    [*ROOT.glob("tests/**/*.yaml"), *ROOT.glob("matrix/*.yaml")],
    key=lambda p: str(p.relative_to(ROOT)),
)


def _documents(path: Path) -> list[Any]:
    """The data of the file as validation sees it, and of each image of several."""
    try:
        source = load_text(path.read_text(encoding="utf-8"), path.name)
    except (MatrixError, UnicodeDecodeError):
        return []
    data = normalise(source.data).data
    return [data, *(part.data for _, part in image_parts(source))]


def test_the_committed_schema_compiles() -> None:
    assert QUICK is not None


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_matrix_gets_the_verdict_jsonschema_gives(path: Path) -> None:
    assert QUICK is not None
    for data in _documents(path):
        assert QUICK(data) == FULL.is_valid(data)


def test_the_corpus_has_both_verdicts() -> None:
    assert QUICK is not None
    verdicts = {QUICK(d) for p in CORPUS for d in _documents(p)}
    assert verdicts == {True, False}


SMALL_SCHEMAS: list[tuple[dict[str, Any], list[Any]]] = [
    ({"const": 1}, [1, 1.0, True, "1", None, [1]]),
    ({"enum": ["a", 0]}, ["a", 0, False, 0.0, "b"]),
    ({"type": "integer"}, [1, 1.0, 1.5, True, "1"]),
    ({"type": "number"}, [1, 1.5, True, None]),
    ({"type": ["string", "null"]}, ["x", None, 0, []]),
    ({"type": "object", "required": ["a"]}, [{"a": 1}, {}, [], "a"]),
    ({"minProperties": 1}, [{}, {"a": 1}, [], "x"]),
    ({"minItems": 2}, [[1], [1, 2], {}, "xy"]),
    ({"items": {"type": "string"}}, [["a"], ["a", 1], [], {"a": 1}]),
    ({"pattern": "^[a-z]+$"}, ["abc", "aBc", "", 5, None]),
    (
        {
            "properties": {"a": {"type": "string"}},
            "patternProperties": {"^x-": {"type": "integer"}, "^x-y": {"minimum": 0}},
            "additionalProperties": False,
        },
        [{"a": "s"}, {"a": 1}, {"x-1": 2}, {"x-1": "s"}, {"b": 1}, {"x-y": 1}, []],
    ),
    (
        {"patternProperties": {"^a": {}}, "additionalProperties": {"type": "null"}},
        [{"a1": 1}, {"b": None}, {"b": 1}],
    ),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, ["s", None, 1]),
    (
        {"if": {"required": ["images"]}, "else": {"required": ["image"]}},
        [{"images": 1}, {"image": 1}, {}, []],
    ),
    (
        {
            "$defs": {"tree": {"type": "array", "items": {"$ref": "#/$defs/tree"}}},
            "$ref": "#/$defs/tree",
        },
        [[], [[], [[]]], [[], 1], "x"],
    ),
]


@pytest.mark.parametrize(("schema", "instances"), SMALL_SCHEMAS)
def test_each_keyword_means_what_it_means_to_jsonschema(
    schema: dict[str, Any], instances: list[Any]
) -> None:
    if "minimum" in json.dumps(schema):
        assert compile_schema(schema) is None  # a keyword it does not handle
        return
    check = compile_schema(schema)
    assert check is not None
    validator = jsonschema.Draft202012Validator(schema)
    assert [check(i) for i in instances] == [validator.is_valid(i) for i in instances]


def test_a_schema_with_an_unknown_keyword_is_not_compiled() -> None:
    assert compile_schema({"properties": {"a": {"maxLength": 3}}}) is None
    assert compile_schema({"$ref": "https://example.com/other.json"}) is None


DEFAULT = _documents(ROOT / "matrix" / "default.yaml")[0]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([1.0, 1.5, 3.1]),
    st.sampled_from(["", "x", "linux/amd64", "Bad Name", "a.b", "args.X", "min", "1", "{name}"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["a", "name", "stage", "x-y", "OS", "1"]), inner, max_size=3
        ),
    ),
    max_leaves=6,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*path, i))
    return found


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_an_edited_matrix_gets_the_verdict_jsonschema_gives(data: st.DataObject) -> None:
    assert QUICK is not None
    doc = copy.deepcopy(DEFAULT)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc)))
        if not path:
            continue
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(VALUES)
    assert QUICK(doc) == FULL.is_valid(doc)
