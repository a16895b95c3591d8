"""`bakegen schema`: the JSON Schema of matrix files."""

from __future__ import annotations

import click

from bakegen.commands.common import reports_errors
from bakegen.matrix.schema import schema_text


@click.command()
@reports_errors
def schema() -> None:
    """Print the JSON Schema of matrix files (for editors and CI)."""
    click.echo(schema_text(), nl=False)
