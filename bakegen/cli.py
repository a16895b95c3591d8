"""The command line: parses options, calls the pipeline, maps errors to exit codes.

Exit codes: 0 success, 1 invalid matrix or failed command, 2 bad usage, 3 stale output
(`render --check`), 70 a bug in bakegen (a short "please report" message, no traceback),
141 the reader of the output went away.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, MutableMapping
from typing import NoReturn

import click

from bakegen import __version__

# Where each command is defined, one module a command (in the order README.md's table lists
# them; `--help` sorts them by name). A command's module is imported when the command is first
# looked up, so `bakegen --version` loads no command and each command loads only the
# modules it needs (the models, the schema, Jinja, the Dockerfile parser, ...).
COMMANDS = {
    "render": "bakegen.commands.render:render",
    "validate": "bakegen.commands.validate:validate",
    "lint": "bakegen.commands.lint:lint_",
    "list": "bakegen.commands.list:list_",
    "ci": "bakegen.commands.ci:ci",
    "manifest": "bakegen.commands.manifest:manifest",
    "run": "bakegen.commands.run:run",
    "explain": "bakegen.commands.explain:explain",
    "graph": "bakegen.commands.graph:graph",
    "schema": "bakegen.commands.schema:schema",
    "git-version": "bakegen.commands.git_version:git_version",
}


class _Commands(MutableMapping[str, click.Command]):
    """The subcommands by name, each imported on first use. Its keys are every name, so
    click's listing and its "did you mean" hint for a misspelt command see them all."""

    def __init__(self, where: dict[str, str]) -> None:
        self._where = dict(where)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module, attribute = self._where[name].split(":")
            command = getattr(importlib.import_module(module), attribute)
            assert isinstance(command, click.Command)
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._where.pop(name, None)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._where and name not in self._loaded:
            raise KeyError(name)
        self._where.pop(name, None)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter([*self._where, *(n for n in self._loaded if n not in self._where)])

    def __len__(self) -> int:
        return len(self._where.keys() | self._loaded.keys())


@click.group(commands=_Commands(COMMANDS), context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bakegen")
def main() -> None:
    """Compile a YAML build matrix into one docker-bake.hcl.

    \b
    Typical use, from the project root:
      bakegen render            # matrix/default.yaml -> docker-bake.hcl
      docker buildx bake --print
      docker buildx bake vllm   # one group: every vllm cell
    """


def entry() -> NoReturn:
    """The `bakegen` executable (and `python -m bakegen`): the command line, then a quick
    exit. A command that compiled a large matrix holds millions of small objects, and the
    interpreter's own exit frees them one by one (0.1 s at 10,000 cells) for nothing. The
    output is flushed and the process ends with the command's exit code, without that
    teardown. Nothing in bakegen relies on exit handlers: temporary directories go when
    their `with` ends, child processes are waited for. Under a profiler or a tracer
    (cProfile, coverage), whose results are written at exit, the exit is the usual one."""
    try:
        main.main(prog_name="bakegen")
        status: object = 0
    except SystemExit as exc:
        status = exc.code
    if status is None:
        status = 0
    elif not isinstance(status, int):
        print(status, file=sys.stderr)  # what sys.exit("text") prints, and exit status 1
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or 1  # a closed pipe: the output did not all arrive
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(status)
    os._exit(status)
