"""Several images in one file all the way through: `manifest` joins each image under its own
name, `run` picks an image, names that collide in bake and tags two images would push are
refused, and an image of one axis is valid."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from bakegen.errors import MatrixError
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix
from tests.bake_eval import Bake

TWO = """\
format: 1
image: {registry: docker.io/example, tags: ["{release}-{os}"]}
defaults: {dockerfile: Dockerfile}
ci:
  manifest: {axis: os, tags: ["{release}"]}
images:
  workbench:
    image: {name: workbench}
    axes:
      release: {values: {"2025.05.1": {}}}
      os: {values: {ubuntu2204: {}, ubuntu2404: {}}}
  connect:
    image: {name: connect}
    axes:
      release: {values: {"2025.06.0": {}}}
      os: {values: {ubuntu2404: {}}}
"""


def _invoke(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, *args: str
) -> tuple[int, str, str]:
    (tmp_path / "matrix.yaml").write_text(text)
    (tmp_path / "Dockerfile").write_text("FROM ubuntu:24.04\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VERSION", "1.0")
    monkeypatch.setenv("COMMIT_SHA", "abc")
    for name in ("REGISTRY", "IMAGE_NAME", "TAG_LATEST"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(main, [args[0], "-m", "matrix.yaml", *args[1:]])
    return result.exit_code, result.stdout, result.stderr


def test_manifest_joins_each_image_under_its_own_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _invoke(tmp_path, monkeypatch, TWO, "manifest", "--dry-run")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "docker buildx imagetools create -t docker.io/example/workbench:2025.05.1 "
        "docker.io/example/workbench:2025.05.1-ubuntu2204 "
        "docker.io/example/workbench:2025.05.1-ubuntu2404",
        "docker buildx imagetools create -t docker.io/example/connect:2025.06.0 "
        "docker.io/example/connect:2025.06.0-ubuntu2404",
    ]


def test_manifest_reads_each_images_name_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAGE_NAME_CONNECT", "other")
    code, out, _ = _invoke(tmp_path, monkeypatch, TWO, "manifest", "--dry-run")
    assert code == 0
    assert "-t docker.io/example/other:2025.06.0 docker.io/example/other:2025.06.0-" in out


def test_run_picks_the_image_named_with_image_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _invoke(
        tmp_path, monkeypatch, TWO, "run", "--image-key", "connect", "--dry-run"
    )
    assert (code, err) == (0, "")
    assert out.split()[-1] == "docker.io/example/connect:2025.06.0-ubuntu2404"


def test_run_picks_the_only_image_that_has_the_values_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("run", "--cell", "os=ubuntu2204", "--dry-run")
    code, out, _ = _invoke(tmp_path, monkeypatch, TWO, *args)
    assert code == 0
    assert out.split()[-1] == "docker.io/example/workbench:2025.05.1-ubuntu2204"


def test_run_without_a_choice_between_images_says_how_to_choose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _invoke(tmp_path, monkeypatch, TWO, "run", "--dry-run")
    assert (code, out) == (1, "")
    assert err == (
        "Error: several images fit the options given (images: workbench, connect): "
        "pick one with --image-key\n"
    )


def test_run_names_the_images_for_an_unknown_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = _invoke(tmp_path, monkeypatch, TWO, "run", "--image-key", "conect", "--dry-run")
    assert code == 1
    assert "no image 'conect'; did you mean 'connect'?" in err


@pytest.mark.parametrize(("first", "second"), [("a-b", "a_b"), ("web", "WEB"), ("a-b", "A_B")])
def test_image_keys_that_become_one_bake_variable_are_refused(first: str, second: str) -> None:
    text = TWO.replace("  workbench:\n", f"  {first}:\n").replace("  connect:\n", f"  {second}:\n")
    with pytest.raises(MatrixError) as caught:
        compile_matrix(load_matrix_text(text))
    problem = caught.value.problems[0]
    assert problem.path == ("images", second)
    assert problem.location is not None
    assert problem.location.line == 12
    assert "would both be the bake variables" in problem.message


def test_two_images_may_not_push_one_tag() -> None:
    text = TWO.replace("{name: connect}", "{name: workbench}").replace("2025.06.0", "2025.05.1")
    with pytest.raises(MatrixError) as caught:
        compile_matrix(load_matrix_text(text))
    problem = caught.value.problems[0]
    assert problem.path == ("images", "connect")
    assert (
        "'workbench' and 'connect' would both push '${REGISTRY}/workbench:2025.05.1-ubuntu2404'"
        in (problem.message)
    )


def test_an_image_of_one_axis_is_valid() -> None:
    text = """\
format: 1
image: {registry: docker.io/example, tags: ["{os}"]}
defaults: {dockerfile: Dockerfile}
images:
  web:
    image: {name: web}
    axes:
      os: {values: {ubuntu2204: {}, ubuntu2404: {}}}
  api:
    image: {name: api}
    axes:
      os: {values: {ubuntu2404: {}}}
"""
    bake = Bake(compile_matrix(load_matrix_text(text)).text("hcl"))
    assert bake.group("web") == ["web-ubuntu2204", "web-ubuntu2404"]
    assert bake.target("api-ubuntu2404")["tags"] == ["docker.io/example/api:ubuntu2404"]


def test_manifest_checks_each_image_name_it_reads_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAGE_NAME_WORKBENCH", "evil.example/pwn:latest")
    code, out, err = _invoke(tmp_path, monkeypatch, TWO, "manifest", "--dry-run")
    assert (code, out) == (1, "")
    assert "IMAGE_NAME_WORKBENCH='evil.example/pwn:latest' is not a lowercase repository" in err
