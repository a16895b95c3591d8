"""`bakegen lint`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bakegen.commands.common import (
    compiled_matrix,
    format_option,
    matrix_option,
    reports_errors,
    select_option,
)
from bakegen.errors import EngineUnavailable
from bakegen.lint.linter import find_hadolint, lint_report
from bakegen.lint.report import format_json, format_text, summary


@click.command(name="lint")
@matrix_option
@format_option("text", "json", help="Text for people, stable JSON for CI annotations.")
@click.option(
    "--hadolint/--no-hadolint",
    "use_hadolint",
    default=True,
    show_default=True,
    help="Add hadolint's findings when hadolint is installed.",
)
@click.option(
    "--engine",
    is_flag=True,
    help="Also run BuildKit's `docker buildx bake --call check` on every target (needs buildx).",
)
@click.option(
    "--engine-base",
    metavar="IMAGE",
    default=None,
    help="With --engine: an image that stands in for every base image (for offline machines).",
)
@select_option
@reports_errors
def lint_(
    matrix_path: Path,
    fmt: str,
    use_hadolint: bool,
    engine: bool,
    engine_base: str | None,
    select: tuple[str, ...],
) -> None:
    """Check that the matrix, the bake targets and the Dockerfiles agree.

    For every target: its Dockerfile and stage exist; every named context a stage uses is
    provided and every provided one is used; every arg is declared where it takes effect;
    secrets match the mounts; no build arg carries a credential; base images are pinned.
    Also runs BuildKit's own Dockerfile checks on what each target builds. Exits 1 when
    any error is found, 2 when --engine is asked for and docker buildx is not there. Paths are relative to the current directory, where
    bake runs.
    """
    compiled = compiled_matrix(matrix_path, select)
    binary = find_hadolint() if use_hadolint else None
    try:
        report = lint_report(compiled, Path(), binary, engine, engine_base)
    except EngineUnavailable as exc:
        click.echo(f"error: --engine: {exc}", err=True)
        sys.exit(2)
    findings, left_out = report.findings(), report.suppressed()
    count = len(compiled.resolution.targets)
    if fmt == "json":
        text = format_json(findings, count, left_out)
    else:
        text = format_text(findings, count, len(left_out))
    click.echo(text, nl=False)
    if summary(findings)["error"]:
        sys.exit(1)
