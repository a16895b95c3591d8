"""Stage 6, write: atomic file replacement and the stale-file check."""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path

from bakegen.errors import OutputDriftError, OutputError


def write_atomic(path: Path, text: str) -> bool:
    """Write `text` to `path` through a temporary file and a rename, so a reader (or a run
    killed half-way) only ever sees the old file or the new one. Returns False when the
    file already held exactly this text."""
    data = text.encode("utf-8")
    try:
        if path.is_file() and path.read_bytes() == data:
            return False
    except OSError:
        pass
    directory = path.parent if str(path.parent) else Path()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(path.stat().st_mode & 0o777 if path.exists() else 0o644)
        Path(tmp).replace(path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def check_current(path: Path, text: str) -> None:
    """Raise OutputDriftError with a unified diff when `path` does not hold `text`."""
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = None
    except (OSError, UnicodeDecodeError) as exc:
        raise OutputError(f"{path}: cannot read: {exc}") from None
    if current == text:
        return
    diff = "".join(
        difflib.unified_diff(
            (current or "").splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=f"{path} (on disk)",
            tofile=f"{path} (rendered)",
        )
    )
    if current is None:
        raise OutputDriftError(f"{path} does not exist; run `bakegen render`", diff)
    raise OutputDriftError(f"{path} is stale; run `bakegen render`", diff)


def same_file(a: Path, b: Path) -> bool:
    return a.absolute() == b.absolute()
