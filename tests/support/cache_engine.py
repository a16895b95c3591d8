"""The registry-cache harness: does a fresh builder's rebuild come from the registry cache?
Run by benchmarks/cache_bench.py and by the engine tests.

Builds a toy project shaped like the default matrix (tests/support/cache_toy.py: shared base
whose stage COPYs from the context, wheel builder, runtime, dev, local-dev, -aws, two
frameworks, two CUDA versions), rendered by bakegen:

1. cold: one `docker buildx bake` call on a fresh, empty builder, exporting the registry
   cache (CACHE_EXPORT=true) into a new cache repository;
2. rebuild (a): the same single call on another fresh, empty builder that only imports the
   registry cache;
3. rebuild (b): every `bakegen ci` job in layer order, each on its own fresh, empty builder.

For each phase it prints the RUN steps executed and taken from cache (read from buildx's
`--progress=rawjson`). What should hold: the cold build executes each unique RUN step once,
and both rebuilds execute none.

    python benchmarks/cache_bench.py --registry 127.0.0.1:5000 --base-image 127.0.0.1:5000/busybox
    python benchmarks/cache_bench.py ... --fresh-builder './new-buildkitd.sh'  # prints a builder name
    python benchmarks/cache_bench.py ... --copy plain   # the same toy with plain COPY (no --link)

A fresh builder comes from `--fresh-builder CMD` (a shell command that starts an empty
BuildKit and prints the name of a buildx builder using it), or by default from
`docker buildx create --driver docker-container --driver-opt network=host` (removed again
afterwards). Without docker buildx, a reachable builder or the registry, it says so and
exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.support.build_steps import StepCount, count_run_steps
from tests.support.cache_toy import CUDAS, FRAMEWORKS, expected_runs, write_toy

BAKEGEN = [sys.executable, "-m", "bakegen"]


Done = subprocess.CompletedProcess[str]


class Unavailable(Exception):
    """The engine this benchmark needs is not there: skip, do not fail."""


def run(argv: list[str], cwd: Path | None = None, timeout: float = 600) -> Done:
    """Run a command for its output; one that hangs counts as failed (exit 124)."""
    try:
        return subprocess.run(
            argv, cwd=cwd, text=True, capture_output=True, check=False, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return Done(argv, 124, "", f"{argv[0]} did not answer within {timeout:.0f} s")


def check_buildx() -> str:
    if shutil.which("docker") is None:
        raise Unavailable("no docker CLI on PATH")
    found = run(["docker", "buildx", "version"])
    if found.returncode:
        raise Unavailable(f"docker buildx is not installed: {found.stderr.strip()}")
    return found.stdout.strip()


def check_registry(registry: str) -> None:
    for scheme in ("http", "https"):
        try:
            with urllib.request.urlopen(f"{scheme}://{registry}/v2/", timeout=5):
                return
        except urllib.error.HTTPError as err:
            if err.code == 401:  # there, but wants a login: docker's credentials handle it
                return
        except (OSError, ValueError):
            continue
    raise Unavailable(f"no registry answers at {registry}")


class Builders:
    """Fresh, empty builders, each used for one build and then dropped."""

    def __init__(self, command: str | None, config: str | None) -> None:
        self.command = command
        self.config = config
        self.created: list[str] = []

    def fresh(self) -> str:
        if self.command:
            made = run(["sh", "-c", self.command])
            name = made.stdout.strip().splitlines()[-1] if made.stdout.strip() else ""
        else:
            name = f"cachebench{os.getpid()}x{len(self.created)}"
            argv = ["docker", "buildx", "create", "--name", name, "--driver", "docker-container"]
            argv += ["--driver-opt", "network=host"]
            if self.config:
                argv += ["--buildkitd-config", self.config]
            made = run(argv)
            self.created.append(name)
        if made.returncode or not name:
            raise Unavailable(f"could not get a fresh builder: {made.stderr.strip()}")
        ready = run(["docker", "buildx", "inspect", "--bootstrap", name], timeout=300)
        if ready.returncode:
            raise Unavailable(f"builder {name} is not reachable: {ready.stderr.strip()}")
        return name

    def drop(self) -> None:
        for name in self.created:
            run(["docker", "buildx", "rm", "--force", name])


def bake(root: Path, builder: str, env: dict[str, str], targets: list[str], log: Path) -> StepCount:
    """One `docker buildx bake` call; a failed call counts as a failed step."""
    argv = ["docker", "buildx", "bake", "--builder", builder, "--progress=rawjson"]
    argv += ["-f", "docker-bake.hcl", *targets]
    with log.open("w") as out:
        done = subprocess.run(argv, cwd=root, env=env, stderr=out, stdout=out, check=False)
    found = count_run_steps(log.read_text().splitlines())
    if done.returncode:
        tail = "\n".join(log.read_text().splitlines()[-5:])
        print(f"    bake failed ({done.returncode}), see {log}:\n{tail}")
        found.failed.setdefault("bake", f"bake exited {done.returncode}")
    return found


def show(phase: str, found: StepCount, unique: int | None = None) -> None:
    line = f"{phase:<34} executed RUN {len(found.executed):>3}   cached RUN {len(found.cached):>3}"
    if found.failed:
        line += f"   failed {len(found.failed)}"
    if unique is not None:
        line += f"   (unique RUN steps in the toy: {unique})"
    print(line, flush=True)


def ci_jobs(root: Path) -> list[dict[str, object]]:
    out = run([*BAKEGEN, "ci", "-m", "matrix.yaml", "--format", "json"], cwd=root)
    if out.returncode:
        raise SystemExit(f"bakegen ci failed:\n{out.stderr}")
    jobs: list[dict[str, object]] = json.loads(out.stdout)["jobs"]
    return sorted(jobs, key=lambda j: int(str(j["layer"])))


def bench(
    args: argparse.Namespace,
    builders: Builders,
    work: Path,
    frameworks: tuple[str, ...] = FRAMEWORKS,
    cudas: tuple[str, ...] = CUDAS,
) -> Figures:
    """Run the three phases and print their figures."""
    root = work / "toy"
    write_toy(root, args.base_image, frameworks, cudas)
    if args.copy == "plain":
        for dockerfile in (root / "dockerfiles").glob("*.Dockerfile"):
            dockerfile.write_text(dockerfile.read_text().replace("COPY --link ", "COPY "))
    rendered = run([*BAKEGEN, "render", "-m", "matrix.yaml", "--no-git-vars"], cwd=root)
    if rendered.returncode:
        raise SystemExit(f"bakegen render failed:\n{rendered.stderr}")
    unique = expected_runs(frameworks, cudas)
    cache_repo = f"{args.registry}/cachebench-{int(time.time())}-{os.getpid()}"
    env = {**os.environ, "CACHE_REGISTRY": cache_repo, "CACHE_SCOPE": "bench"}
    print(f"toy: {len(frameworks)} frameworks x {len(cudas)} CUDA versions, COPY {args.copy}")
    print(f"cache repository: {cache_repo}")

    cold = bake(root, builders.fresh(), {**env, "CACHE_EXPORT": "true"}, [], work / "cold.log")
    show("cold, one bake call", cold, unique)
    rebuild = {**env, "CACHE_EXPORT": "false"}
    one = bake(root, builders.fresh(), rebuild, [], work / "rebuild-one.log")
    show("rebuild (a), one bake call", one)
    total = StepCount()
    for job in ci_jobs(root):
        targets = [str(t) for t in job["targets"]]  # type: ignore[attr-defined]
        found = bake(root, builders.fresh(), rebuild, targets, work / f"{job['name']}.log")
        show(f"  job {job['name']} ({len(targets)} targets)", found)
        total.add(found)
    show("rebuild (b), bakegen ci jobs", total)
    for phase, found in (("(a)", one), ("(b)", total)):
        for name in sorted(found.executed.values()):
            print(f"  re-executed in {phase}: {name}")
    figures = Figures(unique=unique, cold=cold, one_call=one, ci_jobs=total)
    print(
        "result: "
        + (
            "cold build ran each unique RUN step once; "
            if figures.cold_once
            else "cold build: NOT "
        )
        + f"rebuilds executed {len(one.executed)} (a) and {len(total.executed)} (b) RUN steps"
    )
    return figures


@dataclass
class Figures:
    unique: int
    cold: StepCount
    one_call: StepCount
    ci_jobs: StepCount

    @property
    def cold_once(self) -> bool:
        cold = self.cold
        return len(cold.executed) == self.unique and not cold.cached and not cold.failed

    @property
    def ok(self) -> bool:
        rebuilds = (self.one_call, self.ci_jobs)
        return self.cold_once and not any(r.executed or r.failed for r in rebuilds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry", default="127.0.0.1:5000", help="registry host[:port]")
    parser.add_argument("--base-image", default="busybox:latest", help="image the toy builds on")
    parser.add_argument("--fresh-builder", metavar="CMD", help="prints a fresh builder's name")
    parser.add_argument("--buildkitd-config", help="buildkitd.toml for default builders")
    parser.add_argument("--copy", choices=["link", "plain"], default="link")
    parser.add_argument("--keep", action="store_true", help="keep the toy and the logs")
    args = parser.parse_args()
    builders = Builders(args.fresh_builder, args.buildkitd_config)
    work = Path(tempfile.mkdtemp(prefix="cache-bench-"))
    try:
        print(check_buildx())
        check_registry(args.registry)
        ok = bench(args, builders, work).ok
    except Unavailable as why:
        print(f"cache benchmark skipped: {why}")
        return 0
    finally:
        builders.drop()
        if args.keep:
            print(f"toy and logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1
