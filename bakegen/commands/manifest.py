"""`bakegen manifest`: per-platform images joined into multi-arch tags."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import click

from bakegen.ci.digests import read_pushes
from bakegen.ci.manifest import bake_values, joins
from bakegen.commands.common import (
    compiled_matrix,
    matrix_option,
    print_warning,
    reports_errors,
    select_option,
)
from bakegen.errors import OutputError


@click.command()
@matrix_option
@click.option("--dry-run", is_flag=True, help="Print the commands instead of running them.")
@click.option(
    "--metadata",
    "metadata",
    multiple=True,
    metavar="PATH",
    type=click.Path(path_type=Path),
    help="A metadata file of `docker buildx bake --metadata-file`, or a folder of them "
    "(repeatable): the digests of cells that push by digest.",
)
@select_option
@reports_errors
def manifest(
    matrix_path: Path, dry_run: bool, metadata: tuple[Path, ...], select: tuple[str, ...]
) -> None:
    """Join per-platform images into multi-arch tags (docker buildx imagetools create).

    Cells that differ only in ci.manifest.axis are joined under ci.manifest.tags, in the
    image's repository and in each mirror's. Cells that push by digest are joined from the
    digests in the build jobs' metadata files (--metadata). Values of REGISTRY, IMAGE_NAME,
    VERSION and TAG_LATEST come from the environment, as in bake; VERSION defaults to the
    version git gives.
    """
    compiled = compiled_matrix(matrix_path, select)
    values = bake_values(
        compiled, dict(os.environ), matrix_path.resolve().parent, warn=print_warning
    )
    found = joins(compiled, values, read_pushes(metadata) if metadata else None)
    for warning in (w for item in found for w in item.warnings):
        click.echo(f"warning: {warning}", err=True)
    for item in found:
        argv = item.argv()
        if dry_run:
            click.echo(shlex.join(argv))
            continue
        click.echo(f"+ {shlex.join(argv)}", err=True)
        try:
            code = subprocess.run(argv, check=False).returncode
        except FileNotFoundError:
            raise OutputError("docker is not installed or not on PATH") from None
        if code:
            sys.exit(code)
