"""Loading YAML: data, positions, and refusal of hostile input."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest

from bakegen.errors import MatrixError
from bakegen.load.source import MAX_BYTES, load_file, load_text


def test_positions_point_at_keys() -> None:
    source = load_text("a:\n  b: 1\n  c:\n    - x\n    - y\n", "f.yaml")
    assert source.data == {"a": {"b": 1, "c": ["x", "y"]}}
    assert source.positions[("a", "b")] == (2, 3)
    assert source.positions[("a", "c", 1)] == (5, 7)
    assert str(source.locate(("a", "c", 1, "missing"))) == "f.yaml:5:7"


def test_mapping_keys_stay_as_written() -> None:
    # As a float, 12.10 would silently become 12.1: keys are kept as their source text.
    source = load_text("values:\n  12.10: {}\n  13.0: {}\n  true: {}\n", "f.yaml")
    assert list(source.data["values"]) == ["12.10", "13.0", "true"]


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert load_file(path).data == {"a": 1}


def test_alias_bomb_is_refused_in_bounded_memory() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    text = "\n".join(lines) + "\n"
    tracemalloc.start()
    with pytest.raises(MatrixError) as caught:
        load_text(text, "bomb.yaml")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert str(caught.value).startswith("bomb.yaml:")
    assert "expands to more than 200,000 nodes" in str(caught.value)
    # Fully expanded, this document has 10**12 nodes; refusal must come long before.
    assert peak < 200 * 1024 * 1024


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(MatrixError) as caught:
        load_file(path)
    assert str(caught.value) == (
        f"{path}: (top level): the file is 52,428,800 bytes; a matrix may be at most "
        f"{MAX_BYTES:,} bytes"
    )


def test_directory_is_not_a_matrix(tmp_path: Path) -> None:
    with pytest.raises(MatrixError) as caught:
        load_file(tmp_path)
    assert "is a directory, not a matrix file" in str(caught.value)


def test_non_scalar_key() -> None:
    with pytest.raises(MatrixError) as caught:
        load_text("? [a, b]\n: 1\n", "k.yaml")
    assert str(caught.value) == "k.yaml:1:3: (top level): a mapping key must be a plain scalar"


# -- hostile documents: one located error each, in bounded time and memory --------------------
def _refusal(text: str) -> str:
    with pytest.raises(MatrixError) as caught:
        load_text(text, "h.yaml")
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_number_of_5000_digits_is_refused_with_its_location() -> None:
    message = _refusal("format: 1\nimage:\n  name: " + "1" * 5000 + "\n")
    assert message == (
        "h.yaml:3:9: image.name: a value of 5,000 characters read as int (quote it if it is text)"
    )


def test_5000_deep_nesting_is_refused() -> None:
    message = _refusal("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert message.startswith("h.yaml:1:")
    assert "nests deeper than 100 levels" in message


def test_deep_nesting_built_from_aliases_is_refused() -> None:
    lines = ["x0: &x0 " + "[" * 90 + "]" * 90]
    for i in range(1, 8):
        lines.append(f"x{i}: &x{i} " + "[" * 90 + f"*x{i - 1}" + "]" * 90)
    assert "nests deeper than 100 levels" in _refusal("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    "text",
    ["a: &x [*x]\n", "a: &x {b: *x}\n", "a: &x {<<: *x}\n", "a: &x [1, {b: [*x]}]\n"],
)
def test_a_self_referencing_anchor_is_refused(text: str) -> None:
    message = _refusal(text)
    assert message.startswith("h.yaml:1:")
    assert "refers to the mapping or list that contains it" in message or "merges the" in message


def test_a_lone_surrogate_is_a_located_error() -> None:
    message = _refusal('format: 1\nimage:\n  name: "a\\ud800b"\n')
    assert message == (
        "h.yaml:3:9: image.name: contains the lone surrogate \\ud800, which is no character "
        "(write the character itself, or as \\U followed by 8 hex digits)"
    )
    assert "surrogate \\udc00" in _refusal('"x\\udc00": 1\n')


def test_an_impossible_date_is_a_located_error() -> None:
    message = _refusal("when: 2001-13-45\n")
    assert message == (
        "h.yaml:1:7: when: cannot read '2001-13-45': month must be in 1..12 "
        "(quote it if it is text)"
    )


def test_scalars_keep_the_text_they_were_written_as() -> None:
    source = load_text("a: 3.10\nb: '3.10'\nc: 022\nd: [12.10, yes]\n", "f.yaml")
    assert source.data == {"a": 3.1, "b": "3.10", "c": 18, "d": [12.1, True]}
    assert source.text_of(("a",)) == "3.10"
    assert source.text_of(("b",)) is None
    assert source.text_of(("c",)) == "022"
    assert source.text_of(("d", 0)) == "12.10"
    assert source.text_of(("d", 1)) == "yes"


# -- merge keys ---------------------------------------------------------------------------------
def test_merge_keys_merge_and_keep_the_positions_where_values_are_written() -> None:
    text = (
        "base: &base\n"  # 1
        "  a: 1\n"  # 2
        "  b: 2\n"  # 3
        "more: &more\n"  # 4
        "  b: 20\n"  # 5
        "  c: 30\n"  # 6
        "x:\n"  # 7
        "  <<: [*base, *more]\n"  # 8
        "  c: 3\n"  # 9
    )
    source = load_text(text, "m.yaml")
    assert source.data["x"] == {"a": 1, "b": 2, "c": 3}
    assert list(source.data["x"]) == ["a", "b", "c"]
    assert source.positions[("x", "a")] == (2, 3)
    assert source.positions[("x", "b")] == (3, 3)
    assert source.positions[("x", "c")] == (9, 3)


def test_a_merged_mapping_s_own_keys_win_over_what_it_merges() -> None:
    text = "a: &a {k: 1}\nb: &b {<<: *a, k: 2}\nc: {<<: *b}\n"
    assert load_text(text, "m.yaml").data["c"] == {"k": 2}


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    assert load_text('"<<": {a: 1}\n', "m.yaml").data == {"<<": {"a": 1}}


def test_merging_a_list_of_scalars_is_a_located_error() -> None:
    assert _refusal("x:\n  <<: [1]\n") == (
        "h.yaml:2:8: x[\"<<\"]: a merge key '<<' takes a mapping or a list of mappings "
        "(write '<<: *name' where '&name' marks a mapping)"
    )


# -- files that are not regular files -------------------------------------------------------------
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "matrix.yaml"
    os.mkfifo(fifo)
    with pytest.raises(MatrixError) as caught:
        load_file(fifo)  # with no writer, opening it for reading would block forever
    assert str(caught.value) == (
        f"{fifo}: (top level): is a FIFO (named pipe), not a regular file "
        "(save the matrix to a file and pass its path)"
    )


def test_dev_zero_is_refused_unread() -> None:
    tracemalloc.start()
    with pytest.raises(MatrixError) as caught:
        load_file(Path("/dev/zero"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert str(caught.value) == (
        "/dev/zero: (top level): is a character device, not a regular file "
        "(save the matrix to a file and pass its path)"
    )
    assert peak < 1024 * 1024


def test_a_long_chain_of_merge_keys_is_refused() -> None:
    lines = ["m0: &m0 {k: 1}"] + [f"m{i}: &m{i} {{<<: *m{i - 1}}}" for i in range(1, 700)]
    message = _refusal("\n".join(lines) + "\n")
    assert message.startswith("h.yaml:")
    assert "merge keys nest deeper than 100 levels" in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a: !!bool maybe\n", "not a valid bool"),
        ("a: !!int x\n", "invalid literal for int() with base 10: 'x'"),
        ("a: !!timestamp 2001-99-99\n", "month must be in 1..12"),
        ("a: !!python/object:os.system x\n", "could not determine a constructor for the tag"),
    ],
)
def test_explicitly_tagged_scalars_that_do_not_parse_are_located(text: str, reason: str) -> None:
    message = _refusal(text)
    assert message.startswith("h.yaml:1:4: a: cannot read ")
    assert reason in message


@pytest.mark.parametrize("where", ["start", "far"])
def test_a_control_character_is_a_located_error(where: str) -> None:
    # YAML allows no raw control character; the reader refuses it while reading ahead, at
    # the start or thousands of characters in.
    comments = "".join(f"# {'x' * 60}\n" for _ in range(300)) if where == "far" else ""
    message = _refusal("format: 1\n" + comments + "image:\n  name: a\x07b\n")
    line = 3 + (300 if where == "far" else 0)
    assert message.startswith(f"h.yaml:{line}:10: ")
    assert "U+0007" in message
