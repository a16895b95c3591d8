"""ci.metadata_action: cells take docker/metadata-action's tags, labels and annotations, read
by the test evaluator the way bake reads the generated file followed by the action's bake
file, with the environment variables the action exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bakegen.errors import MatrixError
from bakegen.pipeline import compile_path
from tests.bake_eval import Bake, BakeError

CASE = Path(__file__).parents[1] / "cases" / "metadata-action"
DOCKERFILE = "FROM scratch AS runtime\nFROM runtime AS dev\n"

# What the action writes for a pull request (bake-file-labels; bake-file adds tags and args).
LABELS_FILE = json.dumps(
    {
        "target": {
            "docker-metadata-action": {
                "labels": {
                    "org.opencontainers.image.version": "pr-7",
                    "org.opencontainers.image.source": "https://github.com/acme/app",
                    "org.opencontainers.image.created": "2026-01-01T00:00:00.000Z",
                }
            }
        }
    }
)
ENV = {
    "DOCKER_METADATA_OUTPUT_TAGS": "ghcr.io/acme/app:pr-7\nghcr.io/acme/app:sha-90dd603\n",
    "DOCKER_METADATA_OUTPUT_ANNOTATIONS": "manifest:org.opencontainers.image.source=https://x\n",
    "VERSION": "v1.2.0",
}


def case_text(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(CASE)
    return compile_path(Path("matrix.yaml")).text("hcl")


def compiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str, cells: int = 2) -> str:
    values = (
        "{runtime: {stage: runtime}, dev: {stage: dev}}"
        if cells == 2
        else ("{runtime: {stage: runtime}}")
    )
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "matrix.yaml").write_text(
        "format: 1\nimage: {name: app}\ndefaults: {dockerfile: Dockerfile}\n"
        f"axes:\n  target: {{values: {values}}}\nci:\n  metadata_action: {ci}\n"
    )
    monkeypatch.chdir(tmp_path)
    return compile_path(Path("matrix.yaml")).text("hcl")


@pytest.mark.parametrize("fmt", ["hcl", "json"])
def test_join_adds_each_action_tag_with_the_cell_name(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASE)
    text = compile_path(Path("matrix.yaml")).text(fmt)  # type: ignore[arg-type]
    got = Bake(text, LABELS_FILE, env=ENV).target("noble-dev")
    assert got["tags"] == [
        "app:v1.2.0-noble-dev",
        "ghcr.io/acme/app:pr-7-noble-dev",
        "ghcr.io/acme/app:sha-90dd603-noble-dev",
    ]
    assert got["annotations"] == ["manifest:org.opencontainers.image.source=https://x"]


def test_the_action_labels_merge_under_bakegen_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    got = Bake(case_text(monkeypatch), LABELS_FILE, env=ENV).target("jammy-runtime")
    assert got["labels"] == {
        # bakegen's own label wins over the action's ...
        "org.opencontainers.image.version": "v1.2.0",
        "org.opencontainers.image.revision": "",
        # ... and the action's others are added.
        "org.opencontainers.image.source": "https://github.com/acme/app",
        "org.opencontainers.image.created": "2026-01-01T00:00:00.000Z",
    }


def test_without_the_action_the_file_builds_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    bake = Bake(case_text(monkeypatch))
    got = bake.target("jammy-runtime")
    assert got["tags"] == ["app:dev-jammy-runtime"]
    assert "annotations" not in got
    assert set(got["labels"]) == {
        "org.opencontainers.image.version",
        "org.opencontainers.image.revision",
    }


def test_a_tag_too_long_for_the_cell_name_stops_bake(monkeypatch: pytest.MonkeyPatch) -> None:
    text = case_text(monkeypatch)
    # 'noble-runtime' is the longest cell name: 128 - 1 - 13 = 114 characters of tag.
    Bake(text, env={"DOCKER_METADATA_OUTPUT_TAGS": "r/app:" + "x" * 114}).target("noble-dev")
    with pytest.raises(BakeError, match="at most 114 characters"):
        Bake(text, env={"DOCKER_METADATA_OUTPUT_TAGS": "r:5000/app:" + "x" * 115}).config  # noqa: B018


def test_replace_takes_the_action_tags_and_falls_back_to_bakegen_tags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = compiled(tmp_path, monkeypatch, "{tags: replace, labels: false}", cells=1)
    assert "docker-metadata-action" not in text
    assert Bake(text, env=ENV).target("runtime")["tags"] == [
        "ghcr.io/acme/app:pr-7",
        "ghcr.io/acme/app:sha-90dd603",
    ]
    assert Bake(text).target("runtime")["tags"] == ["app:dev-runtime"]


def test_replace_is_refused_for_several_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(MatrixError, match="same tags"):
        compiled(tmp_path, monkeypatch, "{tags: replace}")


def test_tags_none_keeps_bakegen_tags_and_still_takes_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = compiled(tmp_path, monkeypatch, "{tags: none}")
    assert "DOCKER_METADATA_OUTPUT_TAGS" not in text
    # The action's whole bake file: its tags and args are inherited, the cell's tags win.
    whole = json.loads(LABELS_FILE)
    whole["target"]["docker-metadata-action"]["tags"] = ["ghcr.io/acme/app:pr-7"]
    got = Bake(text, json.dumps(whole), env=ENV).target("dev")
    assert got["tags"] == ["app:v1.2.0-dev"]
    assert got["labels"]["org.opencontainers.image.source"] == "https://github.com/acme/app"


def test_shared_stages_do_not_inherit_the_action_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASE)
    bake = compile_path(Path("matrix.yaml"))
    text = bake.text("hcl")
    raw = Bake(text)
    for target in bake.resolution.targets:
        inherits = raw.raw_target(target.name).get("inherits", [])
        assert ("docker-metadata-action" in inherits) == (target.kind == "cell")
        if target.kind == "cell":
            assert inherits[0] == "docker-metadata-action"


def test_annotations_are_added_to_the_cell_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "matrix.yaml").write_text(
        "format: 1\nimage: {name: app}\n"
        "defaults: {dockerfile: Dockerfile, annotations: ['index:vendor=acme']}\n"
        "axes:\n  target: {values: {runtime: {stage: runtime}, dev: {stage: dev}}}\n"
        "ci:\n  metadata_action: {annotations: true}\n"
    )
    monkeypatch.chdir(tmp_path)
    text = compile_path(Path("matrix.yaml")).text("hcl")
    assert Bake(text, env=ENV).target("dev")["annotations"] == [
        "index:vendor=acme",
        "manifest:org.opencontainers.image.source=https://x",
    ]
    assert Bake(text).target("dev")["annotations"] == ["index:vendor=acme"]


def test_a_large_matrix_keeps_a_block_per_cell_under_the_action(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cells of a `matrix` block would inherit only the family's parent."""
    values = ", ".join(f"v{i}: {{args: {{N: '{i}'}}}}" for i in range(20))
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "matrix.yaml").write_text(
        "format: 1\nimage: {name: app}\ndefaults: {dockerfile: Dockerfile}\n"
        f"axes:\n  n: {{values: {{{values}}}}}\n  target: {{values: {{runtime: {{}}, dev: {{}}}}}}\n"
        "ci:\n  metadata_action: {}\n"
    )
    monkeypatch.chdir(tmp_path)
    text = compile_path(Path("matrix.yaml")).text("hcl")
    assert "matrix =" not in text
    bake = Bake(text, env=ENV)
    assert bake.target("v19-dev")["tags"][-1] == "ghcr.io/acme/app:sha-90dd603-v19-dev"
    assert bake.raw_target("v19-dev")["inherits"][0] == "docker-metadata-action"
