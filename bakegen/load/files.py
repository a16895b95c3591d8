"""Reading an input file safely: regular files only, never more than a size cap.

A FIFO would block the reader forever and a device such as /dev/zero never ends, and both
report a size of 0, so the size field alone cannot bound the read: the file is opened without
blocking, its type checked on the open descriptor, and at most `cap` + 1 bytes are read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bakegen.errors import Location, MatrixError, Problem

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What a file of this mode is, in words."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a directory"
    return next((words for test, words in _KINDS if test(mode)), "not a regular file")


def _error(display: str, message: str, hint: str | None = None) -> MatrixError:
    return MatrixError(
        [Problem(location=Location(file=display), path=(), message=message, hint=hint)]
    )


def read_capped(path: Path, cap: int, display: str) -> bytes:
    """The bytes of the regular file `path`; a MatrixError when it is missing, not a regular
    file, or larger than `cap` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise _error(display, "no such file", "pass --matrix PATH") from None
    except IsADirectoryError:
        raise _error(display, "is a directory, not a matrix file", "pass --matrix PATH") from None
    except OSError as exc:
        raise _error(display, f"cannot read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _error(display, "is a directory, not a matrix file", "pass --matrix PATH")
        if not stat.S_ISREG(info.st_mode):
            raise _error(
                display,
                f"is {kind_of(info.st_mode)}, not a regular file",
                "save the matrix to a file and pass its path",
            )
        if info.st_size > cap:
            raise _error(
                display,
                f"the file is {info.st_size:,} bytes; a matrix may be at most {cap:,} bytes",
            )
        chunks: list[bytes] = []
        total = 0
        # The size may change after fstat (a file still being written): read to the cap only.
        while total <= cap:
            chunk = os.read(fd, min(1 << 20, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > cap:
            raise _error(display, f"the file is over {cap:,} bytes; a matrix may be at most that")
        return b"".join(chunks)
    except OSError as exc:
        raise _error(display, f"cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)
