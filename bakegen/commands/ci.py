"""`bakegen ci`: the CI jobs, in dependency layers."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bakegen.ci.changes import affected
from bakegen.ci.plan import as_github, as_gitlab, as_json, plan
from bakegen.commands.common import (
    compiled_matrix,
    format_option,
    matrix_option,
    reports_errors,
    select_option,
)
from bakegen.lint.linter import Linter
from bakegen.pipeline import Compiled, compile_path


@click.command(name="ci")
@matrix_option
@format_option(
    "json",
    "github",
    "gitlab",
    help="Plain JSON, GitHub Actions strategy.matrix JSON, or a GitLab child pipeline.",
)
@click.option(
    "--shards",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="At most this many jobs per layer and platform.",
)
@click.option(
    "--layer",
    type=click.IntRange(min=0),
    default=None,
    help="Only this dependency layer (github format).",
)
@click.option(
    "--part",
    type=click.IntRange(min=1),
    default=None,
    help="GitHub: only the Nth 256 jobs of the layer (a strategy.matrix holds 256 at most).",
)
@click.option(
    "--changed-since",
    "changed_since",
    metavar="REF",
    default=None,
    help="Only targets whose inputs changed since this git revision.",
)
@click.option(
    "--bake-file",
    "bake_files",
    multiple=True,
    metavar="PATH",
    help="Bake files the GitLab jobs pass with -f (repeatable).",
)
@click.option(
    "--parent-job",
    default="plan",
    show_default=True,
    metavar="NAME",
    help="GitLab: the parent pipeline's job whose artifacts hold the bake files.",
)
@select_option
@reports_errors
def ci(
    matrix_path: Path,
    fmt: str,
    shards: int,
    layer: int | None,
    part: int | None,
    changed_since: str | None,
    bake_files: tuple[str, ...],
    parent_job: str,
    select: tuple[str, ...],
) -> None:
    """CI jobs: the targets in dependency layers, one job per platform and shard.

    Layer 0 builds the targets that use no other target (shared stages), each later layer
    the targets that use earlier ones, so every layer finds its dependencies in the registry
    cache. Each job names its targets, platform, runner (ci.runners) and the jobs it needs.
    """
    if part is not None and (fmt != "github" or layer is None):
        raise click.UsageError("--part goes with --format github and --layer")
    compiled = compiled_matrix(matrix_path, select)
    warn_cache_misses(compiled)
    only = None
    if changed_since is not None:
        # Changes are judged on the whole matrix (the matrix at REF has no selection).
        whole = compile_path(matrix_path) if select else compiled
        found = affected(whole, changed_since)
        only = found.targets & {t.name for t in compiled.resolution.targets}
        click.echo(
            f"--changed-since {changed_since}: {len(only)} targets affected ({found.reason})",
            err=True,
        )
        for reason, names in sorted(found.unknown.items()):
            named = sorted(names & only)
            if named:
                shown = ", ".join(named[:3]) + (
                    f", … ({len(named)} targets)" if len(named) > 3 else ""
                )
                click.echo(f"  selected without knowing: {reason}: {shown}", err=True)
    jobs = plan(compiled, shards, only)
    if fmt == "github":
        click.echo(json.dumps(as_github(jobs, layer, part)))
    elif fmt == "gitlab":
        click.echo(as_gitlab(jobs, bake_files, parent_job, str(matrix_path)), nl=False)
    else:
        click.echo(json.dumps(as_json(jobs), indent=2))


def warn_cache_misses(compiled: Compiled) -> None:
    """The jobs rely on the registry cache of earlier layers; say where a fresh runner will
    miss it (the `context-copy-unlinked` findings of `bakegen lint`)."""
    for finding in Linter(compiled, Path()).cache_misses():
        click.echo(
            f"warning: {finding.file}:{finding.line}: {finding.message}; {finding.hint}",
            err=True,
        )
