"""The bake file and its override file under SIGKILL: a real `bakegen render` process killed
after each file-system step of the write, and at random moments. Afterwards each file holds
its old or its new text; a mixed pair always leaves the journal that the next render
completes; and after that render the pair is new and no temporary file is left."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from tests.support.git import git
from tests.support.helpers import MINIMAL, write

NAMES = ("docker-bake.hcl", "docker-bake.override.hcl")
# Kills the process right after the Nth file-system step of writing the files.
KILLER = """
import os, pathlib, signal, sys
limit = int(sys.argv[1])
calls = [0]
armed = [False]
def after(func):
    def wrapped(*args, **kwargs):
        result = func(*args, **kwargs)
        calls[0] += armed[0]
        if calls[0] == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return wrapped
import bakegen.render.write as w
import bakegen.commands.render as b
real_write_files = w.write_files
def write_files(files, **options):
    armed[0] = True
    return real_write_files(files, **options)
b.write_files = write_files
for name in ("fsync", "link", "open"):
    setattr(w.os, name, after(getattr(os, name)))
for name in ("replace", "unlink", "write_text"):
    setattr(pathlib.Path, name, after(getattr(pathlib.Path, name)))
from bakegen.cli import main
main(["render", "-m", "matrix.yaml"])
"""


def _pair(folder: Path) -> tuple[bytes | None, ...]:
    return tuple((folder / n).read_bytes() if (folder / n).exists() else None for n in NAMES)


def _render(folder: Path) -> None:
    result = CliRunner().invoke(main, ["render", "-m", "matrix.yaml"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def versions(in_tmp: Path) -> tuple[tuple[bytes | None, ...], tuple[bytes | None, ...]]:
    """The old pair on disk, and the new pair a render of the committed change gives."""
    write(in_tmp, MINIMAL)
    write(in_tmp, "FROM ubuntu:24.04 AS runtime\nFROM runtime AS dev\n", "Dockerfile")
    git(in_tmp, "init", "-q")
    git(in_tmp, "add", ".")
    git(in_tmp, "commit", "-qm", "one")
    _render(in_tmp)
    old = _pair(in_tmp)
    write(in_tmp, MINIMAL.replace("OS: noble", "OS: changed"))
    git(in_tmp, "commit", "-qam", "two")
    _render(in_tmp)
    new = _pair(in_tmp)
    assert old[0] != new[0]
    assert old[1] != new[1]
    return old, new


def _restore(folder: Path, pair: tuple[bytes | None, ...]) -> None:
    for name, data in zip(NAMES, pair, strict=True):
        assert data is not None
        (folder / name).write_bytes(data)


def _check_after_kill(
    folder: Path, old: tuple[bytes | None, ...], new: tuple[bytes | None, ...]
) -> str:
    pair = _pair(folder)
    assert pair[0] in (old[0], new[0])
    assert pair[1] in (old[1], new[1])
    journal = folder / ".docker-bake.hcl.bakegen-journal"
    mixed = pair not in (old, new)
    if mixed:
        assert journal.exists(), "a mixed pair without a journal cannot be completed"
    _render(folder)
    assert _pair(folder) == new
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [".git", "Dockerfile", "matrix.yaml", *NAMES]
    )
    return "mixed" if mixed else ("old" if pair == old else "new")


def test_killed_after_every_step(
    in_tmp: Path, versions: tuple[tuple[bytes | None, ...], tuple[bytes | None, ...]]
) -> None:
    old, new = versions
    seen = []
    for limit in range(1, 60):
        _restore(in_tmp, old)
        done = subprocess.run(
            [sys.executable, "-c", KILLER, str(limit)], capture_output=True, check=False
        )
        if done.returncode == 0:
            break
        assert done.returncode == -signal.SIGKILL, done.stderr
        seen.append(_check_after_kill(in_tmp, old, new))
    else:
        pytest.fail("the render never finished")
    # The kills landed before, during and after the renames.
    assert {"old", "new"} <= set(seen)
    assert len(seen) >= 8


# The same render on a slow disk (each fsync takes STEP seconds), saying on stdout when the
# write begins and ends, so a kill at a random moment can be aimed inside the write.
STEP = 0.15
SLOW_WRITER = f"""
import os, time
import bakegen.render.write as w
import bakegen.commands.render as b
real_fsync, real_write_files = os.fsync, w.write_files
def slow_fsync(fd):
    time.sleep({STEP})
    return real_fsync(fd)
def write_files(files, **options):
    w.os.fsync = slow_fsync
    print("writing", flush=True)
    result = real_write_files(files, **options)
    print("written", flush=True)
    return result
b.write_files = write_files
from bakegen.cli import main
main(["render", "-m", "matrix.yaml"])
"""


def _slow_render() -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "writing\n"
    return process


def test_killed_at_random_moments_of_the_write(
    in_tmp: Path, versions: tuple[tuple[bytes | None, ...], tuple[bytes | None, ...]]
) -> None:
    old, new = versions
    _restore(in_tmp, old)
    process = _slow_render()
    start = time.monotonic()
    assert process.stdout is not None
    assert process.stdout.readline() == "written\n"
    duration = time.monotonic() - start
    process.stdout.close()
    assert process.wait() == 0
    assert duration >= 2 * STEP  # the write really took several slow steps
    chance = random.Random(14)
    inside = []
    for _ in range(4):
        _restore(in_tmp, old)
        process = _slow_render()
        time.sleep(chance.uniform(0.1, 0.8) * duration)
        process.send_signal(signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL
        assert process.stdout is not None
        with process.stdout:
            inside.append(process.stdout.read() == "")  # no "written": the kill landed mid-write
        _check_after_kill(in_tmp, old, new)
    assert all(inside), inside
