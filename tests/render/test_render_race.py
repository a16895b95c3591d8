"""Two renders of different matrices racing into one folder: both pass the owner check made
before writing, then take turns at the folder's lock. The second must see the first's
override file and refuse, not report success over it."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bakegen

MATRIX = """\
format: 1
image: {name: NAME}
defaults: {dockerfile: Dockerfile}
axes:
  os: {values: {jammy: {}}}
"""


def _waiting_on_flock(count: int, deadline: float) -> bool:
    """Whether `count` processes wait for a flock (Linux lists waiters in /proc/locks as
    `-> FLOCK`)."""
    while time.monotonic() < deadline:
        waiting = sum("-> FLOCK" in line for line in Path("/proc/locks").read_text().splitlines())
        if waiting >= count:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks")
def test_only_one_of_two_racing_renders_succeeds(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / f"{name}.yaml").write_text(MATRIX.replace("NAME", name))
    (tmp_path / "Dockerfile").write_text("FROM ubuntu:24.04\n")
    out = tmp_path / "out"
    out.mkdir()
    # The bakegen under test, whichever copy of it this test imports.
    code = str(Path(bakegen.__file__).parent.parent)
    env = {**os.environ, "VERSION": "1.0", "COMMIT_SHA": "abc", "PYTHONPATH": code}
    # Hold the folder as a writer does, so that both renders pass their first owner check
    # and then wait for it: the race, made certain.
    fd = os.open(out, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        renders = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bakegen",
                    "render",
                    "-m",
                    f"{name}.yaml",
                    "-o",
                    "out/docker-bake.hcl",
                ],
                cwd=tmp_path,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in ("one", "two")
        ]
        assert _waiting_on_flock(2, time.monotonic() + 60)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    results = [(p.wait(60), p.communicate()[1]) for p in renders]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 1], results
    refused = next(err for code, err in results if code == 1)
    assert "docker-bake.override.hcl: holds VERSION and COMMIT_SHA for docker-bake.hcl" in refused
    winner = "one" if results[0][0] == 0 else "two"
    assert f"from ../{winner}.yaml." in (out / "docker-bake.override.hcl").read_text()
    assert f'"{winner}"' in (out / "docker-bake.hcl").read_text()
