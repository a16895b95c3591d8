"""The command line: parses options, calls the pipeline, maps errors to exit codes.

Exit codes: 0 success, 1 invalid matrix or failed command, 2 bad usage, 3 stale output
(`render --check`).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from bakegen import __version__
from bakegen.changes import affected
from bakegen.ciplan import as_github, as_gitlab, as_json, plan
from bakegen.errors import BakegenError, MatrixError, OutputDriftError, OutputError, Problem
from bakegen.explain import as_json as explain_json
from bakegen.explain import as_text as explain_text
from bakegen.explain import find, rows
from bakegen.graph import dot, mermaid
from bakegen.lint import find_hadolint, format_json, format_text, lint, summary
from bakegen.manifest import bake_values, joins
from bakegen.pipeline import (
    DEFAULT_MATRIX,
    Compiled,
    Format,
    check_files,
    compile_path,
    override_path,
    version_text,
)
from bakegen.run import (
    RunOptions,
    choose_cell,
    docker_command,
    execute,
    home_of,
    host_platform,
    image_of,
    workspace_root,
)
from bakegen.schema import schema_text
from bakegen.templating import plain
from bakegen.validate import load_matrix
from bakegen.write import check_current, same_file, write_atomic

F = TypeVar("F", bound=Callable[..., Any])

matrix_option = click.option(
    "--matrix",
    "-m",
    "matrix_path",
    type=click.Path(path_type=Path),
    default=DEFAULT_MATRIX,
    show_default=True,
    help="The matrix file.",
)
select_option = click.option(
    "--select",
    "-s",
    "select",
    multiple=True,
    metavar="GLOB",
    help="Only targets whose name matches GLOB (repeatable); their dependencies come along.",
)


def _print_warnings(problems: tuple[Problem, ...]) -> None:
    for problem in problems:
        click.echo(f"warning: {problem}", err=True)


def reports_errors(func: F) -> F:
    """Turn bakegen errors into `Error: …` on stderr and the error's exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OutputDriftError as exc:
            click.echo(exc.diff, nl=False)
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except MatrixError as exc:
            count = len(exc.problems)
            click.echo(f"Error: invalid matrix ({count} problem{'s' * (count != 1)}):", err=True)
            for problem in exc.problems:
                click.echo(f"  {problem}", err=True)
            sys.exit(exc.exit_code)
        except BakegenError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bakegen")
def main() -> None:
    """Compile a YAML build matrix into one docker-bake.hcl.

    \b
    Typical use, from the project root:
      bakegen render            # matrix/default.yaml -> docker-bake.hcl
      docker buildx bake --print
      docker buildx bake vllm   # one group: every vllm cell
    """


@main.command()
@matrix_option
@click.option(
    "--output",
    "-o",
    type=str,
    default=None,
    help="Where to write; '-' for stdout.  [default: docker-bake.hcl or .json]",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["hcl", "json"]),
    default="hcl",
    show_default=True,
    help="HCL, or the equivalent HCL-JSON.",
)
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
    _print_warnings(compiled.warnings)
    check_files(compiled)
    text = compiled.text(fmt)
    if output == "-":
        click.echo(text, nl=False)
        return
    target = Path(output) if output else Path(f"docker-bake.{fmt}")
    if check:
        check_current(target, text)
        click.echo(f"{target} is up to date", err=True)
        return
    extra = override_path(target, fmt)
    if same_file(target, matrix_path) or (git_vars and same_file(extra, matrix_path)):
        raise OutputError(f"{target}: refusing to write over the matrix file {matrix_path}")
    if git_vars and same_file(extra, target):
        raise OutputError(
            f"{target}: the output and the git variables file are the same path; "
            "choose another --output or pass --no-git-vars"
        )
    changed = write_atomic(target, text)
    click.echo(
        f"{'wrote' if changed else 'unchanged'} {target} ({len(compiled.bake.targets)} targets)",
        err=True,
    )
    if git_vars:
        info, override = version_text(compiled.matrix, fmt, matrix_path.resolve().parent)
        if info.warning:
            click.echo(f"warning: {info.warning}", err=True)
        write_atomic(extra, override)
        click.echo(f"wrote {extra} (VERSION={info.version})", err=True)


@main.command()
@matrix_option
@reports_errors
def validate(matrix_path: Path) -> None:
    """Check the matrix: schema, references, expansion and every resolved target."""
    compiled = compile_path(matrix_path)
    _print_warnings(compiled.warnings)
    check_files(compiled)
    cells = [t for t in compiled.resolution.targets if t.kind == "cell"]
    shared = len(compiled.resolution.targets) - len(cells)
    click.echo(f"{matrix_path}: valid ({len(cells)} cells, {shared} shared stage targets)")


