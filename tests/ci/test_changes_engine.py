"""`--changed-since` against the real engine: a small matrix is built with the registry cache
exported, one file or one Dockerfile line is changed, and every target is rebuilt alone on a
fresh builder that imports only that cache. Every target that executed a RUN step must have
been selected, and every selected target must be one the change reaches.

Needs `docker buildx`, a running builder and a registry (tests/test_cache_engine.py says
which environment variables set them); skipped without them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bakegen.ci.changes import affected
from bakegen.pipeline import compile_path
from tests.support.cache_engine import BAKEGEN, Builders, Unavailable, bake, run
from tests.support.git import git
from tests.test_cache_engine import base_image, engine  # noqa: F401 (a fixture)

pytestmark = pytest.mark.engine

MATRIX = """\
format: 1
image: {name: changes, tags: ["{version}-{x}-{t}"]}
axes:
  x:
    values:
      a: {args: {X: a}}
      b: {args: {X: b}}
  t:
    values:
      dev: {stage: dev}
      local-dev: {stage: local-dev}
defaults:
  dockerfile: Dockerfile
  platforms: [linux/amd64]
cache:
  scope: changes
  fallback: []
"""
DOCKERFILE = """\
FROM {base} AS src
ARG X
COPY --link src/${{X}} /src
RUN cat /src/f > /copied

FROM src AS dev
RUN echo dev >> /copied

FROM src AS local-dev
RUN echo local >> /copied
"""


@pytest.mark.parametrize(
    ("change", "reached"),
    [
        ("file", {"a-dev", "a-local-dev"}),
        ("line", {"a-local-dev", "b-local-dev"}),
    ],
)
def test_every_target_that_executes_a_step_was_selected(
    engine: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
    reached: set[str],
) -> None:
    repo = tmp_path / "repo"
    (repo / "src" / "a").mkdir(parents=True)
    (repo / "src" / "b").mkdir(parents=True)
    (repo / "src" / "a" / "f").write_text("a\n")
    (repo / "src" / "b" / "f").write_text("b\n")
    (repo / "matrix.yaml").write_text(MATRIX)
    (repo / "Dockerfile").write_text(DOCKERFILE.format(base=base_image(engine)))
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    rendered = run([*BAKEGEN, "render", "-m", "matrix.yaml", "--no-git-vars"], cwd=repo)
    assert rendered.returncode == 0, rendered.stderr
    cache = f"{engine}/changes-{int(time.time())}-{os.getpid()}"
    env = {**os.environ, "CACHE_REGISTRY": cache, "CACHE_SCOPE": "changes"}
    builders = Builders(os.environ.get("BAKEGEN_FRESH_BUILDER"), None)
    try:
        cold = bake(repo, builders.fresh(), {**env, "CACHE_EXPORT": "true"}, [], tmp_path / "c")
        assert cold.failed == {}
        if change == "file":
            (repo / "src" / "a" / "f").write_text("a2\n")
        else:
            text = (repo / "Dockerfile").read_text()
            (repo / "Dockerfile").write_text(text.replace("echo local", "echo local2"))
        monkeypatch.chdir(repo)
        selected = affected(compile_path(Path("matrix.yaml")), "HEAD", repo).targets
        executed = set()
        for target in ("a-dev", "a-local-dev", "b-dev", "b-local-dev"):
            found = bake(
                repo,
                builders.fresh(),
                {**env, "CACHE_EXPORT": "false"},
                [target],
                tmp_path / target,
            )
            assert found.failed == {}
            if found.executed:
                executed.add(target)
    except Unavailable as why:
        pytest.skip(f"no fresh builder: {why}")
    finally:
        builders.drop()
    assert executed <= selected
    assert selected <= reached
    assert executed == reached  # the change really reaches them
