"""Stage 4, resolve: the image version and commit from git (the only module that uses git)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from bakegen.errors import GitError
from bakegen.matrix.model import Versioning
from bakegen.matrix.tags import tag_problem
from bakegen.matrix.version_scheme import compile_pattern, fill, version_problem

_RELEASE = re.compile(r"^\d+(\.\d+)*([.+-][0-9A-Za-z.+-]*)?$")
_CHUNK = re.compile(r"(\d+)")


@dataclass(frozen=True, kw_only=True)
class GitInfo:
    """What the build needs from git; `source` says how the version was found."""

    version: str
    sha: str
    short_sha: str
    dirty: bool
    source: str
    warning: str | None = None

    @property
    def explanation(self) -> str:
        """How the version was found, in words."""
        return {
            "tag": "HEAD's release tag, or the newest release tag",
            "release-branch": "the newest release branch",
            "fallback": "no release tag or branch: the fallback release",
            "fixed": "versioning.value in the matrix",
        }.get(self.source, self.source)


def version_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key close to `sort -V`: numbers compare as numbers, and a release sorts after
    its pre-releases (1.3.0 > 1.3.0rc1).

    >>> sorted(["1.10.0", "1.9.2", "1.3.0rc1", "1.3.0"], key=version_key)
    ['1.3.0rc1', '1.3.0', '1.9.2', '1.10.0']
    """
    out: list[tuple[int, int | str]] = []
    for chunk in _CHUNK.split(text):
        if not chunk or chunk == ".":
            continue
        out.append((1, int(chunk)) if chunk.isdigit() else (0, chunk))
    # A trailing number-only release outranks the same release with a suffix.
    out.append((2, 0))
    return tuple(out)


def release_of(tag: str) -> str | None:
    """The release version a tag names (without a leading 'v'), or None if it is no version."""
    name = tag[1:] if tag[:1] in ("v", "V") else tag
    return name if _RELEASE.match(name) else None


def _newest(candidates: list[str]) -> str | None:
    return max(candidates, key=version_key) if candidates else None


def _import_git() -> Any:
    # gitpython refuses to import when no git executable exists; ask it to stay quiet so
    # that case reaches the caller as a clear message instead.
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    import git

    return git


def _fallback(spec: Versioning, reason: str) -> GitInfo:
    return GitInfo(
        version=f"v{spec.fallback}.dev.unknown",
        sha="",
        short_sha="unknown",
        dirty=False,
        source="fallback",
        warning=f"{reason}; using version v{spec.fallback}.dev.unknown",
    )


def git_info(where: Path, spec: Versioning) -> GitInfo:
    """The version by build.sh's rule, read from the repository that contains `where`.

    1. HEAD carries a release tag: ``v<tag>``.
    2. Otherwise ``v<newest release>.dev.<short sha>``, the newest release being the newest
       release branch, else the newest release tag, else `spec.fallback`.

    With `spec.tag_pattern`, the tags it matches and its formats instead (_read_pattern).
    """
    if spec.value is not None:
        return GitInfo(version=spec.value, sha="", short_sha="", dirty=False, source="fixed")
    try:
        git = _import_git()
    except ImportError:
        return _fallback(spec, "gitpython cannot be used")
    try:
        repo = git.Repo(where, search_parent_directories=True)
    except (git.exc.InvalidGitRepositoryError, git.exc.NoSuchPathError):
        return _fallback(spec, f"{where} is not inside a git repository")
    except git.exc.GitCommandNotFound:
        return _fallback(spec, "the git executable was not found")
    try:
        return _taggable(_read(repo, spec))
    except git.exc.GitCommandNotFound:
        return _fallback(spec, "the git executable was not found")
    except ValueError:
        # gitpython reads HEAD itself: a branch with no commit yet has no reference.
        return _fallback(spec, "the repository has no commits")
    except git.exc.GitCommandError as exc:
        return _fallback(spec, _git_failure(str(exc.stderr), repo.working_tree_dir or where))
    finally:
        repo.close()


