"""What holds for every command the CLI defines, taken from the CLI's own list (`cli.COMMANDS`)
so that a new command cannot slip past: each prints the matrix's warnings, and README.md's
"Commands" table names each of them with options it really has."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bakegen.cli import COMMANDS, main
from tests.support import ROOT
from tests.support.git import git
from tests.support.helpers import MINIMAL, write


def command(name: str) -> click.Command:
    found = main.commands[name]
    assert isinstance(found, click.Command)
    return found


def reads_matrix(name: str) -> bool:
    return any(p.name == "matrix_path" for p in command(name).params)


READING = [name for name in COMMANDS if reads_matrix(name)]

# What each command needs beyond `-m matrix.yaml` to run on WARNED: a target, a cell, and no
# docker (manifest and run print their commands instead).
ARGUMENTS = {
    "render": ["-o", "-"],
    "lint": ["--no-hadolint"],
    "explain": ["jammy-runtime"],
    "manifest": ["--dry-run"],
    "run": ["--dry-run", "--cell", "os=jammy", "--target", "dev"],
}
# `git-version` reads only the matrix's versioning rules: it loads the matrix (and prints what
# loading warns about) but does not compile it, so that a matrix that does not resolve still
# has a version.
LOADS_ONLY = {"git-version"}

# An `optional_args` entry that no target passes is reported when the matrix is compiled; a
# string that is not in Unicode NFC, when it is loaded (an `x-` key changes nothing else).
WARNED = (
    MINIMAL
    + """\
  optional_args: [UNUSED]
ci:
  manifest:
    axis: os
    tags: ["{version}-{target.id}"]
x-note: "cafe\u0301"
"""
)
COMPILE_WARNING = "defaults.optional_args[0]: optional_args names 'UNUSED'"
LOAD_WARNING = "x-note: 'cafe\u0301' is not in Unicode NFC"


@pytest.fixture
def warned(in_tmp: Path) -> Path:
    write(in_tmp, WARNED)
    write(in_tmp, "FROM ubuntu:24.04 AS runtime\nFROM runtime AS dev\n", "Dockerfile")
    git(in_tmp, "init", "-q")
    git(in_tmp, "add", ".")
    git(in_tmp, "commit", "-qm", "m")
    git(in_tmp, "tag", "v1.0.0")
    return in_tmp


def run_on_warned(name: str) -> str:
    args = [name, "-m", "matrix.yaml", *ARGUMENTS.get(name, [])]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return result.stderr


def test_each_command_has_a_module_of_its_name() -> None:
    # One module a command, as the README's layout says: a command is found by its name.
    assert {name: COMMANDS[name].split(":")[0] for name in COMMANDS} == {
        name: f"bakegen.commands.{name.replace('-', '_')}" for name in COMMANDS
    }


def test_every_command_but_schema_reads_a_matrix() -> None:
    # A command that reads a matrix some other way than `--matrix` would escape the tests
    # below: it has to be added to them first.
    assert set(COMMANDS) - set(READING) == {"schema"}


@pytest.mark.parametrize("name", READING)
@pytest.mark.usefixtures("warned")
def test_every_command_prints_what_loading_the_matrix_warns_about(name: str) -> None:
    stderr = run_on_warned(name)
    assert stderr.count(f"warning: matrix.yaml:21:1: {LOAD_WARNING}") == 1, stderr


@pytest.mark.parametrize("name", [n for n in READING if n not in LOADS_ONLY])
@pytest.mark.usefixtures("warned")
def test_every_command_prints_what_compiling_the_matrix_warns_about(name: str) -> None:
    stderr = run_on_warned(name)
    assert stderr.count(f"warning: matrix.yaml:16:19: {COMPILE_WARNING}") == 1, stderr


# -- README.md's "Commands" table ----------------------------------------------------------------
def readme_synopses() -> dict[str, str]:
    """The first column of each row of the "Commands" table (the command's synopsis), by the
    command it shows. The second column is prose, free to quote other tools' options."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in table.splitlines():
        found = re.match(r"\| `bakegen ([a-z-]+)[ `]", line)
        if found:
            assert found[1] not in rows, f"{found[1]} has two rows"
            rows[found[1]] = line.split(" | ", 1)[0]
    return rows


def options_written(synopsis: str) -> set[str]:
    """The options a synopsis names: `--long` and `-x` words (not `--`, which ends the options)."""
    return set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", synopsis))


def options_of(name: str) -> set[str]:
    return {o for p in command(name).params for o in (*p.opts, *p.secondary_opts)}


def test_readme_commands_table_lists_every_command() -> None:
    assert list(readme_synopses()) == list(COMMANDS)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_readme_commands_table_names_only_options_the_command_has(name: str) -> None:
    synopsis = readme_synopses()[name]
    assert options_written(synopsis) <= options_of(name) | {"-h", "--help"}


@pytest.mark.parametrize("name", [n for n in COMMANDS if n != "run"])
def test_readme_commands_table_names_every_option(name: str) -> None:
    # `run` also takes run.sh's container options (docs/migration.md); its row names those
    # that choose the image and leaves the rest to `bakegen run --help`.
    written = options_written(readme_synopses()[name])
    missing = [
        p.opts[0]
        for p in command(name).params
        if p.opts[0].startswith("-") and not written & {*p.opts, *p.secondary_opts}
    ]
    assert not missing, f"README's row of {name} does not name {missing}"
