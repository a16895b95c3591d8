"""Commands that compile the matrix: render, validate, list, schema, git-version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from bakegen.commands.common import (
    format_option,
    matrix_option,
    print_warnings,
    reports_errors,
    select_option,
)
from bakegen.gitmeta import git_info
from bakegen.matrix.schema import schema_text
from bakegen.matrix.validate import load_matrix
from bakegen.pipeline import Compiled, Format, check_files, compile_path, override_text
from bakegen.render.destinations import OWNER_TEXT, check_owner, plan_outputs
from bakegen.render.write import Content, check_current, write_files
from bakegen.templating import plain


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
    compiled = compile_path(matrix_path, select)
    print_warnings(compiled.warnings)
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


@click.command()
@matrix_option
@reports_errors
def validate(matrix_path: Path) -> None:
    """Check the matrix: schema, references, expansion and every resolved target."""
    compiled = compile_path(matrix_path)
    print_warnings(compiled.warnings)
    check_files(compiled)
    cells = [t for t in compiled.resolution.targets if t.kind == "cell"]
    shared = len(compiled.resolution.targets) - len(cells)
    click.echo(f"{matrix_path}: valid ({len(cells)} cells, {shared} shared stage targets)")


@click.command(name="list")
@matrix_option
@format_option("table", "json", "names", help="A table, JSON records, or one name per line.")
@select_option
@reports_errors
def list_(matrix_path: Path, fmt: str, select: tuple[str, ...]) -> None:
    """List the targets the matrix builds (cells first, then shared stages)."""
    compiled = compile_path(matrix_path, select)
    print_warnings(compiled.warnings)
    targets = compiled.resolution.targets
    # Each output is written at once: one echo per line costs more than the rest.
    if fmt == "names":
        if targets:
            click.echo("\n".join(t.name for t in targets))
    elif fmt == "json":
        click.echo(json.dumps(_records(compiled), indent=2, ensure_ascii=False))
    else:
        click.echo(table_text(compiled))


def _records(compiled: Compiled) -> list[dict[str, Any]]:
    return [
        {
            "name": t.name,
            "kind": t.kind,
            "values": dict(t.values),
            "dockerfile": plain(t.dockerfile),
            "stage": plain(t.stage),
            "platforms": list(t.platforms),
            "tags": [plain(x) for x in t.tags],
            "depends_on": list(t.depends_on),
        }
        for t in compiled.resolution.targets
    ]


def table_text(compiled: Compiled) -> str:
    """Name, axis values, Dockerfile and stage of each target, in aligned columns, each
    headed once."""
    axes = list(compiled.matrix.model.axes)
    header = ["NAME", *axis_headings(axes), "DOCKERFILE", "STAGE"]
    rows = [header]
    for t in compiled.resolution.targets:
        values = dict(t.values)
        rows.append(
            [t.name, *(values.get(a, "*") for a in axes), plain(t.dockerfile), plain(t.stage)]
        )
    widths = [max(map(len, col)) for col in zip(*rows, strict=True)]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def axis_headings(axes: list[str]) -> list[str]:
    """An axis's column is headed by its name in capitals, unless that is the heading of a
    target column or of another axis (an axis named `stage`, or `Stage` beside `stage`):
    then by the key path of its value in the JSON records, `VALUES.<axis>`."""
    fixed = {"NAME", "DOCKERFILE", "STAGE"}
    upper = [a.upper() for a in axes]
    return [
        f"VALUES.{a}" if u in fixed or upper.count(u) > 1 else u
        for a, u in zip(axes, upper, strict=True)
    ]


@click.command()
@reports_errors
def schema() -> None:
    """Print the JSON Schema of matrix files (for editors and CI)."""
    click.echo(schema_text(), nl=False)


@click.command(name="git-version")
@matrix_option
@reports_errors
def git_version(matrix_path: Path) -> None:
    """Print the VERSION that git gives, by the matrix's versioning rules."""
    matrix = load_matrix(matrix_path)
    info = git_info(matrix_path.resolve().parent, matrix.model.versioning)
    if info.warning:
        click.echo(f"warning: {info.warning}", err=True)
    click.echo(info.version)
