"""Checking that the Dockerfiles exist looks at each one once, however many targets use it
(work counted in calls, not seconds), and still names the first target that needs a
missing one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix, missing_files
from tests.support.matrices import growing_matrix


def test_each_dockerfile_is_looked_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = compile_matrix(load_matrix_text(growing_matrix(1000)))
    targets = compiled.resolution.targets
    (tmp_path / "Dockerfile").write_text("FROM busybox\n")
    looked_at: list[str] = []
    real = Path.is_file

    def is_file(self: Path) -> bool:
        looked_at.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    problems = missing_files(compiled, tmp_path)
    assert len(targets) > 1000
    assert sorted(looked_at) == ["Dockerfile", "Dockerfile.alt", "Dockerfile.base"]
    first_user: dict[str, str] = {}
    for target in targets:
        first_user.setdefault(str(target.dockerfile_path()), target.name)
    assert [p.message for p in problems] == [
        f"{path} does not exist (needed by {name})"
        for path, name in first_user.items()
        if path != "Dockerfile"
    ]
