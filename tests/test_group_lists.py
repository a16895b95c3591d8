"""Groups of a large file written as `formatlist` over a list they share (group_lists.py):
the same target names in the same order, only where names need no escaping and another
group shares the parts."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bakegen.bakefile import group_lists
from bakegen.bakefile.group_lists import MIN_NAMES, split_names
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix
from tests.bake_eval import Bake
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from render_bench import growing_matrix


def test_names_split_at_separators_into_what_they_share_and_their_parts() -> None:
    names = ["cuda12-8-amd64-f0", "cuda12-8-arm64-f0", "cuda12-9-amd64-f0", "cuda13-0-amd64-f0"]
    # The common prefix "cuda1" stops inside a word: the prefix is cut back to nothing.
    assert split_names(names) == (
        "",
        ("cuda12-8-amd64", "cuda12-8-arm64", "cuda12-9-amd64", "cuda13-0-amd64"),
        "-f0",
    )
    blocks = ["_flavour-of-a-x", "_flavour-of-b-x", "_flavour-of-c-x", "_flavour-of-dd-x"]
    assert split_names(blocks) == ("_flavour-of-", ("a", "b", "c", "dd"), "-x")


@pytest.mark.parametrize(
    "names",
    [
        ["a-x", "b-x", "c-x"][: MIN_NAMES - 1],  # too few to be worth it
        ["a x-1", "b x-1", "c x-1", "d x-1"],  # a space would need no escaping, but is not plain
        ["a%-1", "b%-1", "c%-1", "d%-1"],  # `%` is a verb in a format string
        ["a${x}-1", "b-1", "c-1", "d-1"],  # `${` is a template in an HCL string
        ["ab", "cd", "ef", "gh"],  # nothing in common
        ["a-f10", "b-f20", "c-f30", "d-f40"],  # the suffix "0" is not a word of its own
        ["a-b", "a-x-b", "a-y-b", "a-z-b"],  # `a-b` is its prefix and suffix overlapping
    ],
)
def test_names_that_would_need_escaping_or_share_nothing_are_not_split(names: list[str]) -> None:
    assert split_names(names) is None


@given(
    st.lists(
        st.from_regex(r"[a-z0-9]{1,3}(-[a-z0-9]{1,3}){0,2}", fullmatch=True), min_size=MIN_NAMES
    ),
    st.from_regex(r"([a-z_][a-z0-9]{0,3}-)?", fullmatch=True),
    st.from_regex(r"(-[a-z0-9]{1,3})?", fullmatch=True),
)
def test_prefix_part_and_suffix_make_each_name_again(
    middles: list[str], before: str, after: str
) -> None:
    names = [before + m + after for m in middles]
    split = split_names(names)
    if split is None:
        return
    prefix, parts, suffix = split
    assert [prefix + p + suffix for p in parts] == names
    assert all(parts)


def test_only_groups_sharing_their_parts_with_another_are_formatted() -> None:
    lists = group_lists.group_lists(
        [
            ("a-f0", "b-f0", "c-f0", "d-f0"),
            ("a-f1", "b-f1", "c-f1", "d-f1"),
            ("x-1", "y-1", "z-1", "w-1"),  # its parts are its own
            ("a-f2", "b-f2"),  # too few
        ],
        "_l",
    )
    assert lists.lists == (("_l1", ("a", "b", "c", "d")),)
    assert [t.source if t else None for t in lists.targets] == [
        'formatlist("%s-f0", _l1)',
        'formatlist("%s-f1", _l1)',
        None,
        None,
    ]


def _groups(text: str) -> list[str]:
    return [line.split('"')[1] for line in text.splitlines() if line.startswith("group ")]


def test_formatted_groups_print_as_their_lists_written_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 20 flavours × 5 CUDA × 2 platforms in families: the flavour groups (ten cells each),
    # the platform groups and `default` (families' blocks) share lists of name parts.
    compiled = compile_matrix(load_matrix_text(growing_matrix(200)))
    hcl = compiled.text("hcl")
    assert 'targets     = formatlist("%s-f15", _cell_parts_' in hcl
    assert 'targets     = formatlist("_flavour-of-%s-arm64", _cell_parts_' in hcl
    monkeypatch.setattr(group_lists, "MIN_NAMES", 10**9)
    written_out = compiled.text("hcl")
    assert "formatlist" not in written_out
    assert "_cell_parts_" not in written_out
    names = _groups(hcl)
    assert names == _groups(written_out)
    assert len(names) > 20
    formatted, plain = Bake(hcl), Bake(written_out)
    for name in names:
        assert formatted.print(name) == plain.print(name), name


def test_a_small_file_keeps_its_groups_written_out() -> None:
    # No families, no lists: the file stays plain to read.
    compiled = compile_matrix(load_matrix_text(growing_matrix(100)))
    hcl = compiled.text("hcl")
    assert "_cell = " not in hcl
    assert "formatlist" not in hcl
