"""What every command shares: the matrix and selection options, and error reporting."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from bakegen.errors import BakegenError, MatrixError, OutputDriftError, Problem
from bakegen.pipeline import DEFAULT_MATRIX

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


def format_option(*choices: str, help: str | None = None) -> Callable[[F], F]:
    """`--format` with these choices; the first is the default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )


select_option = click.option(
    "--select",
    "-s",
    "select",
    multiple=True,
    metavar="GLOB",
    help="Only targets whose name matches GLOB (repeatable); their dependencies come along.",
)


def print_warnings(problems: tuple[Problem, ...]) -> None:
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
