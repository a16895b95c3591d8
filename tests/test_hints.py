"""Hints quote a value exactly as it is written in the matrix."""

from __future__ import annotations

import pytest

from bakegen.errors import MatrixError
from bakegen.validate import load_matrix_text
from tests.helpers import MINIMAL


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
