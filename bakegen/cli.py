"""The command line: parses options, calls the pipeline, maps errors to exit codes.

Exit codes: 0 success, 1 invalid matrix or failed command, 2 bad usage, 3 stale output
(`render --check`), 70 a bug in bakegen (a short "please report" message, no traceback).
"""

from __future__ import annotations

import click

from bakegen import __version__
from bakegen.commands.build import git_version, list_, render, schema, validate
from bakegen.commands.ci import ci, explain, graph, manifest
from bakegen.commands.lint import lint_
from bakegen.commands.run import run


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


for command in (
    render,
    validate,
    list_,
    lint_,
    ci,
    manifest,
    run,
    explain,
    graph,
    schema,
    git_version,
):
    main.add_command(command)
