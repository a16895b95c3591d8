"""The command line run in-process, as the tests call it."""

from __future__ import annotations

from click.testing import CliRunner, Result

from bakegen.cli import main


def bakegen(*args: str) -> Result:
    """`bakegen ARGS`: exit code, stdout and stderr apart."""
    return CliRunner().invoke(main, list(args))


def output_of(*args: str) -> str:
    """The stdout of a command that must succeed."""
    result = bakegen(*args)
    assert result.exit_code == 0, result.output
    return result.stdout
