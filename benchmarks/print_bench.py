"""`docker buildx bake --print` benchmark: how long buildx takes to read bakegen's file,
against a hand-written bake file that uses buildx's own `matrix` blocks for the same targets.

The matrix: `cuda` (5 values) × `platform` (2) × `flavour` (cells / 10 values), uniform
cells (each axis value adds args, platforms, a stage), image tags with latest aliases,
labels, registry cache and a shared `base` stage per CUDA version and platform.

Prints, per size, the best and median wall time and CPU time (user + system, buildx's own
threads included, as the kernel counts them for the process) of several runs of each file,
and the ratio bakegen / native. The files run in pairs, one right after the other and each
first in every other pair; the goal is a median ratio of the pairs' CPU times of at most
1.0 at 1,000 and 5,000 cells (the ratio of the best runs is printed too). `--print` needs
no BuildKit daemon; without a `docker buildx` the benchmark says so and exits 0. Both files
must print exactly the same targets.

On a machine shared with other jobs, times of the same file vary by 20 % and more from run to
run. `--instructions` also counts the instructions buildx executes on each file once, under
valgrind's cachegrind (about 20x slower). The count usually repeats within about 2 %, but
now and then a run counts up to twice as much (buildx's Go runtime spins and collects on its
own schedule): the lowest of three counts per file is printed.

    python benchmarks/print_bench.py              # 1000 and 5000 cells, 5 runs each
    python benchmarks/print_bench.py 1000 --runs 7 --instructions
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CUDA = ("12.8", "12.9", "13.0", "13.1", "13.2")
PLATFORMS = (("linux/amd64", "amd64"), ("linux/arm64", "arm64"))
TARGET_RATIO = 1.0
# Instruction counts per file, the lowest printed (a count is sometimes far too high).
INSTRUCTION_RUNS = 3


def buildx() -> list[str] | None:
    """The buildx command, or None where there is none."""
    docker = shutil.which("docker")
    if docker is None:
        return None
    probe = subprocess.run(
        [docker, "buildx", "version"], capture_output=True, text=True, check=False
    )
    return [docker, "buildx"] if probe.returncode == 0 else None


def flavours(cells: int) -> list[str]:
    count = cells // (len(CUDA) * len(PLATFORMS))
    if count * len(CUDA) * len(PLATFORMS) != cells or count < 1:
        raise SystemExit(f"{cells} is not a multiple of {len(CUDA) * len(PLATFORMS)}")
    return [f"f{i}" for i in range(count)]


def matrix_yaml(cells: int) -> str:
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
        "  uses: {base: base}",
        "axes:",
        "  cuda:",
        "    id: 'cuda{value}'",
        "    values:",
        *(f"      '{c}': {{vars: {{tag: 'base-{c}'}}, args: {{CUDA: '{c}'}}}}" for c in CUDA),
        "  platform:",
        "    values:",
        *(f"      {p}: {{id: {i}, platforms: [{p}], args: {{ARCH: {i}}}}}" for p, i in PLATFORMS),
        "  flavour:",
        "    values:",
        *(
            f"      {f}: {{stage: s{k % 7}, args: {{FLAVOUR: '{f}'}}}}"
            for k, f in enumerate(flavours(cells))
        ),
        "shared:",
        "  base:",
        "    axes: [cuda, platform]",
        "    dockerfile: Dockerfile.base",
        "    stage: base",
        "    args: {BASE_TAG: '{cuda.tag}'}",
    ]
    return "\n".join(lines) + "\n"


def _objects(rows: list[dict[str, str]]) -> str:
    return "[\n" + "".join(f"      {json.dumps(r).replace(':', ' =')},\n" for r in rows) + "    ]"


def native_hcl(cells: int, header: str) -> str:
    """The same targets written with buildx `matrix` blocks; `header` is bakegen's variable
    and global declarations, so that both files declare the same variables."""
    cuda = _objects(
        [{"id": "cuda" + c.replace(".", "-"), "v": c, "tag": f"base-{c}"} for c in CUDA]
    )
    platform = _objects([{"id": i, "v": p} for p, i in PLATFORMS])
    flavour = _objects([{"id": f, "stage": f"s{k % 7}"} for k, f in enumerate(flavours(cells))])
    cache = "type=registry,ref=${CACHE_IMAGE}:%s-${CACHE_SCOPE}"
    labels = (
        '    "org.opencontainers.image.revision" = COMMIT_SHA\n'
        '    "org.opencontainers.image.version"  = VERSION\n'
    )
    return (
        header
        + f"""
