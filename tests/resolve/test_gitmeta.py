"""Versions from real temporary git repositories (build.sh's rule)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bakegen.gitmeta import git_info, release_of, version_key
from bakegen.matrix.model import Versioning
from tests.support.git import git

SPEC = Versioning()


def commit(repo: Path, name: str) -> str:
    (repo / name).write_text(name)
    git(repo, "add", name)
    git(repo, "commit", "-qm", name)
    return git(repo, "rev-parse", "HEAD")


def test_exact_tag_gives_the_release(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git(repo, "tag", "v0.9.0")
    info = git_info(repo, SPEC)
    assert info.version == "v0.9.0"
    assert info.sha == git(repo, "rev-parse", "HEAD")
    assert info.source == "tag"


def test_commit_after_tag_is_a_dev_version(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git(repo, "tag", "v0.8.0")
    git(repo, "tag", "v0.10.0")
    commit(repo, "a")
    short = git(repo, "rev-parse", "--short", "HEAD")
    assert git_info(repo, SPEC).version == f"v0.10.0.dev.{short}"


def test_release_branch_wins_over_tags(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    upstream = make_repo("upstream")
    git(upstream, "tag", "v0.9.0")
    git(upstream, "branch", "release/0.9.1")
    git(upstream, "branch", "release/0.10.0")
    git(upstream, "branch", "release/not-a-version")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    commit(clone, "work")
    short = git(clone, "rev-parse", "--short", "HEAD")
    info = git_info(clone, SPEC)
    assert (info.version, info.source) == (f"v0.10.0.dev.{short}", "release-branch")


def test_no_tags_falls_back(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    short = git(repo, "rev-parse", "--short", "HEAD")
    info = git_info(repo, SPEC)
    assert (info.version, info.source) == (f"v0.0.1.dev.{short}", "fallback")


def test_test_rc_and_non_version_tags_are_ignored(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git(repo, "tag", "v0.3.0")
    git(repo, "tag", "v0.0.0-test-rc1")
    git(repo, "tag", "v9.9.9-test-rc2")
    git(repo, "tag", "vnext")
    git(repo, "tag", "nightly")
    commit(repo, "b")
    short = git(repo, "rev-parse", "--short", "HEAD")
    assert git_info(repo, SPEC).version == f"v0.3.0.dev.{short}"


def test_detached_head_on_a_tag(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git(repo, "tag", "v1.2.0")
    commit(repo, "later")
    git(repo, "checkout", "-q", "v1.2.0")
    assert git_info(repo, SPEC).version == "v1.2.0"


def test_shallow_clone_without_tags(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    upstream = make_repo("upstream")
    git(upstream, "tag", "v0.5.0")
    commit(upstream, "next")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-tags", f"file://{upstream}", str(shallow))
    short = git(shallow, "rev-parse", "--short", "HEAD")
    info = git_info(shallow, SPEC)
    assert info.version == f"v0.0.1.dev.{short}"
    # The fallback is not silent: the warning says why and how to get the tags.
    assert info.warning == (
        "the repository is a shallow clone, so its release tags may be missing: the version "
        f"falls back to v0.0.1.dev.{short}; fetch them with `git fetch --tags --unshallow` "
        "(in GitHub Actions: actions/checkout with fetch-depth: 0)"
    )
    git(shallow, "fetch", "-q", "--tags", "--unshallow")
    info = git_info(shallow, SPEC)
    assert (info.version, info.warning) == (f"v0.5.0.dev.{short}", None)


def test_a_full_clone_without_tags_falls_back_with_a_warning_that_is_not_the_shallow_one(
    make_repo: Callable[..., Path],
) -> None:
    repo = make_repo()
    short = git(repo, "rev-parse", "--short", "HEAD")
    assert git_info(repo, SPEC).warning == (
        "no tag matching versioning.tag_glob 'v*' is a release version; using version "
        f"v0.0.1.dev.{short}"
    )


def test_a_repository_owned_by_another_user(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    if os.geteuid() != 0:
        pytest.skip("giving a repository to another user needs root")
    for path in [repo, *repo.rglob("*")]:
        os.lchown(path, 54321, 54321)
    info = git_info(repo, SPEC)
    assert info.version == "v0.0.1.dev.unknown"
    assert info.warning == (
        f"git refuses to read {repo}: it is owned by another user (git's safe.directory "
        f"check); if you trust it, run `git config --global --add safe.directory {repo}`; "
        "using version v0.0.1.dev.unknown"
    )


def test_dirty_tree_keeps_the_version_and_reports_it(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git(repo, "tag", "v2.0.0")
    (repo / "README.md").write_text("changed\n")
    info = git_info(repo, SPEC)
    assert (info.version, info.dirty) == ("v2.0.0", True)


def test_subdirectory_finds_the_repository(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git(repo, "tag", "v3.1.4")
    sub = repo / "matrix"
    sub.mkdir()
    assert git_info(sub, SPEC).version == "v3.1.4"


def test_no_repository_falls_back_with_a_warning(tmp_path: Path) -> None:
    info = git_info(tmp_path, SPEC)
    assert info.version == "v0.0.1.dev.unknown"
    assert info.sha == ""
    assert (
        info.warning == f"{tmp_path} is not inside a git repository; using version "
        "v0.0.1.dev.unknown"
    )


def test_repository_without_commits(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    info = git_info(tmp_path, SPEC)
    assert info.version == "v0.0.1.dev.unknown"
    assert info.warning == "the repository has no commits; using version v0.0.1.dev.unknown"


def test_fixed_version_does_not_ask_git(tmp_path: Path) -> None:
    info = git_info(tmp_path, Versioning(value="v7.0.0"))
    assert (info.version, info.source, info.warning) == ("v7.0.0", "fixed", None)


def test_missing_git_executable(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    script = (
        "import sys; from pathlib import Path; from bakegen.gitmeta import git_info;"
        "from bakegen.matrix.model import Versioning;"
        f"i = git_info(Path({str(repo)!r}), Versioning()); print(i.version); print(i.warning)"
    )
    env = {**os.environ, "PATH": "/nonexistent", "GIT_PYTHON_GIT_EXECUTABLE": "/nonexistent/git"}
    done = subprocess.run(
        [os.sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == [
        "v0.0.1.dev.unknown",
        "the git executable was not found; using version v0.0.1.dev.unknown",
    ]


@pytest.mark.parametrize(
    ("tag", "release"),
    [
        ("v1.2.3", "1.2.3"),
        ("1.2.3", "1.2.3"),
        ("v1.3.0rc1", "1.3.0rc1"),
        ("v0.0.0-test-rc1", "0.0.0-test-rc1"),
        ("vnext", None),
        ("nightly", None),
        ("v", None),
    ],
)
def test_release_of(tag: str, release: str | None) -> None:
    assert release_of(tag) == release


def test_version_order_is_numeric() -> None:
    tags = ["0.9.0", "0.10.0", "0.9.10", "1.0.0rc1", "1.0.0"]
    assert sorted(tags, key=version_key) == ["0.9.0", "0.9.10", "0.10.0", "1.0.0rc1", "1.0.0"]


def test_thousands_of_tags(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    head = git(repo, "rev-parse", "HEAD")
    lines = [f"create refs/tags/v0.{i // 100}.{i % 100} {head}" for i in range(3000)]
    lines += [f"create refs/tags/build-{i} {head}" for i in range(500)]
    subprocess.run(
        ["git", "update-ref", "--stdin"],
        cwd=repo,
        input="\n".join(lines) + "\n",
        text=True,
        check=True,
    )
    commit(repo, "after")
    short = git(repo, "rev-parse", "--short", "HEAD")
    assert git_info(repo, SPEC).version == f"v0.29.99.dev.{short}"


def test_linked_worktree(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    repo = make_repo()
    git(repo, "tag", "v1.0.0")
    commit(repo, "main-only")
    worktree = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "--detach", str(worktree), "v1.0.0")
    info = git_info(worktree, SPEC)
    assert info.version == "v1.0.0"
    assert info.sha == git(worktree, "rev-parse", "HEAD")


def test_a_release_tag_that_cannot_be_an_image_tag_is_said_at_once(
    make_repo: Callable[..., Path],
) -> None:
    """`v1.2.3+build` is a release by the rule, but '+' cannot stand in an image tag: bake's
    VERSION validation would refuse it only when the build starts."""
    repo = make_repo()
    git(repo, "tag", "v1.2.3+build.7")
    info = git_info(repo, SPEC)
    assert info.version == "v1.2.3+build.7"
    assert info.warning is not None
    assert "the version git gives, 'v1.2.3+build.7', cannot be an image tag" in info.warning
    assert "'+'" in info.warning


def test_a_version_that_can_be_a_tag_gives_no_warning(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git(repo, "tag", "v1.2.3-rc.1")
    assert git_info(repo, SPEC).warning is None
