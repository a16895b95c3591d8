"""`bakegen git-version`: the VERSION git gives, by the matrix's versioning rules."""

from __future__ import annotations

from pathlib import Path

import click

from bakegen.commands.common import loaded_matrix, matrix_option, reports_errors
from bakegen.gitmeta import git_info


@click.command(name="git-version")
@matrix_option
@reports_errors
def git_version(matrix_path: Path) -> None:
    """Print the VERSION that git gives, by the matrix's versioning rules."""
    matrix = loaded_matrix(matrix_path)
    info = git_info(matrix_path.resolve().parent, matrix.model.versioning)
    if info.warning:
        click.echo(f"warning: {info.warning}", err=True)
    click.echo(info.version)
