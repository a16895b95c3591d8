"""Hints quote a value exactly as it is written in the matrix."""

from __future__ import annotations

import pytest

from bakegen.errors import MatrixError
from bakegen.matrix.validate import load_matrix_text
from tests.support.helpers import MINIMAL


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("3.10", "3.10"),
        ("12.10", "12.10"),
        ("2025.10", "2025.10"),
        ("022", "022"),
        ("1.0e+3", "1.0e+3"),
    ],
)
def test_the_quote_it_hint_keeps_the_scalar_as_written(written: str, shown: str) -> None:
    text = MINIMAL + f"exclude:\n  - {{os: {written}}}\n"
    with pytest.raises(MatrixError) as caught:
        load_matrix_text(text, "m.yaml")
    assert str(caught.value) == (
        f"m.yaml:17:6: exclude[0].os: expected a list or a string, got the number {shown} "
        f'(quote it: "{shown}")'
    )


@pytest.mark.parametrize(
    ("written", "got", "hint"),
    [
        ("yes", "yes (which YAML reads as true or false)", ' (quote it: "yes")'),
        ("2024-01-01", "2024-01-01 (which YAML reads as a date)", ' (quote it: "2024-01-01")'),
        ("true", "true", ""),
        ("null", "null", ""),
    ],
)
def test_other_scalars_are_shown_as_written(written: str, got: str, hint: str) -> None:
    with pytest.raises(MatrixError) as caught:
        load_matrix_text(MINIMAL + f"exclude:\n  - {{os: {written}}}\n", "m.yaml")
    assert str(caught.value) == (
        f"m.yaml:17:6: exclude[0].os: expected a list or a string, got {got}{hint}"
    )
