"""What the tests share: the repository's root, real git, small matrices, the CLI, and the
harnesses that drive a real buildx (tests that need one skip without it). The benchmarks use
the same matrices and harnesses (benchmarks/)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
