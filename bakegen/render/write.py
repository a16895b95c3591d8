"""Stage 6, write: replace a set of files in one directory as a unit, and the stale-file check.

The bake file and its override file are written as a pair. Each new text goes to a hidden
temporary file beside its target and is synced first; nothing visible changes until every
temporary file is complete. Then a journal names the pair, each temporary file is renamed over
its target, and the journal is removed. A run that fails before the journal leaves every file
as it was (and removes its temporary files); one that fails while renaming puts back the files
already replaced. A run killed while renaming leaves the journal: the next write in that
directory finishes the renames first (the new texts were complete), so the pair ends up
consistent and no temporary file stays behind. Writers of one directory take turns (flock).
"""

from __future__ import annotations

import difflib
import fcntl
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from bakegen.errors import OutputDriftError, OutputError

_NEW = ".bakegen-new"
_OLD = ".bakegen-old"
_JOURNAL = ".bakegen-journal"


# A file's text, whole or in pieces.
Content = str | Iterable[str]


def _hidden(path: Path, suffix: str) -> Path:
    return path.with_name(f".{path.name}{suffix}")


def _fail(path: Path, exc: OSError) -> OutputError:
    return OutputError(f"{path}: cannot write: {exc.strerror or exc}")


def _sync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    fd = os.open(directory, os.O_RDONLY)
    try:
        # Where directories cannot be locked (some network file systems), writers do not wait.
        with suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _unlink(*paths: Path) -> None:
    for path in paths:
        with suppress(FileNotFoundError):
            path.unlink()


def recover(directory: Path, names: Sequence[str]) -> None:
    """Finish or undo what an interrupted write of `names` in `directory` left behind."""
    journal = _hidden(directory / names[0], _JOURNAL)
    if journal.exists():
        listed = [line for line in journal.read_text(encoding="utf-8").splitlines() if line]
        for name in listed:
            new = _hidden(directory / name, _NEW)
            if new.exists():
                new.replace(directory / name)
        names = [*names, *listed]
    for name in names:
        _unlink(_hidden(directory / name, _NEW), _hidden(directory / name, _OLD))
    _unlink(journal)


def _write_new(path: Path, content: Content) -> Path:
    """The synced hidden temporary file holding `content` (written piece by piece as it is
    made), with the target's permissions."""
    new = _hidden(path, _NEW)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    fd = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in (content,) if isinstance(content, str) else content:
                handle.write(piece.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        new.chmod(mode)
    except BaseException:
        _unlink(new)
        raise
    return new


def _unchanged(path: Path, new: Path) -> bool:
    """Whether `path` already holds the bytes of `new` (compared a block at a time)."""
    try:
        if not path.is_file() or path.stat().st_size != new.stat().st_size:
            return False
        with path.open("rb") as old_file, new.open("rb") as new_file:
            while True:
                old_block, new_block = old_file.read(1 << 20), new_file.read(1 << 20)
                if old_block != new_block:
                    return False
                if not old_block:
                    return True
    except OSError:
        return False


def write_files(
    files: Sequence[tuple[Path, Content]], check: Callable[[], None] | None = None
) -> list[bool]:
    """Write each (path, text) pair, all in one directory, as a unit; for each file, whether
    it changed (a file that already holds its text is left alone). A text may come as an
    iterable of pieces, written as they are made. `check` runs once this writer holds the
    directory, before anything is written: what it checked (whose files these are) cannot
    change before the write, as it could if checked before waiting for another writer."""
    directory = files[0][0].parent
    if any(path.parent != directory for path, _ in files):
        raise ValueError("write_files writes into one directory")
    names = [path.name for path, _ in files]
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(directory, exc) from None
    journal = _hidden(files[0][0], _JOURNAL)
    with _locked(directory):
        try:
            recover(directory, names)
        except OSError as exc:
            raise _fail(directory, exc) from None
        if check is not None:
            check()
        written = _write_all(files)
        changed = []
        for path, new in written:
            if _unchanged(path, new):
                _unlink(new)
            else:
                changed.append(path)
        _replace(directory, journal, changed)
    return [path in changed for path, _ in files]


def _write_all(files: Sequence[tuple[Path, Content]]) -> list[tuple[Path, Path]]:
    """Each file's synced temporary file; on any failure none is left."""
    written: list[tuple[Path, Path]] = []
    current = files[0][0]
    try:
        for path, content in files:
            current = path
            written.append((path, _write_new(path, content)))
    except OSError as exc:
        _unlink(*(new for _, new in written))
        raise _fail(current, exc) from None
    except BaseException:
        _unlink(*(new for _, new in written))
        raise
    return written


def _replace(directory: Path, journal: Path, targets: list[Path]) -> None:
    """Move the written temporary files of `targets` into place, as a pair if two."""
    if not targets:
        return
    if len(targets) == 1:
        _rename_one(targets[0], _hidden(targets[0], _NEW))
    else:
        _rename_all(directory, journal, targets)
    # The files are in place; a failed sync only leaves their durability across a power cut
    # unsure.
    with suppress(OSError):
        _sync_dir(directory)


def _rename_one(target: Path, new: Path) -> None:
    try:
        new.replace(target)
    except OSError as exc:
        _unlink(new)
        raise _fail(target, exc) from None


def _rename_all(directory: Path, journal: Path, targets: list[Path]) -> None:
    backups: list[tuple[Path, Path]] = []
    replaced: list[tuple[Path, Path]] = []
    current = journal
    try:
        for target in targets:
            if target.exists():
                old = _hidden(target, _OLD)
                _unlink(old)
                try:
                    os.link(target, old)
                except OSError:
                    continue  # no hard links here: this file cannot be put back on failure
                backups.append((target, old))
        journal.write_text("".join(f"{t.name}\n" for t in targets), encoding="utf-8")
        _sync_dir(directory)
        for target in targets:
            current = target
            _hidden(target, _NEW).replace(target)
            replaced.append((target, _hidden(target, _OLD)))
    except OSError as exc:
        _undo(journal, targets, replaced, dict(backups))
        raise _fail(current, exc) from None
    _unlink(journal, *(old for _, old in backups))


def _undo(
    journal: Path, targets: list[Path], replaced: list[tuple[Path, Path]], backups: dict[Path, Path]
) -> None:
    """Put back the files already replaced, then drop every temporary file and the journal."""
    for target, _ in replaced:
        old = backups.get(target)
        if old is not None:
            old.replace(target)
        else:
            _unlink(target)
    for target in targets:
        _unlink(_hidden(target, _NEW), _hidden(target, _OLD))
    _unlink(journal)


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
