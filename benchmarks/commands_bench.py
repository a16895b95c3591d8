"""Command benchmark: wall time of every command that compiles the matrix, at 10,000 cells.

Each command runs as users run it, `python -m bakegen …` in a fresh interpreter (start-up
included; the `start-up` row is `bakegen --version` alone), in a directory holding the
Dockerfiles the matrix names, on the `grow` shape of render_bench.py. The machine may be shared: each command runs several times and the best
and the median are printed, after one untimed run that leaves the modules' bytecode cached
as an installed bakegen has it. The goal is under 1 s each; printed, never asserted.

    python benchmarks/commands_bench.py              # 10,000 cells, 3 runs
    python benchmarks/commands_bench.py 1000 --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.matrices import write_project

GOAL_SECONDS = 1.0
COMMANDS: dict[str, list[str]] = {
    "start-up": ["--version"],
    "render": ["render", "-o", "out.hcl", "--no-git-vars"],
    "validate": ["validate"],
    "list": ["list"],
    "lint": ["lint", "--no-hadolint"],
    "ci": ["ci"],
    "graph": ["graph"],
    "explain": ["explain", "cuda12-8-amd64-f0"],
}


# As on a machine where bakegen is installed, the modules' bytecode is cached: a variable
# that forbids writing the cache (some sandboxes set it) is dropped, and every command runs
# once untimed first. Without the cache each start compiles bakegen's modules again.
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(args: list[str], where: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bakegen",
            *args,
            *(["-m", "matrix.yaml"] if args[0][0] != "-" else []),
        ],
        cwd=where,
        env=ENVIRONMENT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    # lint exits 1 on findings; anything else is a failure of the benchmark itself.
    if done.returncode not in (0, 1) or "crashed" in done.stderr:
        raise SystemExit(f"bakegen {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return elapsed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Wall time of each command.")
    parser.add_argument("cells", nargs="?", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        write_project(where, args.cells)
        print(f"{args.cells} cells (grow shape), {args.runs} runs per command")
        print(f"{'command':>9} {'best s':>7} {'median s':>8}")
        missed = []
        for label, command in COMMANDS.items():
            run(command, where)  # writes the bytecode cache of the modules it imports
            times = [run(command, where) for _ in range(args.runs)]
            best, median = min(times), statistics.median(times)
            print(f"{label:>9} {best:>7.3f} {median:>8.3f}")
            if best >= GOAL_SECONDS and label != "start-up":
                missed.append(label)
        verdict = f"missed by {', '.join(missed)}" if missed else "met"
        print(f"goal < {GOAL_SECONDS} s each: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
