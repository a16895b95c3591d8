"""Render benchmark: synthetic matrices of 100, 1,000 and 10,000 cells.

Prints, for each size, the wall time of load → validate → expand → resolve → lay out →
render (HCL) and the peak resident memory of the process that did it. Each size runs in a
fresh interpreter so that peaks do not carry over.

    python benchmarks/render_bench.py            # 100, 1000, 10000 cells
    python benchmarks/render_bench.py 1000 20000 # other sizes (powers of ten of 10 values)
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

# Targets stated for a 2-core machine; printed next to the figures, never asserted in tests.
TARGET_SECONDS = 1.5
TARGET_MB = 300


def synthetic_matrix(cells: int) -> str:
    """A matrix of `cells` cells: axes of ten values each, with args, vars, a shared stage
    per value of the first axis, an exclude, an include and overrides."""
    axes = round(math.log10(cells))
    if 10**axes != cells:
        raise SystemExit(f"{cells} is not a power of ten")
    lines = [
        "format: 1",
        "image:",
        "  name: bench",
        '  tags: ["{version}-{name}"]',
        '  latest: ["latest-{name}"]',
        '  labels: {org.opencontainers.image.title: "bench {name}"}',
        "defaults:",
        "  dockerfile: Dockerfile",
        "  stage: runtime",
        "  platforms: [linux/amd64]",
        "  uses: {base: base}",
        "axes:",
    ]
    for a in range(axes):
        lines += [f"  a{a}:", f"    id: 'a{a}v{{value}}'", "    values:"]
        for v in range(10):
            lines.append(f"      '{v}': {{args: {{A{a}: 'v{v}'}}, vars: {{n: 'n{v}'}}}}")
    lines += [
        "shared:",
        "  base:",
        "    axes: [a0]",
        "    dockerfile: Dockerfile",
        "    stage: base",
        "    args: {BASE: '{a0.n}'}",
        "overrides:",
        "  - select: {a0: '1'}",
        "    args: {OVERRIDE: 'yes'}",
        "  - select: {a1: ['2', '3']}",
        "    labels: {extra: '{a1}'}",
    ]
    return "\n".join(lines) + "\n"


CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    from bakegen.pipeline import compile_path
    path = Path(sys.argv[1])
    started = time.perf_counter()
    compiled = compile_path(path)
    text = compiled.text("hcl")
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "peak_mb": peak_kb / 1024,
                      "targets": len(compiled.bake.targets), "bytes": len(text)}))
    """
)


def measure(cells: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "matrix.yaml"
        path.write_text(synthetic_matrix(cells))
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True
        )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [100, 1000, 10000]
    print(f"{'cells':>7} {'targets':>8} {'seconds':>8} {'peak MB':>8} {'output MB':>9}")
    for cells in sizes:
        m = measure(cells)
        print(
            f"{cells:>7} {int(m['targets']):>8} {m['seconds']:>8.3f} {m['peak_mb']:>8.1f} "
            f"{m['bytes'] / 1e6:>9.2f}"
        )
    if 10000 in sizes:
        m = measure(10000)
        ok = m["seconds"] < TARGET_SECONDS and m["peak_mb"] < TARGET_MB
        print(
            f"10,000 cells: {m['seconds']:.3f} s, {m['peak_mb']:.0f} MB "
            f"(target < {TARGET_SECONDS} s and < {TARGET_MB} MB: {'met' if ok else 'MISSED'})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
