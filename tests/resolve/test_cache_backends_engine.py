"""The local and inline cache backends on the real engine: a tiny matrix is built once on a
fresh, empty builder that exports its cache, then again on another fresh, empty builder
(a new `docker buildx create` instance, or BAKEGEN_FRESH_BUILDER) that can only import that
cache; the rebuild must execute no RUN step. Steps are counted from `--progress=rawjson`
(tests/support/build_steps.py), as tests/test_cache_engine.py counts them for the registry cache.

`local` needs `docker buildx` and a running builder; `inline` travels in the pushed image, so
it needs a registry too (BAKEGEN_TEST_REGISTRY, default 127.0.0.1:5000). Skipped without them.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.build_steps import StepCount, count_run_steps
from tests.support.cache_engine import (
    BAKEGEN,
    Builders,
    Unavailable,
    check_buildx,
    check_registry,
    run,
)
from tests.support.helpers import builder_running, buildx_available
from tests.test_cache_engine import base_image

pytestmark = pytest.mark.engine

# Two RUN steps per target, each target's own (OS differs); the nonce makes the first build
# execute them even on a builder that has seen this test before.
DOCKERFILE = """\
ARG BASE_IMAGE=busybox:latest
FROM ${BASE_IMAGE} AS runtime
ARG OS
RUN echo "@NONCE@ one ${OS}" > /one
RUN echo "two $(cat /one)" > /two
"""
MATRIX = """\
format: 1
image: {name: @NAME@, tags: ["{version}-{os}"]}
cache: {backend: @BACKEND@, export: true}
defaults:
  dockerfile: Dockerfile
  stage: runtime
  args: {BASE_IMAGE: "@BASE@"}
axes:
  os:
    values:
      jammy: {args: {OS: jammy}}
      noble: {args: {OS: noble}}
"""
UNIQUE_RUN_STEPS = 4


@pytest.fixture
def buildx(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip unless docker buildx and a running builder answer."""
    # The suite gives every test its own HOME; buildx keeps its builders in the real one.
    if "DOCKER_CONFIG" not in os.environ:
        monkeypatch.setenv("DOCKER_CONFIG", str(Path(pwd.getpwuid(os.getuid()).pw_dir, ".docker")))
    if not buildx_available():  # asked once for the whole run
        pytest.skip("no engine: docker buildx is not installed")
    try:
        check_buildx()
    except (Unavailable, OSError) as why:
        pytest.skip(f"no engine: {why}")
    if not builder_running():
        pytest.skip("no engine: docker buildx has no running builder")


@pytest.fixture
def registry(buildx: None) -> str:
    found = os.environ.get("BAKEGEN_TEST_REGISTRY", "127.0.0.1:5000")
    try:
        check_registry(found)
    except (Unavailable, OSError) as why:
        pytest.skip(f"no engine: {why}")
    return found


@pytest.fixture
def builders() -> Iterator[Builders]:
    made = Builders(os.environ.get("BAKEGEN_FRESH_BUILDER"), None)
    yield made
    made.drop()


def _project(root: Path, backend: str, base: str) -> None:
    """A rendered tiny matrix in `root`, its image name and RUN steps new on every run."""
    name = f"bakegen-{backend}-cache-{int(time.time())}-{os.getpid()}"
    root.mkdir()
    (root / "Dockerfile").write_text(DOCKERFILE.replace("@NONCE@", name))
    matrix = MATRIX.replace("@NAME@", name).replace("@BACKEND@", backend)
    (root / "matrix.yaml").write_text(matrix.replace("@BASE@", base))
    rendered = run([*BAKEGEN, "render", "-m", "matrix.yaml", "--no-git-vars"], cwd=root)
    assert rendered.returncode == 0, rendered.stderr


def _bake(root: Path, builder: str, env: dict[str, str], *flags: str) -> StepCount:
    """One `docker buildx bake` of the default group; its RUN steps, and a failed call as a
    failed step."""
    argv = ["docker", "buildx", "bake", "--builder", builder, "--progress=rawjson", *flags]
    argv += ["-f", "docker-bake.hcl"]
    done = subprocess.run(
        argv,
        cwd=root,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    # buildx writes the progress stream to stderr; anything JSON-shaped on stdout counts too
    found = count_run_steps([*done.stderr.splitlines(), *done.stdout.splitlines()])
    if done.returncode:
        found.failed.setdefault("bake", done.stderr[-2000:])
    return found


def _fresh(builders: Builders) -> str:
    try:
        name: str = builders.fresh()
    except Unavailable as why:
        pytest.skip(f"no fresh builder: {why}")
    return name


def _assert_rebuilt_from_cache(cold: StepCount, rebuild: StepCount) -> None:
    assert (cold.cached, cold.failed) == ({}, {})
    assert len(cold.executed) == UNIQUE_RUN_STEPS
    assert rebuild.failed == {}
    assert rebuild.executed == {}, sorted(rebuild.executed.values())
    assert sorted(rebuild.cached.values()) == sorted(cold.executed.values())


def test_a_fresh_builder_rebuilds_everything_from_the_local_cache(
    buildx: None, builders: Builders, tmp_path: Path
) -> None:
    registry = os.environ.get("BAKEGEN_TEST_REGISTRY", "127.0.0.1:5000")
    try:
        check_registry(registry)
        base = base_image(registry)
    except Unavailable:
        base = os.environ.get("BAKEGEN_TEST_BASE_IMAGE", "busybox:latest")
    root = tmp_path / "project"
    _project(root, "local", base)
    scope = {"CACHE_SCOPE": "enginetest"}
    cold = _bake(root, _fresh(builders), {**scope, "CACHE_EXPORT": "true"})
    # the cache went where the bake file says, one directory per target
    assert sorted(p.name for p in (root / ".buildx-cache").iterdir()) == [
        "jammy-enginetest",
        "noble-enginetest",
    ]
    rebuild = _bake(root, _fresh(builders), {**scope, "CACHE_EXPORT": "false"})
    _assert_rebuilt_from_cache(cold, rebuild)


def test_a_fresh_builder_rebuilds_everything_from_the_inline_cache(
    registry: str, builders: Builders, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    _project(root, "inline", base_image(registry))
    # The cache travels in the pushed images, `<registry>/<name>:dev-<os>`.
    env = {"REGISTRY": f"{registry}/bakegen-test", "VERSION": "dev"}
    cold = _bake(root, _fresh(builders), {**env, "CACHE_EXPORT": "true"}, "--push")
    rebuild = _bake(root, _fresh(builders), {**env, "CACHE_EXPORT": "false"})
    _assert_rebuilt_from_cache(cold, rebuild)
