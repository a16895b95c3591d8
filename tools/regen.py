"""Regenerate every generated artifact from the code: the matrix JSON Schema,
docker-bake.hcl.example, the golden cases and outputs, and the bad-input corpus's expected
messages. With --check, fail (exit 1) when any of them was not current, naming them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = [
    "bakegen/resources/matrix.schema.json",
    "docker-bake.hcl.example",
    "tests/cases",
    "tests/golden",
    "tests/bad/expected.json",
]
GOLDEN_TESTS = [
    "tests/render/test_golden.py",
    "tests/render/test_golden_versions.py",
    "tests/commands/test_explain_graph.py",
    "tests/test_bad_inputs.py",
]


def run(*argv: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(argv, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return done.stdout


def regenerate() -> None:
    bakegen = [sys.executable, "-m", "bakegen"]
    (ROOT / ARTIFACTS[0]).write_text(run(*bakegen, "schema"))
    (ROOT / ARTIFACTS[1]).write_text(run(*bakegen, "render", "-o", "-", "--no-git-vars"))
    env = {**os.environ, "BAKEGEN_UPDATE_GOLDEN": "1"}
    run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *GOLDEN_TESTS, env=env)


def stale() -> list[str]:
    """Artifacts that differ from what is committed (or are new and untracked)."""
    status = run("git", "status", "--porcelain", "--untracked-files=all", "--", *ARTIFACTS)
    return [line[3:] for line in status.splitlines()]


def main() -> int:
    check = "--check" in sys.argv[1:]
    before = set(stale()) if check else set()
    regenerate()
    changed = sorted(set(stale()) - before)
    if check and changed:
        print("generated files are not current; run `python tools/regen.py`:", file=sys.stderr)
        for path in changed:
            print(f"  {path}", file=sys.stderr)
        return 1
    print("regenerated: " + ", ".join(ARTIFACTS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