group "default" {{
  targets = ["cell"]
}}

target "base" {{
  name = "base-${{cuda.id}}-${{platform.id}}"
  matrix = {{
    cuda = {cuda}
    platform = {platform}
  }}
  description = "shared stage base ${{cuda.v}} ${{platform.v}}"
  context     = "."
  dockerfile  = "Dockerfile.base"
  target      = "base"
  platforms   = [platform.v]
  args = {{
    ARCH     = platform.id
    BASE_TAG = cuda.tag
    CUDA     = cuda.v
  }}
  labels = {{
{labels}  }}
  cache-from = ["{cache % "base-${cuda.id}-${platform.id}"}", "type=registry,ref=${{CACHE_IMAGE}}:base-${{cuda.id}}-${{platform.id}}-main"]
  cache-to   = CACHE_EXPORT ? ["{cache % "base-${cuda.id}-${platform.id}"},mode=max"] : []
}}

target "cell" {{
  name = "${{cuda.id}}-${{platform.id}}-${{flavour.id}}"
  matrix = {{
    cuda = {cuda}
    platform = {platform}
    flavour = {flavour}
  }}
  description = "${{cuda.v}} ${{platform.v}} ${{flavour.id}}"
  context     = "."
  dockerfile  = "Dockerfile"
  target      = flavour.stage
  platforms   = [platform.v]
  args = {{
    ARCH    = platform.id
    CUDA    = cuda.v
    FLAVOUR = flavour.id
  }}
  labels = {{
{labels}    "org.opencontainers.image.title" = "bench ${{cuda.id}}-${{platform.id}}-${{flavour.id}}"
  }}
  contexts = {{
    base = "target:base-${{cuda.id}}-${{platform.id}}"
  }}
  tags = concat(
    ["${{IMAGE}}:${{VERSION}}-${{flavour.id}}-${{cuda.id}}-${{platform.id}}"],
    TAG_LATEST ? ["${{IMAGE}}:latest-${{flavour.id}}-${{cuda.id}}-${{platform.id}}"] : []
  )
  cache-from = ["{cache % "${cuda.id}-${platform.id}-${flavour.id}"}", "type=registry,ref=${{CACHE_IMAGE}}:${{cuda.id}}-${{platform.id}}-${{flavour.id}}-main"]
  cache-to   = CACHE_EXPORT ? ["{cache % "${cuda.id}-${platform.id}-${flavour.id}"},mode=max"] : []
}}
"""
    )


def bakegen_hcl(cells: int, where: Path) -> str:
    from bakegen.pipeline import compile_path

    path = where / "matrix.yaml"
    path.write_text(matrix_yaml(cells))
    return compile_path(path).text("hcl")


def header_of(text: str) -> str:
    """Variables and globals: everything before the first group."""
    return text[: text.index('\ngroup "')] + "\n"


def run_print(command: list[str], file: Path) -> tuple[float, float, dict[str, Any]]:
    """(wall seconds, CPU seconds of buildx and its threads, the printed definition).

    The CPU time is the kernel's own count for this one process tree (`wait4`), to the
    microsecond: the clock ticks of `os.times` are 10 ms, 2 % of a 1,000-cell run."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [*command, "bake", "--print", "-f", file.name], cwd=file.parent, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        # Reaped here, not by Popen: it is told the exit code so that it does not wait again.
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"buildx failed on {file}:\n{err.read().decode()[-2000:]}")
        return wall, usage.ru_utime + usage.ru_stime, json.loads(out.read())


def measure_pairs(
    command: list[str], files: dict[str, Path], runs: int
) -> dict[str, tuple[list[float], list[float]]]:
    """(wall seconds, CPU seconds) of each run of each file. The files run in pairs, one
    right after the other, each first in every other pair; both must print the same targets."""
    times: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label in files}
    printed: dict[str, Any] = {}
    for run in range(runs):
        order = list(files.items())
        for label, file in order if run % 2 == 0 else reversed(order):
            wall, cpu, printed[label] = run_print(command, file)
            times[label][0].append(wall)
            times[label][1].append(cpu)
    if len({json.dumps(p["target"], sort_keys=True) for p in printed.values()}) != 1:
        raise SystemExit("the two files do not resolve alike")
    return times