@main.command(name="list")
@matrix_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "names"]),
    default="table",
    show_default=True,
    help="A table, JSON records, or one name per line.",
)
@select_option
@reports_errors
def list_(matrix_path: Path, fmt: str, select: tuple[str, ...]) -> None:
    """List the targets the matrix builds (cells first, then shared stages)."""
    compiled = compile_path(matrix_path, select)
    _print_warnings(compiled.warnings)
    records = _records(compiled)
    if fmt == "names":
        for record in records:
            click.echo(record["name"])
    elif fmt == "json":
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        _table(compiled, records)


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


def _table(compiled: Compiled, records: list[dict[str, Any]]) -> None:
    axes = list(compiled.matrix.model.axes)
    header = ["TARGET", *(a.upper() for a in axes), "DOCKERFILE", "STAGE"]
    rows = [
        [r["name"], *(r["values"].get(a, "*") for a in axes), r["dockerfile"], r["stage"]]
        for r in records
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    for row in [header, *rows]:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


@main.command(name="lint")
@matrix_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people, stable JSON for CI annotations.",
)
@click.option(
    "--hadolint/--no-hadolint",
    "use_hadolint",
    default=True,
    show_default=True,
    help="Add hadolint's findings when hadolint is installed.",
)
@select_option
@reports_errors
def lint_(matrix_path: Path, fmt: str, use_hadolint: bool, select: tuple[str, ...]) -> None:
    """Check that the matrix, the bake targets and the Dockerfiles agree.

    For every target: its Dockerfile and stage exist; every named context a stage uses is
    provided and every provided one is used; every arg is declared where it takes effect;
    secrets match the mounts; no build arg carries a credential; base images are pinned.
    Exits 1 when any error is found. Paths are relative to the current directory, where
    bake runs.
    """
    compiled = compile_path(matrix_path, select)
    _print_warnings(compiled.warnings)
    binary = find_hadolint() if use_hadolint else None
    findings = lint(compiled, Path(), binary)
    count = len(compiled.resolution.targets)
    text = format_json(findings, count) if fmt == "json" else format_text(findings, count)
    click.echo(text, nl=False)
    if summary(findings)["error"]:
        sys.exit(1)


@main.command(name="ci")
@matrix_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["github", "gitlab", "json"]),
    default="json",
    show_default=True,
    help="GitHub Actions strategy.matrix JSON, a GitLab child pipeline, or plain JSON.",
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
    compiled = compile_path(matrix_path, select)
    _print_warnings(compiled.warnings)
    only = None
    if changed_since is not None:
        found = affected(compile_path(matrix_path), changed_since)
        only = frozenset(
            n for n in found.targets if n in {t.name for t in compiled.resolution.targets}
        )
        click.echo(
            f"--changed-since {changed_since}: {len(only)} targets affected ({found.reason})",
            err=True,
        )
    jobs = plan(compiled, shards, only)
    if fmt == "github":
        click.echo(json.dumps(as_github(jobs, layer)))
    elif fmt == "gitlab":
        click.echo(as_gitlab(jobs, bake_files, parent_job), nl=False)
    else:
        click.echo(json.dumps(as_json(jobs), indent=2))


@main.command()
@matrix_option
@click.option("--dry-run", is_flag=True, help="Print the commands instead of running them.")
@select_option
@reports_errors
def manifest(matrix_path: Path, dry_run: bool, select: tuple[str, ...]) -> None:
    """Join per-platform images into multi-arch tags (docker buildx imagetools create).

    Cells that differ only in ci.manifest.axis are joined under ci.manifest.tags. Values of
    REGISTRY, IMAGE_NAME, VERSION and TAG_LATEST come from the environment, as in bake;
    VERSION defaults to the version git gives.
    """
    compiled = compile_path(matrix_path, select)
    values = bake_values(compiled, dict(os.environ), matrix_path.resolve().parent)
    for item in joins(compiled, values):
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


