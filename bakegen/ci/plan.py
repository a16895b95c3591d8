"""`bakegen ci`: CI jobs in dependency layers, per platform, packed into shards.

Layer 0 holds the targets that use no other target (shared stages such as a CUDA base);
layer n+1 the targets whose dependencies are all in layers up to n. Each layer's jobs run
after the previous layer's, so the registry cache a layer writes is there for the next.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bakegen.ci.stage_groups import bound, groups, pack
from bakegen.errors import TooManyJobs
from bakegen.matrix.names import sanitize
from bakegen.pipeline import Compiled
from bakegen.resolve.targets import Target


@dataclass(frozen=True, kw_only=True)
class Job:
    name: str
    layer: int
    platform: str
    runner: str
    targets: tuple[str, ...]
    needs: tuple[str, ...]
    push: bool
    # Its cells push by digest: the job keeps bake's --metadata-file for `bakegen manifest`.
    by_digest: bool = False


def layers(targets: Iterable[Target]) -> dict[str, int]:
    """Each target's layer: one more than the deepest target it uses (0 for none)."""
    by_name = {t.name: t for t in targets}
    depth: dict[str, int] = {}

    def visit(name: str) -> int:
        if name not in depth:
            deps = [d for d in by_name[name].depends_on if d in by_name]
            depth[name] = 1 + max((visit(d) for d in deps), default=-1)
        return depth[name]

    for name in by_name:
        visit(name)
    return depth


def split(items: list[str], parts: int) -> list[list[str]]:
    """`items` in order, cut into `parts` runs whose sizes differ by at most one.

    >>> split(list("abcdefg"), 3)
    [['a', 'b', 'c'], ['d', 'e'], ['f', 'g']]
    """
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def _platform_key(target: Target) -> str:
    return ",".join(target.platforms) or "default"


def shard(members: list[Target], shards: int, root: Path) -> list[list[str]]:
    """One layer's targets of one platform in at most `shards` jobs: targets sharing a heavy
    stage of their Dockerfile in one job where the balance allows (bakegen.ci.stage_groups),
    otherwise in even runs of the order they come in."""
    names = [t.name for t in members]
    if shards > 1 and len(members) > 1:
        units = groups(members, root, bound(len(members), shards))
        if any(len(unit) > 1 for unit in units):
            packed = pack(units, shards)
            if packed is not None:
                return packed
    return split(names, shards)


def plan(
    compiled: Compiled,
    shards: int = 1,
    only: frozenset[str] | None = None,
    root: Path = Path(),
) -> list[Job]:
    """Jobs for the targets in `only` (all by default), layer by layer; within a layer and
    platform, targets are ordered by the targets they use, and targets sharing a heavy stage
    of one Dockerfile land in the same shard wherever the balance allows. Dockerfiles are
    read under `root`."""
    ci = compiled.matrix.model.ci
    targets = [t for t in compiled.resolution.targets if only is None or t.name in only]
    depth = layers(compiled.resolution.targets)
    by_name = {t.name: t for t in targets}
    # Shared stages have no tags, so their jobs only fill the cache; cells are pushed (by
    # tag, untagged by digest, or by the tags docker/metadata-action gives them at bake time).
    action = ci.metadata_action is not None and ci.metadata_action.tags != "none"
    buckets: dict[tuple[int, str, bool], list[Target]] = {}
    for target in targets:
        pushed = bool(target.tags) or target.by_digest or (action and target.kind == "cell")
        key = (depth[target.name], _platform_key(target), pushed)
        buckets.setdefault(key, []).append(target)
    jobs: list[Job] = []
    home: dict[str, str] = {}
    for layer, platform, push in sorted(buckets):
        members = sorted(buckets[(layer, platform, push)], key=lambda t: (t.depends_on, t.name))
        runners = {ci.runners.get(p, ci.default_runner) for p in platform.split(",")}
        runner = runners.pop() if len(runners) == 1 else ci.default_runner
        label = sanitize(platform.replace("linux/", "").replace(",", "+"))
        chunks = shard(members, shards, root)
        kind = "" if push else "-cache"
        for i, chunk in enumerate(chunks, start=1):
            name = f"layer{layer}-{label}{kind}" + (f"-{i}" if len(chunks) > 1 else "")
            needs = sorted({home[d] for t in chunk for d in by_name[t].depends_on if d in home})
            jobs.append(
                Job(
                    name=name,
                    layer=layer,
                    platform=platform,
                    runner=runner,
                    targets=tuple(chunk),
                    needs=tuple(needs),
                    push=push,
                    by_digest=any(by_name[t].by_digest for t in chunk),
                )
            )
            home.update(dict.fromkeys(chunk, name))
    return jobs


def _record(job: Job) -> dict[str, object]:
    return {
        "name": job.name,
        "layer": job.layer,
        "platform": job.platform,
        "runner": job.runner,
        "targets": " ".join(job.targets),
        "needs": list(job.needs),
        "push": job.push,
    }


def as_json(jobs: list[Job]) -> dict[str, object]:
    return {
        "layers": max((j.layer for j in jobs), default=-1) + 1,
        "jobs": [{**_record(j), "targets": list(j.targets)} for j in jobs],
    }


# GitHub Actions runs at most this many jobs from one `strategy.matrix`.
GITHUB_MATRIX_LIMIT = 256