def plugin_binary(command: list[str]) -> str | None:
    """The buildx plugin executable itself: valgrind must run it, not the docker CLI that
    starts it."""
    if Path(command[0]).name == "docker-buildx":
        return command[0]
    found = subprocess.run(
        [command[0], "info", "--format", "{{json .ClientInfo.Plugins}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        plugins = json.loads(found.stdout)
    except json.JSONDecodeError:
        return None
    return next((p["Path"] for p in plugins or [] if p.get("Name") == "buildx"), None)


def count_instructions(binary: str, file: Path) -> int:
    """Instructions buildx executes to print `file` (valgrind cachegrind, no cache model)."""
    done = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            binary,
            "bake",
            "--print",
            "-f",
            file.name,
        ],
        cwd=file.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"valgrind failed on {file}:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cells", nargs="*", type=int, default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count buildx's instructions on each file once (needs valgrind)",
    )
    args = parser.parse_args(argv)
    command = buildx()
    if command is None:
        print("no `docker buildx` here: nothing to measure (the benchmark needs buildx >= 0.19)")
        return 0
    binary = None
    if args.instructions:
        binary = plugin_binary(command) if shutil.which("valgrind") else None
        if binary is None:
            print(
                "--instructions needs valgrind and the buildx plugin executable; counting skipped"
            )
    version = subprocess.run(
        [*command, "version"], capture_output=True, text=True, check=False
    ).stdout
    print(f"buildx: {version.strip()}; {args.runs} runs per file, best / median")
    print(f"{'cells':>6} {'file':>8} {'wall best':>9} {'median':>7} {'cpu best':>8} {'median':>7}")
    missed: list[str] = []
    for cells in args.cells:
        with tempfile.TemporaryDirectory() as tmp:
            where = Path(tmp)
            for name in ("Dockerfile", "Dockerfile.base"):
                (where / name).write_text("FROM scratch\n")
            ours = bakegen_hcl(cells, where)
            files = {"bakegen": where / "bakegen.bakefile.hcl", "native": where / "native.hcl"}
            files["bakegen"].write_text(ours)
            files["native"].write_text(native_hcl(cells, header_of(ours)))
            times = measure_pairs(command, files, args.runs)
            for label, (walls, cpus) in times.items():
                print(
                    f"{cells:>6} {label:>8} {min(walls):>9.2f} {statistics.median(walls):>7.2f} "
                    f"{min(cpus):>8.2f} {statistics.median(cpus):>7.2f}"
                )
            best_cpu = min(times["bakegen"][1]) / min(times["native"][1])
            best_wall = min(times["bakegen"][0]) / min(times["native"][0])
            # Each run of one file beside the run of the other file made next to it: a
            # slower spell of the machine moves both.
            paired = sorted(
                ours / theirs for ours, theirs in zip(*(times[f][1] for f in files), strict=True)
            )
            median = statistics.median(paired)
            ok = median <= TARGET_RATIO
            if not ok:
                missed.append(f"{cells} cells: {median:.3f}")
            print(
                f"{cells:>6} ratio bakegen/native, CPU: median of the pairs {median:.3f} "
                f"(pairs {paired[0]:.3f}-{paired[-1]:.3f}); best runs: CPU {best_cpu:.3f}, "
                f"wall {best_wall:.3f} (target <= {TARGET_RATIO}, median of the pairs: "
                f"{'met' if ok else 'MISSED'})"
            )
            if binary is not None:
                counts = {
                    label: min(count_instructions(binary, file) for _ in range(INSTRUCTION_RUNS))
                    for label, file in files.items()
                }
                print(
                    f"{cells:>6} instructions: bakegen {counts['bakegen'] / 1e9:.2f} G, "
                    f"native {counts['native'] / 1e9:.2f} G, "
                    f"ratio {counts['bakegen'] / counts['native']:.3f}"
                )
    goal = f"median paired CPU ratio <= {TARGET_RATIO} at every size"
    print(f"goal ({goal}): " + ("; ".join(missed) + " over" if missed else "met"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
