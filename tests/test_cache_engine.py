"""The registry cache on the real engine: a cold build exporting the cache, then rebuilds on
fresh, empty builders that import only that cache (benchmarks/cache_bench.py, on a toy of
one framework and one CUDA version).

Needs `docker buildx`, a reachable builder and a registry; skipped without them. Set
BAKEGEN_TEST_REGISTRY (default 127.0.0.1:5000), BAKEGEN_TEST_BASE_IMAGE (default: the
registry's busybox when it has one, else busybox:latest) and BAKEGEN_FRESH_BUILDER (a shell
command that starts an empty BuildKit and prints a buildx builder name; default: a new
docker-container builder).
"""

from __future__ import annotations

import argparse
import os
import pwd
import urllib.request
from pathlib import Path

import pytest

from tests.support.cache_engine import Builders, Unavailable, bench, check_buildx, check_registry
from tests.support.helpers import builder_running

pytestmark = pytest.mark.engine


def base_image(registry: str) -> str:
    if "BAKEGEN_TEST_BASE_IMAGE" in os.environ:
        return os.environ["BAKEGEN_TEST_BASE_IMAGE"]
    request = urllib.request.Request(
        f"http://{registry}/v2/busybox/manifests/latest",
        method="HEAD",
        headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5):
            return f"{registry}/busybox:latest"
    except (OSError, ValueError):
        return "busybox:latest"


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> str:
    """The registry, once docker buildx, a running builder and the registry all answer."""
    # The suite gives every test its own HOME; buildx keeps its builders in the real one.
    if "DOCKER_CONFIG" not in os.environ:
        monkeypatch.setenv("DOCKER_CONFIG", str(Path(pwd.getpwuid(os.getuid()).pw_dir, ".docker")))
    registry = os.environ.get("BAKEGEN_TEST_REGISTRY", "127.0.0.1:5000")
    try:
        check_buildx()
        if not builder_running():
            raise Unavailable("docker buildx has no running builder")
        check_registry(registry)
    except (Unavailable, OSError) as why:
        pytest.skip(f"no engine: {why}")
    return registry


def test_fresh_builders_rebuild_everything_from_the_registry_cache(
    engine: str, tmp_path: Path
) -> None:
    args = argparse.Namespace(registry=engine, base_image=base_image(engine), copy="link")
    builders = Builders(os.environ.get("BAKEGEN_FRESH_BUILDER"), None)
    try:
        figures = bench(args, builders, tmp_path, frameworks=("fa",), cudas=("12.9",))
    except Unavailable as why:
        pytest.skip(f"no fresh builder: {why}")
    finally:
        builders.drop()
    assert len(figures.cold.executed) == figures.unique == 10
    assert (figures.cold.cached, figures.cold.failed) == ({}, {})
    assert (figures.one_call.executed, figures.one_call.failed) == ({}, {})
    assert len(figures.one_call.cached) == 10
    assert (figures.ci_jobs.executed, figures.ci_jobs.failed) == ({}, {})
