"""One timestamp per render for `{date}`, `{date_time}` and the OCI `created` label: taken
from SOURCE_DATE_EPOCH when it is set (reproducible builds), else from the clock."""

from __future__ import annotations

import os
import time

from bakegen.bakefile.variables import Variable
from bakegen.errors import RenderError
from bakegen.matrix.model import MatrixFile
from bakegen.templating import Var

BUILD_DATE, BUILD_TIME = Var("BUILD_DATE"), Var("BUILD_TIME")
CREATED_LABEL = "org.opencontainers.image.created"


# 9999-12-31T23:59:59Z: the last second a four-digit year (`{date}`, RFC 3339) can show.
MAX_EPOCH = 253_402_300_799


def render_time() -> time.struct_time:
    """SOURCE_DATE_EPOCH (whole seconds since 1970, as reproducible-builds.org defines it),
    else the clock. A value set but malformed is an error, not a silent fallback to the
    clock: the build it was set for would not be reproducible."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return time.gmtime(int(time.time()))
    if not (raw.isascii() and raw.isdigit()):
        raise RenderError(
            f"SOURCE_DATE_EPOCH={raw[:40]!r} is not a number of seconds since 1970-01-01 "
            "(digits only, e.g. the commit time: git log -1 --format=%ct); unset it to use "
            "the clock"
        )
    if len(raw) > len(str(MAX_EPOCH)) or int(raw) > MAX_EPOCH:
        raise RenderError(
            f"SOURCE_DATE_EPOCH={raw[:40]!r} is after the year 9999 "
            f"(at most {MAX_EPOCH}); set it to a real time, e.g. git log -1 --format=%ct"
        )
    return time.gmtime(int(raw))


def uses_dates(model: MatrixFile) -> set[str]:
    """The date variables a matrix's templates name (a `{{date}}` literal counts too: it
    only declares a variable nobody reads)."""
    text = model.model_dump_json()
    found = {BUILD_TIME.name} if model.image.created else set()
    if "{date}" in text:
        found.add(BUILD_DATE.name)
    if "{date_time}" in text:
        found.add(BUILD_TIME.name)
    return found


def date_variables(model: MatrixFile) -> tuple[Variable, ...]:
    """The date variables the matrix uses, their defaults taken from one timestamp."""
    names = uses_dates(model)
    if not names:
        return ()
    stamp = render_time()
    formats = {
        BUILD_DATE.name: ("%Y%m%d", "Build date in tags, UTC"),
        BUILD_TIME.name: ("%Y-%m-%dT%H:%M:%SZ", "Build time, RFC 3339 UTC"),
    }
    return tuple(
        Variable(
            name=name,
            default=time.strftime(fmt, stamp),
            description=f"{words} (from SOURCE_DATE_EPOCH, else the render time)",
        )
        for name, (fmt, words) in formats.items()
        if name in names
    )
