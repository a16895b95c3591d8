"""Lint benchmark: wall time of `bakegen lint` on the default matrix (run from the repository
root), with and without hadolint. The target is under 1 s; printed, never asserted.

    python benchmarks/lint_bench.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bakegen.lint.linter import find_hadolint, lint
from bakegen.pipeline import DEFAULT_MATRIX, compile_path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 1.0
RUNS = 5


def once(hadolint: str | None) -> tuple[float, int, int]:
    started = time.perf_counter()
    compiled = compile_path(ROOT / DEFAULT_MATRIX)
    found = lint(compiled, ROOT, hadolint)
    return time.perf_counter() - started, len(compiled.resolution.targets), len(found)


def main() -> int:
    binary = find_hadolint()
    for label, hadolint in (("without hadolint", None), ("with hadolint", binary)):
        if label == "with hadolint" and not binary:
            print("with hadolint: hadolint is not installed")
            continue
        runs = [once(hadolint) for _ in range(RUNS)]
        best = min(r[0] for r in runs)
        median = statistics.median(r[0] for r in runs)
        targets, findings = runs[0][1], runs[0][2]
        verdict = "met" if median < TARGET_SECONDS else "MISSED"
        print(
            f"{label}: {targets} targets, {findings} findings, median {median:.3f} s, "
            f"best {best:.3f} s (target < {TARGET_SECONDS} s: {verdict})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
