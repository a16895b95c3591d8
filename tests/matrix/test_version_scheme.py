"""Version schemes other than v<semver> (versioning.tag_pattern), from real temporary git
repositories: build numbers, bare and calendar versions, a release- prefix, the fallback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.ci.manifest import bake_values
from bakegen.cli import main
from bakegen.errors import MatrixError
from bakegen.gitmeta import git_info
from bakegen.matrix.model import Versioning
from bakegen.matrix.validate import load_matrix_text
from bakegen.matrix.version_scheme import parse_pattern
from bakegen.pipeline import compile_path
from tests.resolve.test_gitmeta import commit
from tests.support.git import git
from tests.support.helpers import MINIMAL

BUILD = Versioning(tag_pattern="b{build}")
BARE = Versioning(tag_pattern="{major}.{minor}.{patch}")


def short(repo: Path) -> str:
    return git(repo, "rev-parse", "--short", "HEAD")


def test_a_build_number_on_head_is_the_version(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git(repo, "tag", "b4600")
    info = git_info(repo, BUILD)
    assert (info.version, info.source, info.warning) == ("b4600", "tag", None)


def test_commits_after_a_build_number_give_the_dev_format(
    make_repo: Callable[..., Path],
) -> None:
    repo = make_repo()
    git(repo, "tag", "b4600")
    for name in ("a", "b", "c"):
        commit(repo, name)
    assert git_info(repo, BUILD).version == f"b4600.dev.{short(repo)}"
    describe = BUILD.model_copy(update={"dev_format": "{tag}-{distance}-g{short_sha}"})
    assert git_info(repo, describe).version == f"b4600-3-g{short(repo)}"


def test_newest_build_number_is_by_number_not_by_name(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git(repo, "tag", "b10000")
    commit(repo, "a")
    git(repo, "tag", "b999")
    commit(repo, "b")
    # b999 is the newer commit and sorts after b10000 by name: neither decides.
    assert git_info(repo, BUILD).version == f"b10000.dev.{short(repo)}"


def test_a_bare_version_stays_bare(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git(repo, "tag", "0.9.0")
    commit(repo, "a")
    for tag in ("0.33.0", "v1.0.0", "0.34.0-rc1", "1.0"):
        git(repo, "tag", tag)  # only 0.33.0 matches the pattern whole
    info = git_info(repo, BARE)
    assert (info.version, info.source) == ("0.33.0", "tag")
    commit(repo, "b")
    assert git_info(repo, BARE).version == f"0.33.0.dev.{short(repo)}"


def test_a_calendar_version(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git(repo, "tag", "2023.12.9")
    git(repo, "tag", "2024.06.1")
    spec = Versioning(
        tag_pattern="{year}.{month}.{micro}", dev_format="{year}.{month}.{micro}.dev{distance}"
    )
    assert git_info(repo, spec).version == "2024.06.1"
    commit(repo, "a")
    commit(repo, "b")
    assert git_info(repo, spec).version == "2024.06.1.dev2"


def test_a_release_prefix_with_its_own_format(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git(repo, "tag", "release-1.9")
    commit(repo, "a")
    git(repo, "tag", "release-1.10")
    spec = Versioning(tag_pattern="release-{major}.{minor}", format="{major}.{minor}")
    assert git_info(repo, spec).version == "1.10"


def test_the_commit_time_and_branch_placeholders(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git(repo, "tag", "b1")
    git(repo, "checkout", "-qb", "feature/Fast_path")
    commit(repo, "a")
    spec = BUILD.model_copy(update={"dev_format": "{branch}-{build}.{timestamp}-{sha}"})
    # conftest fixes every commit at 2026-01-01T00:00:00Z.
    head = git(repo, "rev-parse", "HEAD")
    assert git_info(repo, spec).version == f"feature-Fast_path-1.1767225600-{head}"
    git(repo, "checkout", "-q", "--detach")
    assert git_info(repo, spec).version == f"detached-1.1767225600-{head}"


def test_no_matching_tag_falls_back_with_a_warning(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git(repo, "tag", "v1.0.0")
    commit(repo, "a")
    info = git_info(repo, BUILD)
    version = f"b0.dev.{short(repo)}"
    assert (info.version, info.source) == (version, "fallback")
    assert (
        info.warning
        == f"no tag matches versioning.tag_pattern 'b{{build}}'; using version {version}"
    )
    own = BUILD.model_copy(update={"fallback": "b1", "dev_format": "{tag}.{distance}"})
    own = Versioning.model_validate(own.model_dump(exclude_defaults=True))
    assert git_info(repo, own).version == "b1.2"  # distance: every commit of HEAD


def test_tag_glob_narrows_the_tags_the_pattern_is_tried_on(
    make_repo: Callable[..., Path],
) -> None:
    repo = make_repo()
    git(repo, "tag", "1.2.0")
    git(repo, "tag", "2.0.0")
    spec = Versioning(tag_pattern="{major}.{minor}.{patch}", tag_glob="1.*")
    assert git_info(repo, spec).version == "1.2.0"


def test_a_glob_of_other_tags_no_longer_falls_back_in_silence(
    make_repo: Callable[..., Path],
) -> None:
    """The v<semver> rule is unchanged, but says why it falls back and what to use."""
    repo = make_repo()
    git(repo, "tag", "b4600")
    info = git_info(repo, Versioning(tag_glob="b*"))
    version = f"v0.0.1.dev.{short(repo)}"
    assert info.version == version
    assert info.warning == (
        "no tag matching versioning.tag_glob 'b*' is a release version (tags such as 'b4600' "
        "are not: describe their scheme with versioning.tag_pattern, e.g. 'b{build}' or "
        f"'{{major}}.{{minor}}.{{patch}}'); using version {version}"
    )


VERSIONS = "versioning:\n  tag_pattern: 'b{build}'\n"


def test_git_version_and_render_print_the_fallback_warning(
    make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo()
    (repo / "matrix.yaml").write_text(MINIMAL + VERSIONS)
    (repo / "Dockerfile").write_text("FROM ubuntu:24.04 AS runtime\nFROM runtime AS dev\n")
    monkeypatch.chdir(repo)
    warning = (
        "warning: no tag matches versioning.tag_pattern 'b{build}'; using version "
        f"b0.dev.{short(repo)}\n"
    )
    result = CliRunner().invoke(main, ["git-version", "-m", "matrix.yaml"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"b0.dev.{short(repo)}\n",
        warning,
    )
    result = CliRunner().invoke(main, ["render", "-m", "matrix.yaml"])
    assert result.exit_code == 0
    assert result.stderr.startswith(warning)
    git(repo, "tag", "b4600")
    result = CliRunner().invoke(main, ["git-version", "-m", "matrix.yaml"])
    assert (result.stdout, result.stderr) == ("b4600\n", "")


def test_the_pattern_is_anchored_and_its_text_literal() -> None:
    pattern, problems = parse_pattern("v{major}.{minor}")
    assert pattern is not None
    assert problems == []
    assert pattern.match("v1.2") == {"major": "1", "minor": "2"}
    for tag in ("v1x2", "v1.2.3", "xv1.2", "v1.2 ", "v.2", "v1.b"):
        assert pattern.match(tag) is None, tag
    word, _ = parse_pattern("{major}.{minor}-{pre:word}")
    assert word is not None
    assert word.match("1.2-rc1") == {"major": "1", "minor": "2", "pre": "rc1"}


def problems_of(versioning: str) -> list[str]:
    with pytest.raises(MatrixError) as caught:
        load_matrix_text(MINIMAL + "versioning:\n" + versioning)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("versioning", "expected"),
    [
        (
            "  tag_pattern: 'b{buidl}'\n",
            "matrix.yaml:17:3: versioning.tag_pattern: unknown named part {buidl} "
            "(did you mean 'build'?)",
        ),
        (
            "  tag_pattern: 'nightly'\n",
            "matrix.yaml:17:3: versioning.tag_pattern: the pattern has no named part (e.g. "
            "'b{build}', '{major}.{minor}.{patch}' or '{year}.{month}.{micro}')",
        ),
        (
            "  tag_pattern: '{major}.{major}'\n",
            "matrix.yaml:17:3: versioning.tag_pattern: the part {major} appears twice "
            "(name each part once)",
        ),
        (
            "  tag_pattern: '{major}{minor}'\n",
            "matrix.yaml:17:3: versioning.tag_pattern: {major} and {minor} touch: where one "
            "ends is unclear (put literal text between them, e.g. '{major}.{minor}')",
        ),
        (
            "  tag_pattern: 'b{build:letters}'\n",
            "matrix.yaml:17:3: versioning.tag_pattern: unknown kind 'letters' of {build} "
            "(a part is a digit run, or ':word')",
        ),
        (
            "  tag_pattern: 'b{build}'\n  dev_format: '{tag}+{short_sha}'\n",
            "matrix.yaml:18:3: versioning.dev_format: the version would hold '+', which "
            "image tags cannot (letters, digits, '_', '.' and '-' only, not first '.' or '-')",
        ),
        (
            "  tag_pattern: 'b{build}'\n  format: '{major}'\n",
            "matrix.yaml:18:3: versioning.format: the tag pattern 'b{build}' has no part {major}",
        ),
        (
            "  tag_pattern: 'b{build}'\n  dev_format: '{tag}.{shortsha}'\n",
            "matrix.yaml:18:3: versioning.dev_format: unknown placeholder {shortsha} "
            "(did you mean 'short_sha'?)",
        ),
        (
            "  tag_pattern: 'b{build}'\n  dev_format: '-{distance}'\n",
            "matrix.yaml:18:3: versioning.dev_format: the version '-${distance}' may not "
            "start with '-', and versions go into image tags (letters, digits, '_', '.' and "
            "'-' only, not first '.' or '-')",
        ),
        (
            "  tag_pattern: 'release/{major}'\n",
            "matrix.yaml:17:3: versioning.tag_pattern: with the default format '{tag}': the "
            "version would hold '/', which image tags cannot (letters, digits, '_', '.' and "
            "'-' only, not first '.' or '-')",
        ),
        (
            "  format: '{tag}'\n",
            "matrix.yaml:17:3: versioning.format: format needs versioning.tag_pattern "
            "(without it the version is v<release> or v<release>.dev.<short sha>; set "
            "tag_pattern, e.g. 'b{build}', to choose the tags and the formats)",
        ),
        (
            "  tag_pattern: 'b{build}'\n  release_branches: 'origin/release/*'\n",
            "matrix.yaml:18:3: versioning.release_branches: is not read with "
            "versioning.tag_pattern: release branches belong to the v<semver> rule (remove "
            "it, or remove tag_pattern to version by v<semver> tags and release branches)",
        ),
        (
            "  tag_pattern: 'b{build}'\n  fallback: '0.0.1'\n",
            "matrix.yaml:18:3: versioning.fallback: '0.0.1' does not match the tag pattern "
            "'b{build}' (e.g. 'b0')",
        ),
    ],
)
def test_bad_schemes_are_located_with_a_suggestion(versioning: str, expected: str) -> None:
    assert expected in problems_of(versioning)


def test_manifest_hears_the_fallback_warning(
    make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo()
    (repo / "matrix.yaml").write_text(MINIMAL + VERSIONS)
    monkeypatch.chdir(repo)
    heard: list[str] = []
    values = bake_values(compile_path(Path("matrix.yaml")), {}, repo, warn=heard.append)
    version = f"b0.dev.{short(repo)}"
    assert values["VERSION"] == version
    assert heard == [f"no tag matches versioning.tag_pattern 'b{{build}}'; using version {version}"]
