"""What every command shares: the matrix and selection options, reading the matrix with its
warnings printed, and error reporting. Every command that reads a matrix reads it through
`compiled_matrix` (or `loaded_matrix`), so none of them drops a warning; every command is
wrapped in `reports_errors`, so each error has the same form and exit code everywhere."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from bakegen import __version__
from bakegen.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_CRASH,
    BakegenError,
    MatrixError,
    OutputDriftError,
    Problem,
)
from bakegen.matrix.validate import Matrix, load_matrix
from bakegen.pipeline import DEFAULT_MATRIX, Compiled, compile_path, gc_paused

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


def print_warning(text: str) -> None:
    click.echo(f"warning: {text}", err=True)


def compiled_matrix(matrix_path: Path, select: tuple[str, ...] = ()) -> Compiled:
    """The matrix compiled (only the targets `select` names, and what they need), its
    warnings printed on stderr."""
    compiled = compile_path(matrix_path, select)
    print_warnings(compiled.warnings)
    return compiled


def loaded_matrix(matrix_path: Path) -> Matrix:
    """The matrix loaded and checked but not compiled, for a command that reads only its
    settings; what loading warns about is printed on stderr."""
    matrix = load_matrix(matrix_path)
    print_warnings(matrix.warnings)
    return matrix


def report_crash(exc: BaseException) -> NoReturn:
    """A bug in bakegen: a short message to report instead of a traceback."""
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
    click.echo(
        f"bakegen {__version__} crashed: {type(exc).__name__}{at}: {exc}\n"
        "This is a bug in bakegen, not in your matrix. Please report it with the command "
        "you ran (and the matrix, if you can share it). Set BAKEGEN_TRACEBACK=1 to see "
        "the traceback.",
        err=True,
    )
    if os.environ.get("BAKEGEN_TRACEBACK"):
        traceback.print_exception(exc)
    sys.exit(EXIT_CRASH)


def reports_errors(func: F) -> F:
    """Turn bakegen errors into `Error: …` on stderr and the error's exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            # A command's objects mostly live until it ends and form almost no cycles: the
            # cyclic collector would only rescan the compiled matrix, several times over
            # (a quarter of a second at 10,000 cells). Reference counting still frees.
            with gc_paused():
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
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Aborted.", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # The output's reader went away (`bakegen validate | head -0`): not a bug, and
            # nothing more to say. What is still buffered goes nowhere instead of failing.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_BROKEN_PIPE)
        except Exception as exc:  # noqa: BLE001 - the last resort: a bug, not a user error
            report_crash(exc)

    return wrapper  # type: ignore[return-value]
