"""Commands for people reading the plan: explain, graph."""

from __future__ import annotations

from pathlib import Path

import click

from bakegen.commands.common import format_option, matrix_option, reports_errors, select_option
from bakegen.explain import as_json as explain_json
from bakegen.explain import as_text as explain_text
from bakegen.explain import find, rows
from bakegen.graph import dot, mermaid
from bakegen.pipeline import compile_path


@click.command()
@matrix_option
@click.argument("target")
@format_option("text", "json")
@reports_errors
def explain(matrix_path: Path, target: str, fmt: str) -> None:
    """Every resolved field of TARGET and the matrix line that set it."""
    compiled = compile_path(matrix_path)
    found = find(compiled, target)
    table = rows(compiled, found)
    click.echo(
        explain_json(found, table) if fmt == "json" else explain_text(found, table), nl=False
    )


@click.command()
@matrix_option
@format_option("mermaid", "dot")
@select_option
@reports_errors
def graph(matrix_path: Path, fmt: str, select: tuple[str, ...]) -> None:
    """The target dependency graph (shared stages, then the cells that use them)."""
    compiled = compile_path(matrix_path, select)
    click.echo(mermaid(compiled) if fmt == "mermaid" else dot(compiled), nl=False)
