"""Push by digest end to end (image.push_by_digest): cells built untagged per platform,
`bakegen ci` files them as push jobs that keep bake's metadata, `bakegen manifest --metadata`
joins the digests into every multi-arch tag, in the image's repository and each mirror's
(mirrors may rename the repository). Nothing to join is an error, never a silent exit 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.ci.test_ci_schemas import GITHUB, GITLAB, assert_valid
from tests.support import ROOT
from tests.support.cli import bakegen
from tests.support.helpers import write

DIGEST_MATRIX = """\
format: 1
image:
  registry: quay.io/acme
  name: localai
  tags: []
  push_by_digest: true
  mirrors:
    - {registry: docker.io/acme, name: local-ai}
axes:
  flavor:
    values:
      core: {stage: core}
      aio: {stage: aio}
  platform:
    values:
      amd64: {platforms: [linux/amd64]}
      arm64: {platforms: [linux/arm64]}
defaults:
  dockerfile: Dockerfile
cache: {enabled: false}
ci:
  runners: {linux/amd64: ubuntu-24.04, linux/arm64: ubuntu-24.04-arm}
  manifest:
    axis: platform
    tags: ["{version}-{flavor}"]
"""
DOCKERFILE = "FROM busybox AS core\nRUN echo core\nFROM core AS aio\nRUN echo aio\n"
CELLS = ("core-amd64", "core-arm64", "aio-amd64", "aio-arm64")


def digest(cell: str) -> str:
    return "sha256:" + format(CELLS.index(cell) + 10, "x") * 64


def record(cell: str, image: str = "quay.io/acme/localai") -> dict[str, str]:
    return {"containerimage.digest": digest(cell), "image.name": f"{image},{image}@{digest(cell)}"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VERSION", "v1.2.3")
    monkeypatch.setenv("COMMIT_SHA", "abc")
    write(tmp_path, DIGEST_MATRIX)
    write(tmp_path, DOCKERFILE, "Dockerfile")
    return tmp_path


def metadata(path: Path, cells: dict[str, object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**cells, "buildx.build.ref": "builder/builder0/x"}))
    return path


# -- render ----------------------------------------------------------------------------------------
def test_cells_render_untagged_with_the_digest_output(project: Path) -> None:
    result = bakegen("render", "-m", "matrix.yaml", "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.output
    target = json.loads(result.stdout)["target"]["core-amd64"]
    assert target["tags"] == []
    assert target["output"] == ["type=image,name=${IMAGE},push-by-digest=true,name-canonical=true"]


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("  tags: []\n", "", "matrix.yaml:2:1: image.tags[0]"),  # the default tags
        ("  tags: []\n", '  tags: ["{version}-{name}"]\n', "matrix.yaml:5:10"),
        ("  dockerfile: Dockerfile\n", '  dockerfile: Dockerfile\n  tags: ["x"]\n', None),
    ],
)
def test_tags_on_a_cell_pushed_by_digest_are_refused(
    project: Path, old: str, new: str, where: str | None
) -> None:
    text = DIGEST_MATRIX.replace(old, new)
    write(project, text)
    result = bakegen("validate", "-m", "matrix.yaml")
    assert result.exit_code == 1
    assert "image.push_by_digest: cells push by digest and carry no tags" in result.stderr
    assert "set `image.tags: []`" in result.stderr
    if where is not None:
        assert where in result.stderr


def test_push_by_digest_needs_ci_manifest(project: Path) -> None:
    text = DIGEST_MATRIX[: DIGEST_MATRIX.index("ci:\n")]
    write(project, text)
    result = bakegen("validate", "-m", "matrix.yaml")
    assert result.exit_code == 1
    assert "matrix.yaml:6:3: image.push_by_digest: cells that push by digest" in result.stderr


# -- ci --------------------------------------------------------------------------------------------
def test_ci_files_the_cells_as_push_jobs(project: Path) -> None:
    result = bakegen("ci", "-m", "matrix.yaml", "--format", "json")
    assert result.exit_code == 0, result.output
    jobs = json.loads(result.stdout)["jobs"]
    assert [(j["name"], j["push"]) for j in jobs] == [
        ("layer0-amd64", True),
        ("layer0-arm64", True),
    ]


def test_gitlab_jobs_keep_the_metadata_and_a_job_joins_it(project: Path) -> None:
    result = bakegen("ci", "-m", "matrix.yaml", "--format", "gitlab", "--bake-file", "b.hcl")
    assert result.exit_code == 0, result.output
    child = yaml.safe_load(result.stdout)
    build = child["layer0-arm64"]
    assert build["script"] == [
        "mkdir -p metadata",
        'docker buildx bake -f b.hcl --push --metadata-file "metadata/${CI_JOB_NAME}.json" '
        "$BAKE_TARGETS",
    ]
    assert build["artifacts"] == {"paths": ["metadata/"]}
    join = child["manifest"]
    assert child["stages"] == ["layer0", "manifest"]
    assert join["needs"] == [
        {"job": "layer0-amd64", "artifacts": True},
        {"job": "layer0-arm64", "artifacts": True},
    ]
    assert join["script"] == ["bakegen manifest -m matrix.yaml --metadata metadata"]
    path = project / "child.yml"
    path.write_text(result.stdout)
    assert_valid(GITLAB, path)


# -- manifest --------------------------------------------------------------------------------------
def test_manifest_joins_the_digests_on_both_registries(project: Path) -> None:
    metadata(project / "digests" / "amd64" / "m.json", {c: record(c) for c in CELLS[::2]})
    metadata(project / "digests" / "arm64" / "m.json", {c: record(c) for c in CELLS[1::2]})
    result = bakegen("manifest", "-m", "matrix.yaml", "--dry-run", "--metadata", "digests")
    assert result.exit_code == 0, result.output
    core = (
        f"quay.io/acme/localai@{digest('core-amd64')} quay.io/acme/localai@{digest('core-arm64')}"
    )
    aio = f"quay.io/acme/localai@{digest('aio-amd64')} quay.io/acme/localai@{digest('aio-arm64')}"
    create = "docker buildx imagetools create"
    assert result.stdout.splitlines() == [
        f"{create} -t quay.io/acme/localai:v1.2.3-core {core}",
        f"{create} -t docker.io/acme/local-ai:v1.2.3-core {core}",
        f"{create} -t quay.io/acme/localai:v1.2.3-aio {aio}",
        f"{create} -t docker.io/acme/local-ai:v1.2.3-aio {aio}",
    ]


def test_manifest_takes_several_files_and_the_bare_name(project: Path) -> None:
    one = metadata(project / "a.json", {c: record(c) for c in CELLS[:2]})
    bare = {c: {**record(c), "image.name": "quay.io/acme/localai"} for c in CELLS[2:]}
    two = metadata(project / "b.json", bare)
    result = bakegen(
        "manifest", "-m", "matrix.yaml", "--dry-run", "--metadata", str(one), "--metadata", str(two)
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 4


def refused(project: Path, cells: dict[str, object], *args: str) -> str:
    metadata(project / "m.json", cells)
    result = bakegen("manifest", "-m", "matrix.yaml", "--dry-run", "--metadata", "m.json", *args)
    assert (result.exit_code, result.stdout) == (1, ""), result.output
    return result.stderr


def test_without_metadata_the_digests_are_asked_for(project: Path) -> None:
    result = bakegen("manifest", "-m", "matrix.yaml", "--dry-run")
    assert (result.exit_code, result.stdout) == (1, "")
    assert "pass the metadata files of the build jobs" in result.stderr


def test_a_missing_digest_is_an_error(project: Path) -> None:
    err = refused(project, {c: record(c) for c in CELLS[:3]})
    assert "aio-arm64: no metadata file names its digest" in err


def test_no_metadata_for_the_selected_cells_is_an_error(project: Path) -> None:
    err = refused(project, {}, "-s", "core-*")
    assert "core-amd64: no metadata file names its digest" in err


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"containerimage.digest": "sha256:abc"}, "is not sha256: and 64 lowercase hex digits"),
        (
            {"containerimage.digest": "sha256:" + "A" * 64},
            "is not sha256: and 64 lowercase hex digits",
        ),
        (
            {"containerimage.digest": "sha256:" + "a" * 64 + " evil", "image.name": "x"},
            "is not sha256:",
        ),
        ({"containerimage.digest": "sha256:" + "a" * 64}, "no image.name"),
        (
            {"containerimage.digest": "sha256:" + "a" * 64, "image.name": "evil.example/pwn"},
            "pushed to 'evil.example/pwn', not to its image quay.io/acme/localai",
        ),
        (
            {
                "containerimage.digest": "sha256:" + "a" * 64,
                "image.name": "quay.io/acme/localai@sha256:" + "b" * 64,
            },
            "names another digest",
        ),
        ({"containerimage.digest": 7, "image.name": "x"}, "7 is not sha256:"),
    ],
)
def test_what_the_metadata_says_is_checked(
    project: Path, entry: dict[str, object], message: str
) -> None:
    cells: dict[str, object] = {c: record(c) for c in CELLS}
    cells["core-amd64"] = entry
    assert message in refused(project, cells)


def test_two_digests_for_one_cell_are_refused(project: Path) -> None:
    metadata(project / "d" / "1.json", {c: record(c) for c in CELLS})
    other = {**record("core-amd64"), "containerimage.digest": "sha256:" + "f" * 64}
    metadata(project / "d" / "2.json", {"core-amd64": other})
    result = bakegen("manifest", "-m", "matrix.yaml", "--dry-run", "--metadata", "d")
    assert result.exit_code == 1
    assert "core-amd64 has two digests" in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [("{", "not JSON"), ("[1]", "not a JSON object of targets"), ("\xff", "not JSON")],
)
def test_a_file_that_is_not_metadata_is_refused(project: Path, text: str, message: str) -> None:
    (project / "m.json").write_text(text, encoding="latin-1")
    result = bakegen("manifest", "-m", "matrix.yaml", "--dry-run", "--metadata", "m.json")
    assert result.exit_code == 1
    assert message in result.stderr


def test_an_empty_folder_or_missing_file_is_refused(project: Path) -> None:
    (project / "empty").mkdir()
    for path, message in (("empty", "holds no *.json file"), ("nope", "no such file or folder")):
        result = bakegen("manifest", "-m", "matrix.yaml", "--dry-run", "--metadata", path)
        assert result.exit_code == 1
        assert message in result.stderr


def test_metadata_for_tagged_cells_is_refused(project: Path) -> None:
    write(
        project, DIGEST_MATRIX.replace("  push_by_digest: true\n", "").replace("[]", '["{name}"]')
    )
    metadata(project / "m.json", {})
    result = bakegen("manifest", "-m", "matrix.yaml", "--dry-run", "--metadata", "m.json")
    assert result.exit_code == 1
    assert "--metadata is for cells that push by digest" in result.stderr


def test_nothing_to_join_is_an_error(project: Path) -> None:
    # Tagged joins, but the cells have no tags: nothing is pushed, nothing can be joined.
    plain = DIGEST_MATRIX.replace("  push_by_digest: true\n", "")
    write(
        project, plain.replace("  mirrors:\n    - {registry: docker.io/acme, name: local-ai}\n", "")
    )
    result = bakegen("manifest", "-m", "matrix.yaml", "--dry-run")
    assert (result.exit_code, result.stdout) == (1, "")
    assert "nothing to join" in result.stderr


def test_golden_case_joins_into_two_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    """tests/cases/push-by-digest: the metadata of its five cells, joined as written by hand
    in expected.manifest (the vulkan value builds amd64 only: a join of one)."""
    case = Path(__file__).parents[1] / "cases" / "push-by-digest"
    monkeypatch.chdir(case)
    for key, value in (("VERSION", "v2.29.0"), ("COMMIT_SHA", "x"), ("TAG_LATEST", "true")):
        monkeypatch.setenv(key, value)
    result = bakegen("manifest", "-m", "matrix.yaml", "--dry-run", "--metadata", "metadata.json")
    assert result.exit_code == 0, result.output
    assert result.stdout == (case / "expected.manifest").read_text()


def test_the_ready_github_workflow_carries_the_digests_to_the_join(
    project: Path, tmp_path: Path
) -> None:
    """docs/ci/github-push-by-digest.yml: each build job writes bake's metadata into the
    folder it uploads, the join job downloads every such artifact into the folder it passes
    to --metadata; with this matrix's jobs written in, it passes the workflow schema."""
    workflow = yaml.safe_load((ROOT / "docs" / "ci" / "github-push-by-digest.yml").read_text())
    build = workflow["jobs"]["layer0"]["steps"]
    bake = next(s for s in build if "docker buildx bake" in s.get("run", ""))
    assert '--metadata-file "metadata/$JOB.json"' in bake["run"]
    assert bake["env"]["JOB"] == "${{ matrix.name }}"
    upload = next(s for s in build if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "metadata/"
    assert upload["with"]["name"] == "digests-${{ matrix.name }}"
    join = workflow["jobs"]["manifest"]
    assert join["needs"] == ["layer0"]
    download = next(
        s for s in join["steps"] if s.get("uses", "").startswith("actions/download-artifact@")
    )
    assert download["with"] == {"pattern": "digests-*", "path": "digests"}
    assert join["steps"][-1]["run"] == "bakegen manifest --metadata digests"

    result = bakegen("ci", "-m", "matrix.yaml", "--format", "github", "--layer", "0")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert [job["push"] for job in plan["include"]] == [True, True]
    workflow["jobs"]["layer0"]["strategy"]["matrix"] = plan
    workflow["on"] = workflow.pop(True)
    path = tmp_path / "workflow.json"
    path.write_text(json.dumps(workflow))
    assert_valid(GITHUB, path)


def test_explain_says_where_the_digest_output_comes_from(project: Path) -> None:
    result = bakegen("explain", "-m", "matrix.yaml", "core-amd64")
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.strip().startswith("output[0]"))
    assert "push-by-digest=true" in line
    assert line.endswith("matrix.yaml:6:3 image.push_by_digest")


