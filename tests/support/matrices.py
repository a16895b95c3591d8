"""Synthetic matrices of any size, for the tests and the benchmarks: `grow` (one axis grows)
and `square` (axes of ten values each)."""

from __future__ import annotations

import math
from pathlib import Path

CUDA = ("12.8", "12.9", "13.0", "13.1", "13.2")


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


def growing_matrix(cells: int) -> str:
    """A matrix of `cells` cells where only the `flavour` axis grows (cells / 10 values)."""
    flavours = cells // (len(CUDA) * 2)
    if flavours * len(CUDA) * 2 != cells or flavours < 1:
        raise SystemExit(f"{cells} is not a multiple of {len(CUDA) * 2}")
    lines = [
        "format: 1",
        "image:",
        "  name: bench",
        '  tags: ["{version}-{flavour}-{cuda.id}-{platform.id}"]',
        '  latest: ["latest-{flavour}-{cuda.id}-{platform.id}"]',
        '  labels: {org.opencontainers.image.title: "bench {name}"}',
        "defaults:",
        "  context: .",
        "  dockerfile: Dockerfile",
        "  uses: {base: base, wheel: wheel}",
        "axes:",
        "  cuda:",
        "    id: 'cuda{value}'",
        "    values:",
        *(f"      '{c}': {{vars: {{tag: 'base-{c}'}}, args: {{CUDA: '{c}'}}}}" for c in CUDA),
        "  platform:",
        "    values:",
        "      linux/amd64: {id: amd64, platforms: [linux/amd64], args: {ARCH: amd64}}",
        "      linux/arm64: {id: arm64, platforms: [linux/arm64], args: {ARCH: arm64}}",
        "  flavour:",
        "    values:",
        *(f"      f{i}: {{stage: s{i % 7}, args: {{FLAVOUR: 'f{i}'}}}}" for i in range(flavours)),
        "shared:",
        "  base:",
        "    axes: [cuda, platform]",
        "    dockerfile: Dockerfile.base",
        "    stage: base",
        "    args: {BASE_TAG: '{cuda.tag}'}",
        "  wheel:",
        "    axes: [cuda, platform]",
        "    dockerfile: Dockerfile.base",
        "    stage: wheel",
        "    uses: {base: base}",
        "exclude:",
        "  - {cuda: '13.2', platform: linux/arm64, flavour: f0}",
        "include:",
        "  - cell: {cuda: '13.2', platform: linux/arm64, flavour: f0}",
        "    args: {READDED: 'yes'}",
        "  - cell: {flavour: 'f1*'}",
        "    labels: {family: one}",
        "overrides:",
        "  - select: {flavour: 'f*5'}",
        "    args: {FIVE: 'yes'}",
        "  - select: {cuda: '12.*', platform: linux/arm64}",
        "    labels: {old: '{cuda}'}",
        "  - select: {cuda: ['13.0', '13.1'], flavour: 'f2*'}",
        "    dockerfile: Dockerfile.alt",
    ]
    return "\n".join(lines) + "\n"


def write_project(where: Path, cells: int) -> None:
    """The matrix of `cells` cells and the Dockerfiles it names, in `where`."""
    (where / "matrix.yaml").write_text(growing_matrix(cells))
    for name in ("Dockerfile", "Dockerfile.alt"):
        (where / name).write_text(
            "".join(f"FROM busybox:1.36 AS s{i}\n" for i in range(7))
            + "ARG CUDA ARCH FLAVOUR FIVE READDED\n"
        )
    (where / "Dockerfile.base").write_text(
        "FROM busybox:1.36 AS base\nARG CUDA ARCH BASE_TAG\nFROM base AS wheel\n"
    )
