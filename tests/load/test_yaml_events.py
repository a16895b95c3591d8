"""Reading YAML through libyaml's events gives exactly what PyYAML's own loader gives: the
same nodes at the same places, or the text is handed to the pure-Python loader, so every
value, position and message stays the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bakegen.errors import MatrixError
from bakegen.load import events as yamlevents
from bakegen.load.events import REFUSED, compose_fast
from bakegen.load.nodes import MAX_DEPTH, _Loader
from bakegen.load.source import load_text
from tests.support.helpers import MINIMAL

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted(
    [*ROOT.glob("tests/**/*.yaml"), *ROOT.glob("matrix/*.yaml")],
    key=lambda p: str(p.relative_to(ROOT)),
)
VALID = [p for p in CORPUS if "bad" not in p.parts]
HOSTILE = {
    "deep": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "at the limit": "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n",
    "past the limit": "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
    "self alias": "a: &x [1, *x]\n",
    "merge of itself": "a: &x {b: 1, <<: *x}\n",
    "laughs": "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}" if i else '"x"'] * 10) + "]\n" for i in range(12)
    ),
    "huge integer": "a: " + "9" * 5000 + "\n",
    "undefined alias": "a: *nope\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "duplicate anchor": "a: &x 1\nb: &x 2\n",
    "tab in a key": "docker\tfile: x\n",
    "question mark in flow": "a: {b: c?d}\n",
    "empty flow value": "a: {b: }\n",
    "block header comment": "a: |#c\n  x\n",
    "tag": "a: !!str 1\n",
    "bad tag": "a: !*x 1\n",
    "no final newline": "a:\n  b:",
    "byte order mark inside": "a: 1\n\ufeff\n",
    "lone surrogate": 'a: "\\ud800"\n',
    "control character": "a: \x07\n",
}


def _pure(text: str) -> Any:
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # the reader refuses control characters at once
        return exc
    try:
        return loader.get_single_node()
    except yaml.YAMLError as exc:
        return exc
    finally:
        loader.dispose()


def _shape(node: Any) -> list[Any]:
    """The tree as a flat list: each node's kind, tag, value, style and marks; an alias as
    the number of the collection it names (so shared and cyclic trees compare)."""
    out: list[Any] = []
    seen: dict[int, int] = {}

    def visit(n: Any) -> None:
        if n is None:
            out.append(None)
            return
        if id(n) in seen:
            out.append(("alias", seen[id(n)]))
            return
        marks = (n.start_mark.line, n.start_mark.column, n.end_mark.line, n.end_mark.column)
        if isinstance(n, yaml.ScalarNode):
            out.append(("scalar", n.tag, n.value, n.style, marks))
            return
        seen[id(n)] = len(seen)
        # Flow or block; PyYAML leaves the style of a sequence not indented under its key
        # unset where libyaml says block, which nothing reading the nodes looks at.
        out.append((type(n).__name__, n.tag, n.flow_style is True, marks))
        for item in n.value:
            for part in item if isinstance(item, tuple) else (item,):
                visit(part)
        out.append("end")

    visit(node)
    return out


def _same_as_pure(text: str) -> bool:
    fast = compose_fast(text, MAX_DEPTH)
    if fast is REFUSED:
        return True
    pure = _pure(text)
    return not isinstance(pure, Exception) and _shape(fast) == _shape(pure)


def _load(text: str) -> Any:
    try:
        source = load_text(text, "m.yaml")
    except (MatrixError, yaml.YAMLError) as exc:
        return type(exc), str(exc)
    return source.data, source.positions, source.texts


needs_libyaml = pytest.mark.skipif(
    yamlevents._PARSER is None, reason="PyYAML was built without libyaml"
)


@needs_libyaml
@pytest.mark.parametrize("path", VALID, ids=lambda p: str(p.relative_to(ROOT)))
def test_valid_matrices_are_read_through_libyaml_as_pyyaml_reads_them(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = compose_fast(text, MAX_DEPTH)
    assert fast is not REFUSED
    assert _shape(fast) == _shape(_pure(text))


@needs_libyaml
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_loads_to_the_same_data_positions_and_errors(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_bytes().decode("utf-8", "replace")  # one of them is not UTF-8
    assert _same_as_pure(text)
    with_libyaml = _load(text)
    monkeypatch.setattr(yamlevents, "_PARSER", None)
    assert _load(text) == with_libyaml


@needs_libyaml
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_gives_what_the_pure_loader_gives(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = HOSTILE[name]
    assert _same_as_pure(text)
    with_libyaml = _load(text)
    monkeypatch.setattr(yamlevents, "_PARSER", None)
    assert _load(text) == with_libyaml


@needs_libyaml
def test_nesting_is_counted_while_reading() -> None:
    assert compose_fast(HOSTILE["at the limit"], MAX_DEPTH) is not REFUSED
    assert compose_fast(HOSTILE["past the limit"], MAX_DEPTH) is REFUSED
    assert compose_fast(HOSTILE["deep"], MAX_DEPTH) is REFUSED


@needs_libyaml
def test_aliases_share_nodes_instead_of_copying_them() -> None:
    node = compose_fast(HOSTILE["self alias"], MAX_DEPTH)
    assert isinstance(node, yaml.MappingNode)
    listed = node.value[0][1]
    assert listed.value[1] is listed


# Pieces that matter to YAML's grammar, and to where libyaml and PyYAML part ways.
FRAGMENTS = [
    *"ab:-[]{},&*!'\"#|>?<\n\\%@`~.0+1 ",
    "\t", "\r", "\r\n", "\x85", "\u2028", "\ufeff", "é", "\U0001f600", "  ", "\n  ", "\n- ",
    "<<: ", "&x ", "*x", "!!str ", "---\n", "...\n", "|-", ">+", "|2", "? ", ": ", "- ",
    "{a: ", "[b, ", "#c\n", "\\ud800", "\\x41", "\x07",
]  # fmt: skip


@needs_libyaml
@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join), st.booleans())
def test_any_text_composes_as_pyyaml_composes_it(text: str, final_newline: bool) -> None:
    assert _same_as_pure(text + "\n" * final_newline)


@needs_libyaml
@settings(max_examples=100, deadline=None)
@given(st.data())
def test_an_edited_matrix_composes_as_pyyaml_composes_it(data: st.DataObject) -> None:
    text = MINIMAL
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 3))
        text = text[:at] + data.draw(st.sampled_from(FRAGMENTS)) + text[at + cut :]
    assert _same_as_pure(text)