def _taggable(info: GitInfo) -> GitInfo:
    """A version that cannot be an image tag (a release tag `v1.2.3+build` gives a '+') is
    said at once: bake's VERSION validation would refuse it only when the build starts."""
    found = tag_problem((info.version,))
    if found is None:
        return info
    why = (
        f"the version git gives, {info.version!r}, cannot be an image tag ({found[0]}): bake "
        "will refuse it; set VERSION, or versioning.tag_pattern and its format"
    )
    return replace(info, warning=f"{info.warning}; {why}" if info.warning else why)


def _git_failure(stderr: str, top: Path | str) -> str:
    """Why git refused, in words, with the command that fixes it where there is one."""
    if "dubious ownership" in stderr:
        return (
            f"git refuses to read {top}: it is owned by another user (git's safe.directory "
            f"check); if you trust it, run `git config --global --add safe.directory {top}`"
        )
    if "unknown revision" in stderr or "ambiguous argument 'HEAD'" in stderr:
        return "the repository has no commits"
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    detail = lines[0].removeprefix("stderr: ").strip("'") if lines else "no message"
    return f"git failed: {detail}"


_SHALLOW = (
    "the repository is a shallow clone, so its release tags may be missing: the version "
    "falls back to {version}; fetch them with `git fetch --tags --unshallow` (in GitHub "
    "Actions: actions/checkout with fetch-depth: 0)"
)


def _read(repo: Any, spec: Versioning) -> GitInfo:
    # A git command first: it is where git's own refusals (safe.directory) show, before
    # gitpython reads HEAD by itself.
    shallow = repo.git.rev_parse("--is-shallow-repository") == "true"
    sha: str = repo.head.commit.hexsha
    short: str = repo.git.rev_parse("--short", "HEAD")
    dirty = bool(repo.is_dirty(untracked_files=False))
    if spec.tag_pattern is not None:
        facts = {"sha": sha, "short_sha": short, "branch": _branch(repo)}
        facts["timestamp"] = str(repo.head.commit.committed_date)
        info = _read_pattern(repo, spec, facts, shallow)
        return GitInfo(**info, sha=sha, short_sha=short, dirty=dirty)
    listed = _listed(repo, spec, spec.tag_glob)
    tags = [t for t in listed if release_of(t)]
    at_head = set(repo.git.tag("--points-at", "HEAD").splitlines())
    exact = _newest([release_of(t) or "" for t in tags if t in at_head])
    if exact:
        return GitInfo(version=f"v{exact}", sha=sha, short_sha=short, dirty=dirty, source="tag")
    newest: str | None = None
    source = "tag"
    if spec.release_branches:
        branches = _release_branches(repo, spec.release_branches)
        newest = _newest([b for b in branches if re.fullmatch(r"\d+\.\d+\.\d+", b)])
        source = "release-branch" if newest else source
    if newest is None:
        newest = _newest([release_of(t) or "" for t in tags])
    warning = None
    if newest is None:
        newest, source = spec.fallback, "fallback"
        version = f"v{newest}.dev.{short}"
        warning = _SHALLOW.format(version=version) if shallow else _no_release(spec, listed)
        warning += f"; using version {version}" if not shallow else ""
    return GitInfo(
        version=f"v{newest}.dev.{short}",
        sha=sha,
        short_sha=short,
        dirty=dirty,
        source=source,
        warning=warning,
    )


def _listed(repo: Any, spec: Versioning, glob: str) -> list[str]:
    """The tags `glob` matches that `spec.ignore` does not."""
    names = repo.git.tag("--list", glob).splitlines()
    return [t for t in names if t and not any(fnmatchcase(t, pat) for pat in spec.ignore)]


def _no_release(spec: Versioning, listed: list[str]) -> str:
    """Why the v<semver> rule found no release, and the way out when the tags are of
    another scheme (llama.cpp's b4600 under tag_glob 'b*')."""
    text = f"no tag matching versioning.tag_glob {spec.tag_glob!r} is a release version"
    if listed:
        example = max(listed, key=version_key)
        text += (
            f" (tags such as {example!r} are not: describe their scheme with "
            "versioning.tag_pattern, e.g. 'b{build}' or '{major}.{minor}.{patch}')"
        )
    return text


