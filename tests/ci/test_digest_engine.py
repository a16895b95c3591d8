"""Push by digest on the real engine: two platforms, each baked in its own call (as on its
own runner) and pushed by digest to a local registry, then `bakegen manifest --metadata`
joins them into multi-arch tags in two repositories (the mirror under another name), and
`docker buildx imagetools inspect` shows both platforms in each.

Needs `docker buildx`, a running builder and a registry; skipped without them. Set
BAKEGEN_TEST_REGISTRY (default 127.0.0.1:5000). The image is `FROM scratch` with one copied
file, so neither platform runs anything (no emulation needed) nor pulls a base.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cache_engine import Unavailable, check_buildx, check_registry
from tests.support.helpers import builder_running, clean_env

pytestmark = pytest.mark.engine

MATRIX = """\
format: 1
image:
  registry: REGISTRY
  name: NAME
  tags: []
  push_by_digest: true
  mirrors:
    - {registry: REGISTRY, name: NAME-mirror}
axes:
  platform:
    values:
      amd64: {platforms: [linux/amd64]}
      arm64: {platforms: [linux/arm64]}
defaults:
  dockerfile: Dockerfile
cache: {enabled: false}
ci:
  manifest: {axis: platform, tags: ["{version}"]}
"""


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> str:
    """The registry, once docker buildx, a running builder and the registry all answer."""
    # The suite gives every test its own HOME; buildx keeps its builders in the real one.
    if "DOCKER_CONFIG" not in os.environ:
        monkeypatch.setenv("DOCKER_CONFIG", str(Path(pwd.getpwuid(os.getuid()).pw_dir, ".docker")))
    where = os.environ.get("BAKEGEN_TEST_REGISTRY", "127.0.0.1:5000")
    try:
        check_buildx()
        if not builder_running():
            raise Unavailable("docker buildx has no running builder")
        check_registry(where)
    except (Unavailable, OSError) as why:
        pytest.skip(f"no engine: {why}")
    return where


def run(argv: list[str], cwd: Path, **env: str) -> str:
    done = subprocess.run(
        argv,
        cwd=cwd,
        env={**clean_env(), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, f"{' '.join(argv)}: {done.stdout}{done.stderr}"
    return done.stdout


def platforms(reference: str, cwd: Path) -> set[str]:
    """The platforms of the image index a tag names (attestation manifests left out)."""
    raw = json.loads(run(["docker", "buildx", "imagetools", "inspect", "--raw", reference], cwd))
    return {
        f"{m['platform']['os']}/{m['platform']['architecture']}"
        for m in raw.get("manifests", [])
        if m.get("platform", {}).get("os") != "unknown"
    }


def test_two_platforms_pushed_by_digest_are_joined_in_both_repositories(
    registry: str, tmp_path: Path
) -> None:
    name = f"bakegen-digest-{secrets.token_hex(4)}"
    (tmp_path / "matrix.yaml").write_text(
        MATRIX.replace("REGISTRY", registry).replace("NAME", name)
    )
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY --link hello.txt /hello.txt\n")
    (tmp_path / "hello.txt").write_text("hello\n")
    bakegen = [sys.executable, "-m", "bakegen"]
    env = {"VERSION": "v1.0.0", "COMMIT_SHA": "0" * 40}
    run([*bakegen, "render", "-m", "matrix.yaml"], tmp_path, **env)
    # Each platform in a call of its own, as on its own runner, with its own metadata file.
    for cell in ("amd64", "arm64"):
        (tmp_path / "digests" / cell).mkdir(parents=True)
        run(
            [
                "docker", "buildx", "bake", "--push",
                "--metadata-file", f"digests/{cell}/metadata.json", cell,
            ],
            tmp_path,
            **env,
        )  # fmt: skip
        pushed = json.loads((tmp_path / "digests" / cell / "metadata.json").read_text())
        assert pushed[cell]["containerimage.digest"].startswith("sha256:")
    run([*bakegen, "manifest", "-m", "matrix.yaml", "--metadata", "digests"], tmp_path, **env)
    for repository in (f"{registry}/{name}", f"{registry}/{name}-mirror"):
        assert platforms(f"{repository}:v1.0.0", tmp_path) == {"linux/amd64", "linux/arm64"}
