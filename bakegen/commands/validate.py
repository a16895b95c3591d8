"""`bakegen validate`: the matrix checked through to every resolved target."""

from __future__ import annotations

from pathlib import Path

import click

from bakegen.commands.common import compiled_matrix, matrix_option, reports_errors
from bakegen.pipeline import check_files


@click.command()
@matrix_option
@reports_errors
def validate(matrix_path: Path) -> None:
    """Check the matrix: schema, references, expansion and every resolved target."""
    compiled = compiled_matrix(matrix_path)
    check_files(compiled)
    cells = [t for t in compiled.resolution.targets if t.kind == "cell"]
    shared = len(compiled.resolution.targets) - len(cells)
    click.echo(f"{matrix_path}: valid ({len(cells)} cells, {shared} shared stage targets)")
