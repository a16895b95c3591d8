"""Command work benchmark: what each command does beyond compiling the matrix, at 10,000 cells.

The matrix (the `grow` shape of render_bench.py, in a directory holding its Dockerfiles, as
in commands_bench.py) is compiled once; then each command's own work — what it does with
the compiled matrix up to the text it prints — is timed in this process, with the cyclic
GC paused as the commands run it. CPU seconds, best of several runs (the machine may be
shared). Goal: about 0.1 s each; printed, never asserted.

    python benchmarks/command_work_bench.py              # 10,000 cells, 5 runs
    python benchmarks/command_work_bench.py 1000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bakegen.ci.plan import as_json, plan
from bakegen.commands.list import table_text
from bakegen.explain import as_text, find, rows
from bakegen.graph import mermaid
from bakegen.lint.linter import Linter, lint_report
from bakegen.lint.report import format_text
from bakegen.pipeline import Compiled, check_files, compile_path, gc_paused
from tests.support.matrices import write_project

GOAL_SECONDS = 0.1


def commands(compiled: Compiled) -> dict[str, Callable[[], object]]:
    count = len(compiled.resolution.targets)
    first = compiled.resolution.targets[0].name

    def lint() -> str:
        report = lint_report(compiled, Path())
        return format_text(report.findings(), count, len(report.suppressed()))

    def ci() -> str:
        Linter(compiled, Path()).cache_misses()
        return json.dumps(as_json(plan(compiled)), indent=2)

    def explain() -> str:
        target = find(compiled, first)
        return as_text(target, rows(compiled, target))

    return {
        "validate": lambda: check_files(compiled),
        "list": lambda: table_text(compiled),
        "lint": lint,
        "ci": ci,
        "graph": lambda: mermaid(compiled),
        "explain": explain,
    }


def best_cpu(work: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="CPU time of each command beyond the compile.")
    parser.add_argument("cells", nargs="?", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    home = Path.cwd()
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        write_project(where, args.cells)
        os.chdir(where)  # bake's paths (and lint's) are relative to where it runs
        compiled = compile_path(Path("matrix.yaml"))
        print(f"{args.cells} cells (grow shape), best of {args.runs} runs, CPU s")
        missed = []
        with gc_paused():
            for name, work in commands(compiled).items():
                seconds = best_cpu(work, args.runs)
                print(f"{name:>9} {seconds:7.3f}")
                if seconds >= GOAL_SECONDS:
                    missed.append(name)
        verdict = f"missed by {', '.join(missed)}" if missed else "met"
        print(f"goal < {GOAL_SECONDS} s each: {verdict}")
        os.chdir(home)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