@main.command(context_settings={"ignore_unknown_options": False})
@matrix_option
@click.option("--image", default=None, help="Run this image instead of the cell's tag.")
@click.option("--framework", default=None, help="The framework axis value (run.sh's --framework).")
@click.option("--target", "target_value", default=None, help="The target axis value.")
@click.option(
    "--cell",
    "cells",
    multiple=True,
    metavar="AXIS=VALUE",
    help="Any other axis value, e.g. --cell cuda=13.0 (repeatable).",
)
@click.option("--name", default=None, help="Container name.")
@click.option("--gpus", default="all", show_default=True, help="GPUs; 'none' for no GPU.")
@click.option("--runtime", default="nvidia", show_default=True, help="Container runtime.")
@click.option("--entrypoint", default=None, help="Override the image's entrypoint.")
@click.option("--workdir", default="/workspace", show_default=True, help="Working directory.")
@click.option(
    "--privileged",
    default="FALSE",
    show_default=True,
    metavar="TRUE|FALSE",
    help="Run privileged (any value but false).",
)
@click.option(
    "--rm",
    "remove",
    default="TRUE",
    show_default=True,
    metavar="TRUE|FALSE",
    help="Remove the container when it exits.",
)
@click.option("-v", "volumes", multiple=True, metavar="MOUNT", help="A volume (repeatable).")
@click.option(
    "-p",
    "--port",
    "ports",
    multiple=True,
    metavar="HOST:CTR",
    help="A published port (repeatable).",
)
@click.option(
    "-e", "env", multiple=True, metavar="VAR[=VALUE]", help="An environment variable (repeatable)."
)
@click.option("-i", "--interactive", is_flag=True, help="Keep stdin open ...")
@click.option("-t", "--tty", is_flag=True, help="... with a terminal (-it: both).")
@click.option(
    "--mount-workspace",
    is_flag=True,
    help="Mount the repository at /workspace, /tmp, /mnt and the HF cache; pass HF_TOKEN.",
)
@click.option("--use-nixl-gds", is_flag=True, help="Mounts and capabilities NIXL GDS needs.")
@click.option(
    "--hf-home",
    "--hf-cache",
    "hf_home",
    default=None,
    metavar="DIR|none",
    help="Host HF cache to mount (default: $HF_HOME).",
)
@click.option("--network", default="host", show_default=True, help="Network mode.")
@click.option("--user", default=None, metavar="USER[:GROUP]", help="Run as this user.")
@click.option("--dry-run", is_flag=True, help="Print the docker command instead of running it.")
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
@reports_errors
def run(
    matrix_path: Path,
    image: str | None,
    framework: str | None,
    target_value: str | None,
    cells: tuple[str, ...],
    name: str | None,
    gpus: str,
    runtime: str,
    entrypoint: str | None,
    workdir: str,
    privileged: str,
    remove: str,
    volumes: tuple[str, ...],
    ports: tuple[str, ...],
    env: tuple[str, ...],
    interactive: bool,
    tty: bool,
    mount_workspace: bool,
    use_nixl_gds: bool,
    hf_home: str | None,
    network: str,
    user: str | None,
    dry_run: bool,
    command: tuple[str, ...],
) -> None:
    """Run a container of a matrix cell's image (what run.sh did), e.g.

    \b
      bakegen run --framework vllm --target dev --mount-workspace -it
      bakegen run --framework sglang --gpus 0,1 --dry-run -- python -m dynamo.frontend

    The image is the tag the bake file gives the cell (its latest alias while TAG_LATEST is
    on). Axes not named take run.defaults, then the value for this machine's platform. With
    --dry-run the command is printed; otherwise docker runs and its exit code is returned.
    """
    wanted = {}
    for item in cells:
        axis, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not AXIS=VALUE", param_hint="--cell")
        wanted[axis] = value
    if framework is not None:
        wanted["framework"] = framework.lower()
    if target_value is not None:
        wanted["target"] = target_value
    compiled = compile_path(matrix_path)
    values = bake_values(compiled, dict(os.environ), matrix_path.resolve().parent)
    cell = choose_cell(compiled, wanted, host_platform())
    options = RunOptions(
        image=image,
        cell=wanted,
        name=name,
        gpus=gpus,
        runtime=runtime,
        entrypoint=entrypoint,
        workdir=workdir,
        privileged=privileged.lower() != "false",
        rm=remove.lower() != "false",
        volumes=volumes,
        ports=ports,
        env=env,
        interactive=interactive or tty,
        mount_workspace=mount_workspace,
        use_nixl_gds=use_nixl_gds,
        hf_home=hf_home,
        network=network,
        user=user,
        command=command,
    )
    argv, cache = docker_command(
        options,
        image or image_of(cell, values),
        home_of(compiled, cell, user),
        workspace_root(Path.cwd()),
        os.environ,
    )
    if dry_run:
        click.echo(shlex.join(argv))
        return
    sys.exit(execute(argv, cache))


@main.command()
@matrix_option
@click.argument("target")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@reports_errors
def explain(matrix_path: Path, target: str, fmt: str) -> None:
    """Every resolved field of TARGET and the matrix line that set it."""
    compiled = compile_path(matrix_path)
    found = find(compiled, target)
    table = rows(compiled, found)
    click.echo(
        explain_json(found, table) if fmt == "json" else explain_text(found, table), nl=False
    )


@main.command()
@matrix_option
@click.option(
    "--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True
)
@select_option
@reports_errors
def graph(matrix_path: Path, fmt: str, select: tuple[str, ...]) -> None:
    """The target dependency graph (shared stages, then the cells that use them)."""
    compiled = compile_path(matrix_path, select)
    click.echo(mermaid(compiled) if fmt == "mermaid" else dot(compiled), nl=False)


@main.command()
@reports_errors
def schema() -> None:
    """Print the JSON Schema of matrix files (for editors and CI)."""
    click.echo(schema_text(), nl=False)


@main.command(name="git-version")
@matrix_option
@reports_errors
def git_version(matrix_path: Path) -> None:
    """Print the VERSION that git gives, by the matrix's versioning rules."""
    matrix = load_matrix(matrix_path)
    info, _ = version_text(matrix, "hcl", matrix_path.resolve().parent)
    click.echo(info.version)
