"""`bakegen explain`: where each resolved field of a target comes from."""

from __future__ import annotations

from pathlib import Path

import click

from bakegen.commands.common import compiled_matrix, format_option, matrix_option, reports_errors
from bakegen.explain import as_json as explain_json
from bakegen.explain import as_text as explain_text
from bakegen.explain import find, rows


@click.command()
@matrix_option
@click.argument("target")
@format_option("text", "json")
@reports_errors
def explain(matrix_path: Path, target: str, fmt: str) -> None:
    """Every resolved field of TARGET and the matrix line that set it."""
    compiled = compiled_matrix(matrix_path)
    found = find(compiled, target)
    table = rows(compiled, found)
    click.echo(
        explain_json(found, table) if fmt == "json" else explain_text(found, table), nl=False
    )
