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


# The pipeline from the ground up. A module may import the shared core, its own package and
# the packages before its own; features import stages, never the reverse, nor one another.
CORE = ("__init__", "errors", "envbool", "templating", "attributes")
STAGES = ("dockerfiles", "load", "matrix", "gitmeta", "resolve", "bakefile", "render", "pipeline")
FEATURES = ("lint", "ci", "explain", "graph", "run")
ENTRY = ("commands", "cli", "__main__")
MAX_TOP_LEVEL = 15


def _unit(module: str) -> str:
    """The package (or top-level module) a module belongs to: bakegen.matrix.tags → resolve."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _allowed(unit: str) -> set[str]:
    if unit in CORE:
        return set(CORE[: CORE.index(unit) + 1])
    if unit in STAGES:
        return {*CORE, *STAGES[: STAGES.index(unit) + 1]}
    if unit in FEATURES:
        return {*CORE, *STAGES, unit}
    return {*CORE, *STAGES, *FEATURES, *ENTRY[: ENTRY.index(unit) + 1]}


def test_every_package_has_a_place_in_the_pipeline() -> None:
    assert {_unit(m) for m in MODULES} <= {*CORE, *STAGES, *FEATURES, *ENTRY}


def test_imports_follow_the_pipeline() -> None:
    wrong = sorted(
        f"{module} -> {dep}"
        for module in MODULES
        for dep in _imports(module)
        if _unit(dep) not in _allowed(_unit(module))
    )
    assert wrong == []


def test_the_top_level_stays_small() -> None:
    top = [p.stem for p in PACKAGE.glob("*.py")]
    assert len(top) <= MAX_TOP_LEVEL, sorted(top)
    for package in (p for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()):
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text()))
        assert doc, f"{package.name}/__init__.py says what enters and leaves it"


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

    monkeypatch.setattr("bakegen.commands.common.compile_path", broken)
    result = CliRunner().invoke(main, ["list"])
    assert result.exit_code == errors.EXIT_CRASH
    assert "Traceback" not in result.output
    assert f"bakegen {bakegen.__version__} crashed: ZeroDivisionError" in result.output
    assert "please report" in result.output.lower()
