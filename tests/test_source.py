"""Loading YAML: data, positions, and refusal of hostile input."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from bakegen.errors import MatrixError
from bakegen.source import MAX_BYTES, load_file, load_text


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