@pytest.mark.parametrize(
    ("output", "refused"),
    [
        ("type=local,dest=out/{name}", None),  # kept beside the digest output
        ("type=image,name={image},push=true,compression=zstd", None),  # its own repository
        ("type=registry,name=evil.example/pwn", "pushes 'evil.example/pwn'"),
    ],
)
def test_a_cells_own_outputs_stay_beside_the_digest_output(
    project: Path, output: str, refused: str | None
) -> None:
    text = DIGEST_MATRIX.replace(
        "  dockerfile: Dockerfile\n", f'  dockerfile: Dockerfile\n  output: ["{output}"]\n'
    )
    write(project, text)
    result = bakegen("render", "-m", "matrix.yaml", "--format", "json", "-o", "-")
    if refused is not None:
        assert result.exit_code == 1
        assert refused in result.stderr
        return
    assert result.exit_code == 0, result.output
    outputs = json.loads(result.stdout)["target"]["core-amd64"]["output"]
    assert outputs[1] == "type=image,name=${IMAGE},push-by-digest=true,name-canonical=true"
    assert len(outputs) == 2


@pytest.mark.parametrize("name", ["{image}", "quay.io/acme/localai"])
def test_a_push_by_digest_output_written_by_hand_points_to_the_key(
    project: Path, name: str
) -> None:
    """Written by hand, the output would push, but ci would file the cells as cache-only jobs
    and manifest would have nothing to join: render says which key does it instead."""
    text = DIGEST_MATRIX.replace("  push_by_digest: true\n", "").replace(
        "defaults:\n  dockerfile: Dockerfile\n",
        "defaults:\n  dockerfile: Dockerfile\n  output:\n"
        f'    - "type=image,name={name},push-by-digest=true,name-canonical=true,push=true"\n',
    )
    write(project, text)
    result = bakegen("render", "-m", "matrix.yaml")
    assert result.exit_code == 1
    assert "defaults.output[0]" in result.stderr
    assert "set `image.push_by_digest: true` instead of writing the output" in result.stderr
    assert not (project / "docker-bake.hcl").exists()
