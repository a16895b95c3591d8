"""The package's shape: no import cycles, small modules, one root for every error, and a
crash that reads as a bug report rather than a traceback."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import bakegen
from bakegen import errors
from bakegen.cli import main

PACKAGE = Path(bakegen.__file__).parent
MODULES = sorted(
    m.name for m in pkgutil.walk_packages([str(PACKAGE)], prefix="bakegen.") if not m.ispkg
)
MAX_LINES = 350


def _imports(module: str) -> set[str]:
    """The bakegen modules `module` imports, at run time or for type checking alike."""
    path = PACKAGE.parent / (module.replace(".", "/") + ".py")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bakegen"):
            names = [f"{node.module}.{a.name}" for a in node.names]
            found |= {n for n in names if n in MODULES} or {node.module}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("bakegen")}
    return {m for m in found if m in MODULES and m != module}


def test_no_import_cycles() -> None:
    graph = {m: _imports(m) for m in MODULES}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append([*trail[trail.index(dep) :], dep])
            elif dep not in state:
                visit(dep, [*trail, dep])
        state[node] = 2

    for module in MODULES:
        if module not in state:
            visit(module, [module])
    assert cycles == []


@pytest.mark.parametrize("module", MODULES)
def test_modules_stay_small(module: str) -> None:
    path = PACKAGE.parent / (module.replace(".", "/") + ".py")
    assert len(path.read_text().splitlines()) <= MAX_LINES


def test_every_exception_class_lives_in_errors_under_one_root() -> None:
    strays = []
    for module in MODULES:
        for name, obj in inspect.getmembers(importlib.import_module(module), inspect.isclass):
            ours = issubclass(obj, BaseException) and obj.__module__ == module
            rooted = module == "bakegen.errors" and issubclass(obj, errors.BakegenError)
            if ours and not rooted:
                strays.append(f"{module}.{name}")
    assert strays == []


def test_a_bug_prints_a_short_report_and_its_own_exit_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("bakegen.commands.build.compile_path", broken)
    result = CliRunner().invoke(main, ["list"])
    assert result.exit_code == errors.EXIT_CRASH
    assert "Traceback" not in result.output
    assert f"bakegen {bakegen.__version__} crashed: ZeroDivisionError" in result.output
    assert "please report" in result.output.lower()