def _branch(repo: Any) -> str:
    """HEAD's branch as tag text ('detached' without one)."""
    name: str = repo.git.rev_parse("--abbrev-ref", "HEAD")
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip(".-")
    return safe if safe and name != "HEAD" else "detached"


def _read_pattern(
    repo: Any, spec: Versioning, facts: dict[str, str], shallow: bool
) -> dict[str, Any]:
    """The version by `versioning.tag_pattern` and its formats (docs/matrix.md#versions)."""
    pattern = compile_pattern(spec)
    glob = spec.tag_glob if "tag_glob" in spec.model_fields_set else pattern.glob()
    tags = _listed(repo, spec, glob)
    at_head = set(repo.git.tag("--points-at", "HEAD").splitlines())
    exact = pattern.newest(t for t in tags if t in at_head)
    newest = exact or pattern.newest(tags)
    warning = None
    if newest is None:
        tag = spec.fallback if "fallback" in spec.model_fields_set else pattern.zero()
        newest = (tag, pattern.match(tag) or {})
        distance = repo.git.rev_list("--count", "HEAD")
    else:
        distance = "0" if exact else repo.git.rev_list("--count", f"{newest[0]}..HEAD")
    values = {**facts, **newest[1], "tag": newest[0], "distance": distance}
    version = fill(spec.format if exact else spec.dev_format, values)
    problem = version_problem(version)
    if problem is not None:
        raise GitError(f"versioning: {problem}; shorten versioning.format or dev_format")
    source = "tag" if tags and newest[0] in tags else "fallback"
    if source == "fallback":
        why = f"no tag matches versioning.tag_pattern {pattern.text!r}"
        warning = _SHALLOW.format(version=version) if shallow else why
        warning += "" if shallow else f"; using version {version}"
    return {"version": version, "source": source, "warning": warning}


def _release_branches(repo: Any, pattern: str) -> list[str]:
    refs = repo.git.for_each_ref("--format=%(refname:short)", "refs/remotes").splitlines()
    return [r.rsplit("/", 1)[-1] for r in refs if fnmatchcase(r, pattern)]


def _repo(where: Path) -> Any:
    git = _import_git()
    try:
        return git.Repo(where, search_parent_directories=True)
    except (git.exc.InvalidGitRepositoryError, git.exc.NoSuchPathError):
        raise GitError(f"{where} is not inside a git repository") from None
    except git.exc.GitCommandNotFound:
        raise GitError("the git executable was not found") from None


def changed_files(where: Path, ref: str) -> list[Path]:
    """Files that differ between `ref` and the working tree (committed or not), plus
    untracked ones, as paths relative to `where`."""
    git = _import_git()
    repo = _repo(where)
    try:
        top = Path(repo.working_tree_dir).resolve()
        repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}")
        names = repo.git.diff("--name-only", "--no-renames", ref).splitlines()
        names += repo.git.ls_files("--others", "--exclude-standard").splitlines()
    except git.exc.GitCommandError:
        raise GitError(f"git does not know the revision {ref!r}") from None
    finally:
        repo.close()
    base = where.resolve()
    out = []
    for name in dict.fromkeys(names):
        full = top / name
        try:
            out.append(full.relative_to(base))
        except ValueError:
            continue  # outside the project root: no target can read it
    return out


def file_at(where: Path, ref: str, path: Path) -> str | None:
    """The text of `path` (relative to `where`) at `ref`, or None when it did not exist."""
    git = _import_git()
    repo = _repo(where)
    try:
        top = Path(repo.working_tree_dir).resolve()
        name = (where.resolve() / path).relative_to(top).as_posix()
        text: str = repo.git.show(f"{ref}:{name}")
        return text
    except git.exc.GitCommandError:
        return None
    finally:
        repo.close()
