"""`bakegen manifest` joins in every repository the image is published in: its own, every
mirror registry, and mirrors that name the repository otherwise (`{registry, name}`); with
several `images`, each image under its own name and mirrors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from tests.support.helpers import write

MATRIX = """\
format: 1
image:
  registry: ghcr.io/acme
  name: app
  tags: ["{version}-{os}-{arch}"]
  mirrors: MIRRORS
axes:
  os:
    values:
      jammy: {}
  arch:
    values:
      amd64: {platforms: [linux/amd64]}
      arm64: {platforms: [linux/arm64]}
defaults:
  dockerfile: Dockerfile
ci:
  manifest: {axis: arch, tags: ["{version}-{os}"]}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VERSION", "v1")
    monkeypatch.setenv("COMMIT_SHA", "abc")
    write(tmp_path, "FROM busybox\n", "Dockerfile")
    return tmp_path


def manifest(*args: str) -> list[str]:
    result = CliRunner().invoke(main, ["manifest", "-m", "matrix.yaml", "--dry-run", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


CREATE = "docker buildx imagetools create"


def test_every_mirror_registry_gets_the_join(project: Path) -> None:
    write(project, MATRIX.replace("MIRRORS", "[docker.io/acme, quay.io/acme]"))
    assert manifest() == [
        f"{CREATE} -t {repo}:v1-jammy {repo}:v1-jammy-amd64 {repo}:v1-jammy-arm64"
        for repo in ("ghcr.io/acme/app", "docker.io/acme/app", "quay.io/acme/app")
    ]


def test_a_mirror_that_renames_the_repository(project: Path) -> None:
    write(project, MATRIX.replace("MIRRORS", "[{registry: docker.io/acme, name: app-images}]"))
    result = CliRunner().invoke(
        main, ["render", "-m", "matrix.yaml", "--format", "json", "-o", "-"]
    )
    assert result.exit_code == 0, result.output
    tags = json.loads(result.stdout)["target"]["jammy-amd64"]["tags"]
    assert tags == [
        "${IMAGE}:${VERSION}-jammy-amd64",
        "docker.io/acme/app-images:${VERSION}-jammy-amd64",
    ]
    repo = "docker.io/acme/app-images"
    assert (
        manifest()[1] == f"{CREATE} -t {repo}:v1-jammy {repo}:v1-jammy-amd64 {repo}:v1-jammy-arm64"
    )


@pytest.mark.parametrize(
    ("mirrors", "message"),
    [
        ("[{registry: ghcr.io/acme, name: app}]", "'ghcr.io/acme/app' is image.registry again"),
        (
            "[{registry: docker.io/acme, name: x}, {registry: Docker.io/acme, name: x}]",
            "is image.mirrors[0] again",
        ),
        ("[{registry: docker.io/acme, name: Bad}]", "image.mirrors[0]"),
    ],
)
def test_a_renamed_mirror_that_pushes_twice_is_refused(
    project: Path, mirrors: str, message: str
) -> None:
    write(project, MATRIX.replace("MIRRORS", mirrors))
    result = CliRunner().invoke(main, ["validate", "-m", "matrix.yaml"])
    assert result.exit_code == 1
    assert message in result.stderr


def test_the_registry_itself_under_another_name_is_a_mirror(project: Path) -> None:
    write(project, MATRIX.replace("MIRRORS", "[{registry: ghcr.io/acme, name: app-old}]"))
    assert [line.split()[5] for line in manifest()] == [
        "ghcr.io/acme/app:v1-jammy",
        "ghcr.io/acme/app-old:v1-jammy",
    ]


IMAGES = """\
format: 1
image: {registry: ghcr.io/acme, tags: ["{version}-{arch}"]}
defaults: {dockerfile: Dockerfile}
images:
  server:
    image: {name: srv, mirrors: [{registry: docker.io/acme, name: server}]}
    axes:
      arch:
        values:
          amd64: {platforms: [linux/amd64]}
          arm64: {platforms: [linux/arm64]}
    ci: {manifest: {axis: arch, tags: ["{version}"]}}
  cli:
    image: {name: cli, mirrors: [quay.io/acme]}
    axes:
      arch:
        values:
          amd64: {platforms: [linux/amd64]}
          arm64: {platforms: [linux/arm64]}
    ci: {manifest: {axis: arch, tags: ["{version}"]}}
"""


def test_several_images_join_under_their_own_names_and_mirrors(project: Path) -> None:
    write(project, IMAGES)
    assert [line.split()[5] for line in manifest()] == [
        "ghcr.io/acme/srv:v1",
        "docker.io/acme/server:v1",
        "ghcr.io/acme/cli:v1",
        "quay.io/acme/cli:v1",
    ]
