"""Expansion: product order, GitHub-Actions-style exclude/include, names, warnings."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bakegen.errors import MatrixError
from bakegen.matrix.selectors import Selector
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix
from bakegen.resolve.expand import CellSpace, Expansion, expand_cells

THREE_AXES = """\
format: 1
image: {name: app, tags: ["{name}"]}
defaults: {dockerfile: Dockerfile}
axes:
  fw:
    values: {vllm: , sglang: , trtllm: }
  cuda:
    id: "cuda{value}"
    values: {"12.9": , "13.0": }
  platform:
    values:
      linux/amd64: {id: amd64}
      linux/arm64: {id: arm64}
"""


def expand_text(text: str) -> Expansion:
    matrix = load_matrix_text(text)
    return expand_cells(CellSpace.of(matrix.model, matrix.ids))


def names(text: str) -> list[str]:
    return [c.name for c in expand_text(text).cells]


def test_product_in_axis_order_with_bake_legal_names() -> None:
    assert names(THREE_AXES)[:5] == [
        "vllm-cuda12-9-amd64",
        "vllm-cuda12-9-arm64",
        "vllm-cuda13-0-amd64",
        "vllm-cuda13-0-arm64",
        "sglang-cuda12-9-amd64",
    ]
    assert len(names(THREE_AXES)) == 12


def test_partial_exclude_removes_every_cell_with_both_values() -> None:
    text = THREE_AXES + 'exclude:\n  - {fw: trtllm, cuda: "12.9"}\n'
    got = names(text)
    assert len(got) == 10
    assert not [n for n in got if n.startswith("trtllm-cuda12-9")]
    assert "trtllm-cuda13-0-arm64" in got


def test_glob_and_list_values_in_exclude() -> None:
    text = THREE_AXES + "exclude:\n  - {fw: '*lang', platform: [linux/arm64]}\n"
    got = names(text)
    assert "sglang-cuda12-9-arm64" not in got
    assert "sglang-cuda12-9-amd64" in got
    assert len(got) == 10


def test_include_extends_matching_cells_and_adds_new_ones() -> None:
    text = THREE_AXES + (
        "exclude:\n  - {fw: trtllm}\n"
        "include:\n"
        '  - cell: {fw: vllm, cuda: "13.0"}\n'
        '    args: {EXTRA: "1"}\n'
        '  - cell: {fw: trtllm, cuda: "13.0", platform: linux/amd64}\n'
    )
    expansion = expand_text(text)
    by_name = {c.name: c for c in expansion.cells}
    assert by_name["vllm-cuda13-0-amd64"].includes == (0,)
    assert by_name["vllm-cuda12-9-amd64"].includes == ()
    assert list(by_name)[-1] == "trtllm-cuda13-0-amd64"
    assert by_name["trtllm-cuda13-0-amd64"].origin == ("include", 1)
    assert expansion.warnings == ()


def test_selectors_that_match_nothing_are_reported() -> None:
    text = THREE_AXES + (
        'exclude:\n  - {fw: trtllm}\n  - {fw: trtllm, cuda: "12.9"}\n'
        "include:\n  - cell: {fw: trtllm}\n"
    )
    warnings = [str(w) for w in compile_matrix(load_matrix_text(text)).warnings]
    assert warnings == [
        "matrix.yaml:16:5: exclude[1]: this exclude matches no cell",
        "matrix.yaml:18:5: include[0].cell: this include matches no cell and does not name "
        "one value of every axis (name every axis to add a cell)",
    ]


def test_name_template() -> None:
    text = THREE_AXES + 'name: "{platform}-{fw}-{cuda}"\n'
    assert names(text)[0] == "amd64-vllm-cuda12-9"


def test_expansion_is_deterministic() -> None:
    first = expand_text(THREE_AXES)
    second = expand_text(THREE_AXES)
    assert first == second


def test_two_cells_with_one_name_are_an_error() -> None:
    text = THREE_AXES + 'name: "{fw}-{cuda}"\n'
    with pytest.raises(MatrixError) as caught:
        compile_matrix(load_matrix_text(text))
    assert str(caught.value) == (
        "matrix.yaml:14:1: name: two cells are both named 'vllm-cuda12-9': "
        "(fw=vllm, cuda=12.9, platform=linux/amd64) and "
        "(fw=vllm, cuda=12.9, platform=linux/arm64) (and 5 more like it) "
        "(give the values distinct ids)"
    )


_PATTERNS = {
    "fw": ["vllm", "*l*", "s*", "trtllm"],
    "cuda": ["12.9", "13.*", "1*"],
    "platform": ["linux/amd64", "*64", "linux/arm64"],
}


@st.composite
def _selector(draw: st.DrawFn) -> dict[str, list[str]]:
    axes = draw(st.lists(st.sampled_from(sorted(_PATTERNS)), min_size=1, max_size=3, unique=True))
    return {a: draw(st.lists(st.sampled_from(_PATTERNS[a]), min_size=1, max_size=2)) for a in axes}


@settings(max_examples=40, deadline=None)
@given(st.lists(_selector(), max_size=3), st.lists(_selector(), max_size=3))
def test_exclude_and_include_pick_the_cells_each_selector_matches(
    excludes: list[dict[str, list[str]]], includes: list[dict[str, list[str]]]
) -> None:
    # Selectors are matched value by value; the cells must be those asking each selector
    # about each combination gives.
    text = THREE_AXES + f"exclude: {json.dumps(excludes)}\n"
    text += (
        "include:\n"
        + "  []\n" * (not includes)
        + "".join(
            f"  - cell: {json.dumps(c)}\n    args: {{I{i}: 'yes'}}\n"
            for i, c in enumerate(includes)
        )
    )
    try:
        expansion = expand_text(text)
    except MatrixError:
        assert excludes  # every combination excluded
        return
    axes = {"fw": ["vllm", "sglang", "trtllm"], "cuda": ["12.9", "13.0"]}
    axes["platform"] = ["linux/amd64", "linux/arm64"]
    kept = [
        dict(zip(axes, combo, strict=True))
        for combo in itertools.product(*axes.values())
        if not any(Selector.parse(e)(dict(zip(axes, combo, strict=True))) for e in excludes)
    ]
    expected_includes = [
        tuple(i for i, c in enumerate(includes) if Selector.parse(c)(values)) for values in kept
    ]
    cells = [c for c in expansion.cells if c.origin == ("axes",)]
    assert [dict(c.values) for c in cells] == kept
    assert [c.includes for c in cells] == expected_includes
