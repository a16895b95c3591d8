"""`bakegen graph`: the target dependency graph, in Mermaid or Graphviz dot."""

from __future__ import annotations

from pathlib import Path

import click

from bakegen.commands.common import (
    compiled_matrix,
    format_option,
    matrix_option,
    reports_errors,
    select_option,
)
from bakegen.graph import dot, mermaid


@click.command()
@matrix_option
@format_option("mermaid", "dot")
@select_option
@reports_errors
def graph(matrix_path: Path, fmt: str, select: tuple[str, ...]) -> None:
    """The target dependency graph (shared stages, then the cells that use them)."""
    compiled = compiled_matrix(matrix_path, select)
    click.echo(mermaid(compiled) if fmt == "mermaid" else dot(compiled), nl=False)
