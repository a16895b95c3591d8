"""One timestamp per render for `{date}`, `{date_time}` and the OCI `created` label: taken
from SOURCE_DATE_EPOCH when it is set (reproducible builds), else from the clock."""

from __future__ import annotations

import os
import time

from bakegen.model import MatrixFile
from bakegen.templating import Var
from bakegen.variables import Variable

BUILD_DATE, BUILD_TIME = Var("BUILD_DATE"), Var("BUILD_TIME")
CREATED_LABEL = "org.opencontainers.image.created"


def render_time() -> time.struct_time:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(raw) if raw.isdigit() else int(time.time())
    return time.gmtime(seconds)


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
