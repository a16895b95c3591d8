"""Golden cases with a version scheme of their own: a case with a `git-history` file is
rendered (main and override file) in a new git repository built from it, with commits at
conftest's fixed date so that its hashes, and so the files, are the same on every run.
expected.hcl and expected.json (the main file) are checked by test_golden.py; this checks
expected.override.hcl and .json, and what bake makes of the pair.
Set BAKEGEN_UPDATE_GOLDEN=1 to rewrite them after a deliberate change."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from tests.bake_eval import Bake
from tests.support.git import git

CASES = Path(__file__).parents[1] / "cases"
# The version each case's history must give, with {short} for HEAD's short hash.
VERSIONS = {
    "versions-build-number": "b4600-3-g{short}",
    "versions-bare": "0.33.0",
}


def replay(case: Path, repo: Path) -> None:
    """A repository holding the case's inputs, then the commits and tags its history lists."""
    repo.mkdir()
    for name in ("matrix.yaml", "Dockerfile"):
        shutil.copy(case / name, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "matrix.yaml", "Dockerfile")
    git(repo, "commit", "-qm", case.name)
    for line in (case / "git-history").read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        action, name = line.split()
        if action == "tag":
            git(repo, "tag", name)
        else:
            (repo / name).write_text(name)
            git(repo, "add", name)
            git(repo, "commit", "-qm", name)


def test_every_case_with_a_history_has_its_version() -> None:
    assert sorted(p.parent.name for p in CASES.glob("*/git-history")) == sorted(VERSIONS)


@pytest.mark.parametrize("name", sorted(VERSIONS))
@pytest.mark.parametrize("fmt", ["hcl", "json"])
def test_versioned_case(
    name: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES / name
    repo = tmp_path / name
    replay(case, repo)
    monkeypatch.chdir(repo)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    version = VERSIONS[name].format(short=git(repo, "rev-parse", "--short", "HEAD"))
    result = CliRunner().invoke(main, ["render", "-m", "matrix.yaml", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert f"(VERSION={version})" in result.stderr
    assert "warning" not in result.stderr
    main_text = (repo / f"docker-bake.{fmt}").read_text()
    override = (repo / f"docker-bake.override.{fmt}").read_text()
    assert main_text == (case / f"expected.{fmt}").read_text()
    expected = case / f"expected.override.{fmt}"
    if os.environ.get("BAKEGEN_UPDATE_GOLDEN") == "1":
        expected.write_text(override)
    assert override == expected.read_text()
    if fmt == "hcl":
        bake = Bake(main_text, override)
        assert bake.value("VERSION") == version
        assert bake.value("COMMIT_SHA") == git(repo, "rev-parse", "HEAD")
        cells = bake.group("default")
        assert cells
        for cell in cells:
            target = bake.target(cell)
            assert all(":" + version + "-" in tag for tag in target["tags"]), target["tags"]
            assert target["labels"]["org.opencontainers.image.version"] == version
