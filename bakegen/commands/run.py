"""`bakegen run`: run.sh's job."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import click

from bakegen.ci.manifest import bake_values, image_values
from bakegen.commands.common import compiled_matrix, matrix_option, print_warning, reports_errors
from bakegen.run import (
    RunOptions,
    choose_cell,
    choose_image,
    docker_command,
    execute,
    home_of,
    host_platform,
    image_of,
    workspace_root,
)


@click.command(context_settings={"ignore_unknown_options": False})
@matrix_option
@click.option("--image", default=None, help="Run this image instead of the cell's tag.")
@click.option(
    "--image-key",
    default=None,
    metavar="KEY",
    help="With `images`: the image whose cell runs (default: the only one that fits).",
)
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
    image_key: str | None,
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
    whole = compiled_matrix(matrix_path)
    key, compiled = choose_image(whole, image_key, wanted)
    found = bake_values(whole, dict(os.environ), matrix_path.resolve().parent, warn=print_warning)
    values = image_values(found, key)
    cell = choose_cell(compiled, wanted, host_platform())
    options = RunOptions(
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
