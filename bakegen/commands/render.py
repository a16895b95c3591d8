"""`bakegen render`: the bake file, written atomically, and its git-variables override."""

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
from bakegen.gitmeta import git_info
from bakegen.pipeline import Format, check_files, override_text
from bakegen.render.destinations import OWNER_TEXT, check_owner, plan_outputs
from bakegen.render.write import Content, check_current, write_files


@click.command()
@matrix_option
@click.option(
    "--output",
    "-o",
    type=str,
    default=None,
    help="Where to write; '-' for stdout.  [default: docker-bake.hcl or .json]",
)
@format_option("hcl", "json", help="HCL, or the equivalent HCL-JSON.")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 3 with a diff when the file on disk is stale.",
)
@click.option(
    "--git-vars/--no-git-vars",
    default=True,
    show_default=True,
    help="Also write docker-bake.override.* with VERSION and COMMIT_SHA from git.",
)
@select_option
@reports_errors
def render(
    matrix_path: Path,
    output: str | None,
    fmt: Format,
    check: bool,
    git_vars: bool,
    select: tuple[str, ...],
) -> None:
    """Render the bake file from the matrix.

    Writes atomically: a failed run leaves the previous file as it was. Git-derived values go
    to docker-bake.override.hcl (loaded by bake automatically), so the main file changes only
    when the matrix or bakegen does.
    """
    if output == "-" and check:
        raise click.UsageError("--check needs a file to compare with, not '-'")
    compiled = compiled_matrix(matrix_path, select)
    check_files(compiled)
    if output == "-":
        for piece in compiled.pieces(fmt):
            click.echo(piece, nl=False)
        return
    if check:
        target = Path(output) if output else Path(f"docker-bake.{fmt}")
        check_current(target, compiled.text(fmt))
        click.echo(f"{target} is up to date", err=True)
        return
    outputs = plan_outputs(output, fmt, matrix_path, git_vars)
    files: list[tuple[Path, Content]] = [(outputs.main, compiled.pieces(fmt))]
    info = None
    if outputs.override is not None:
        info = git_info(matrix_path.resolve().parent, compiled.matrix.model.versioning)
        if info.warning:
            click.echo(f"warning: {info.warning}", err=True)
        owner = OWNER_TEXT.format(main=outputs.main_name, matrix=outputs.matrix_name)
        files.append((outputs.override, override_text(compiled, fmt, info, owner)))
    changed = write_files(files, check=lambda: check_owner(outputs, fmt))
    count = len(compiled.bake.targets)
    click.echo(
        f"{'wrote' if changed[0] else 'unchanged'} {outputs.main} ({count} targets)", err=True
    )
    if outputs.override is not None and info is not None:
        click.echo(f"wrote {outputs.override} (VERSION={info.version})", err=True)
