"""Render benchmark: wall time and peak memory of load → validate → expand → resolve → lay
out → render → write the file, for two shapes of synthetic matrix.

- `grow` (the default): one axis grows. 5 CUDA versions × 2 platforms × cells / 10
  flavours, two shared stages every cell uses, an exclude and an include that adds the
  excluded cell back, a glob include, and glob overrides (args, labels, a dockerfile).
- `square`: axes of ten values each (log10(cells) axes), a shared stage, overrides.

Each run is a fresh interpreter, so peaks (the child's maxrss) do not carry over. The
machine may be shared: every size runs several times and the best and the median are
printed, with the growth of the best time per 10× the cells, and the best CPU time of the
process (less disturbed by other work on the machine than wall time).

    python benchmarks/render_bench.py                       # grow: 100 … 100,000 cells
    python benchmarks/render_bench.py --shape square 1000 10000
    python benchmarks/render_bench.py --runs 5 --format json 10000
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.matrices import growing_matrix, synthetic_matrix

# Goals for a 2-core machine; printed next to the figures, never asserted in tests.
GOAL_SECONDS = {10_000: 1.0, 100_000: 10.0}
GOAL_GROWTH = 11.0
GOAL_MB = {100_000: 500}


SHAPES = {"grow": growing_matrix, "square": synthetic_matrix}


CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    from bakegen.pipeline import compile_path
    from bakegen.render.write import write_files
    path, fmt = Path(sys.argv[1]), sys.argv[2]
    out = path.parent / f"docker-bake.{fmt}"
    started, cpu_started = time.perf_counter(), time.process_time()
    compiled = compile_path(path)
    # As `bakegen render` writes it: piece by piece into a temporary file, then renamed.
    write_files([(out, compiled.pieces(fmt))])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_mb": peak_kb / 1024,
                      "targets": len(compiled.bake.targets), "bytes": out.stat().st_size}))
    """
)


def measure(text: str, fmt: str = "hcl") -> dict[str, float]:
    """One render of the matrix `text` in a fresh interpreter."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "matrix.yaml"
        path.write_text(text)
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), fmt],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Render time and memory per matrix size.")
    parser.add_argument("cells", nargs="*", type=int, default=[100, 1000, 10_000, 100_000])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="grow")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--format", choices=("hcl", "json"), default="hcl")
    args = parser.parse_args(argv)
    print(f"shape {args.shape}, {args.format}, {args.runs} runs per size (best / median)")
    print(
        f"{'cells':>7} {'targets':>8} {'best s':>7} {'median s':>8} {'cpu s':>6} {'peak MB':>8} "
        f"{'output MB':>9} {'growth/10x':>10}"
    )
    previous: tuple[int, float] | None = None
    verdicts: list[str] = []
    for cells in args.cells:
        text = SHAPES[args.shape](cells)
        runs = [measure(text, args.format) for _ in range(args.runs)]
        best = min(r["seconds"] for r in runs)
        median = statistics.median(r["seconds"] for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        growth = ""
        if previous and cells > previous[0]:
            # The growth of the best time, scaled to a factor of ten in cells.
            per_ten = (best / previous[1]) ** (1 / math.log10(cells / previous[0]))
            growth = f"{per_ten:.1f}x"
            if per_ten > GOAL_GROWTH:
                verdicts.append(f"growth {previous[0]} -> {cells}: {per_ten:.1f}x > {GOAL_GROWTH}x")
        print(
            f"{cells:>7} {int(runs[0]['targets']):>8} {best:>7.3f} {median:>8.3f} "
            f"{min(r['cpu'] for r in runs):>6.3f} {peak:>8.1f} "
            f"{runs[0]['bytes'] / 1e6:>9.2f} {growth:>10}"
        )
        if cells in GOAL_SECONDS and best >= GOAL_SECONDS[cells]:
            verdicts.append(f"{cells} cells: {best:.2f} s >= {GOAL_SECONDS[cells]} s")
        if cells in GOAL_MB and peak >= GOAL_MB[cells]:
            verdicts.append(f"{cells} cells: {peak:.0f} MB >= {GOAL_MB[cells]} MB")
        previous = (cells, best)
    goals = "10,000 cells < 1 s, 100,000 < 10 s, growth <= 11x per 10x, < 500 MB at 100,000"
    print(f"goals ({goals}): " + ("; ".join(verdicts) if verdicts else "met where measured"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
