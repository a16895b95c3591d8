"""Start-up and load benchmark: what each command pays before it compiles anything.

- `imports`: a fresh interpreter that imports the command line and looks one command up
  (which imports that command's modules), as `bakegen <command>` does before running it;
  `--version` looks none up. Wall and CPU time of the whole process.
- `load+validate`: `load_matrix` on the `grow` matrix of render_bench.py, in-process in a
  fresh interpreter: the first call (what a command pays) and the best later call.

The machine may be shared: each figure is the best of several runs (CPU time is the
steadier one). Printed, never asserted.

    python benchmarks/load_bench.py              # 10,000 cells, 5 runs
    python benchmarks/load_bench.py 100000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.matrices import growing_matrix

COMMANDS = ("--version", "validate", "list", "explain", "graph", "render", "ci", "lint")
LOOKUP = "from bakegen.cli import main\nif {name!r} != '--version': main.commands[{name!r}]\n"
LOAD = """\
import json, sys, time
from pathlib import Path
from bakegen.matrix.validate import load_matrix
times = []
for _ in range({runs}):
    started, cpu = time.perf_counter(), time.process_time()
    load_matrix(Path(sys.argv[1]))
    times.append((time.perf_counter() - started, time.process_time() - cpu))
print(json.dumps(times))
"""


def timed(argv: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of a child process, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, done.stdout


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Start-up and load+validate time.")
    parser.add_argument("cells", nargs="?", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"imports of each command, best of {args.runs} fresh interpreters")
    print(f"{'command':>10} {'wall s':>7} {'cpu s':>7}")
    for name in COMMANDS:
        runs = [timed([sys.executable, "-c", LOOKUP.format(name=name)]) for _ in range(args.runs)]
        print(f"{name:>10} {min(r[0] for r in runs):>7.3f} {min(r[1] for r in runs):>7.3f}")
    with tempfile.TemporaryDirectory() as tmp:
        matrix = Path(tmp) / "matrix.yaml"
        matrix.write_text(growing_matrix(args.cells))
        calls = []
        for _ in range(args.runs):
            calls.append(
                json.loads(timed([sys.executable, "-c", LOAD.format(runs=5), str(matrix)])[2])
            )
    print(f"load+validate, {args.cells} cells (grow shape), in-process, wall s / cpu s")
    first = [c[0] for c in calls]
    later = [t for c in calls for t in c[1:]]
    print(f"  first call {min(w for w, _ in first):.3f} / {min(c for _, c in first):.3f}")
    print(f"  later calls {min(w for w, _ in later):.3f} / {min(c for _, c in later):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