def as_github(jobs: list[Job], layer: int | None, part: int | None = None) -> dict[str, object]:
    """`strategy.matrix` for one layer (or all): `{"include": [...]}` for fromJSON(), with
    the targets comma-separated as docker/bake-action's `targets` input takes them.

    GitHub takes at most 256 entries in one matrix: a layer with more is cut into parts of
    256 (`part`, from 1; a part past the end is empty), each for its own workflow job. Jobs
    of one layer never need each other, so the parts of a layer can run side by side."""
    chosen = [j for j in jobs if layer is None or j.layer == layer]
    if part is not None:
        start = (part - 1) * GITHUB_MATRIX_LIMIT
        chosen = chosen[start : start + GITHUB_MATRIX_LIMIT]
    elif len(chosen) > GITHUB_MATRIX_LIMIT:
        count = -(-len(chosen) // GITHUB_MATRIX_LIMIT)
        where = "the plan" if layer is None else f"layer {layer}"
        how = (
            ("pass --layer N, and " if layer is None else "")
            + f"give it {count} workflow jobs, with --part 1"
            + "".join(
                f" and --part {i}" if i == count else f", --part {i}" for i in range(2, count + 1)
            )
        )
        raise TooManyJobs(
            f"{where} has {len(chosen)} jobs; a GitHub strategy.matrix runs at most "
            f"{GITHUB_MATRIX_LIMIT}: {how} (each part holds up to {GITHUB_MATRIX_LIMIT} jobs; "
            "docs/ci.md, 'More than 256 jobs in a layer'), or use fewer --shards"
        )
    return {"include": [{**_record(j), "targets": ",".join(j.targets)} for j in chosen]}


# Where a GitLab job that pushes by digest keeps bake's metadata (an artifact per job).
GITLAB_METADATA = "metadata/${CI_JOB_NAME}.json"


def as_gitlab(
    jobs: list[Job], bake_files: tuple[str, ...], parent_job: str, matrix: str = ""
) -> str:
    """A GitLab child pipeline: one stage per layer, one job per platform and shard. Each job
    takes the rendered bake files from `parent_job` in the parent pipeline (the trigger job
    passes PARENT_PIPELINE_ID) and bakes with the Docker-in-Docker service. Jobs that push
    by digest keep bake's metadata file as an artifact, and a last `manifest` job (reading
    the matrix `matrix`) joins the digests into the multi-arch tags."""
    # The script line runs in the job's shell: each path quoted for it (a path may hold
    # spaces, `;`, `$(...)`). The targets stay one unquoted variable, split into words: their
    # names are [A-Za-z0-9_-] only.
    files = [arg for f in bake_files for arg in ("-f", shlex.quote(f))]
    layer_count = max((j.layer for j in jobs), default=-1) + 1
    stages = [f"layer{i}" for i in range(layer_count)] or ["empty"]
    doc: dict[str, object] = {
        "stages": stages,
        "default": {
            "image": "docker:27",
            "services": ["docker:27-dind"],
            "before_script": [
                "docker buildx create --use --driver docker-container",
                (
                    'echo "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" '
                    '--password-stdin "$CI_REGISTRY"'
                ),
            ],
        },
    }
    artifacts = {"pipeline": "$PARENT_PIPELINE_ID", "job": parent_job}
    for job in jobs:
        entry: dict[str, object] = {
            "stage": f"layer{job.layer}",
            "tags": [job.runner],
            "needs": [dict(artifacts), *job.needs],
            "variables": {"BAKE_TARGETS": " ".join(job.targets), "BAKE_PLATFORM": job.platform},
            "script": [
                *(["mkdir -p metadata"] if job.by_digest else []),
                " ".join(
                    [
                        "docker buildx bake",
                        *files,
                        *(["--push"] if job.push else []),
                        *([f'--metadata-file "{GITLAB_METADATA}"'] if job.by_digest else []),
                        "$BAKE_TARGETS",
                    ]
                ),
            ],
        }
        if job.by_digest:
            entry["artifacts"] = {"paths": ["metadata/"]}
        doc[job.name] = entry
    digest_jobs = [job.name for job in jobs if job.by_digest]
    if digest_jobs:
        doc["stages"] = [*stages, "manifest"]
        doc["manifest"] = _gitlab_manifest_job(digest_jobs, matrix)
    if not jobs:
        doc["nothing-to-build"] = {
            "stage": "empty",
            "before_script": [],
            "script": ["echo nothing to build"],
        }
    return yaml.safe_dump(doc, sort_keys=False, width=100)


def _gitlab_manifest_job(needs: list[str], matrix: str) -> dict[str, object]:
    """The job that joins the digests the build jobs recorded into the multi-arch tags."""
    chosen = f" -m {shlex.quote(matrix)}" if matrix else ""
    return {
        "stage": "manifest",
        "image": "python:3.12",
        "needs": [{"job": name, "artifacts": True} for name in needs],
        # The version comes from git, as in the parent's render; dind answers without TLS.
        "variables": {
            "GIT_DEPTH": "0",
            "DOCKER_HOST": "tcp://docker:2375",
            "DOCKER_TLS_CERTDIR": "",
        },
        "before_script": [
            "pip install bakegen",
            "apt-get update && apt-get install -y --no-install-recommends docker.io docker-buildx",
            (
                'echo "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" '
                '--password-stdin "$CI_REGISTRY"'
            ),
        ],
        "script": [f"bakegen manifest{chosen} --metadata metadata"],
    }
