"""One timestamp per render for `{date}`, `{date_time}` and the OCI `created` label: taken
from SOURCE_DATE_EPOCH when it is set (reproducible builds), else from the clock."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from typing import Any

from bakegen.hcl import Expr
from bakegen.templating import Var
from bakegen.variables import Variable

BUILD_DATE, BUILD_TIME = Var("BUILD_DATE"), Var("BUILD_TIME")
CREATED_LABEL = "org.opencontainers.image.created"


def render_time() -> time.struct_time:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(raw) if raw.isdigit() else int(time.time())
    return time.gmtime(seconds)


def uses_dates(values: Iterable[Any]) -> set[str]:
    """The date variables named anywhere in these (nested) values."""
    found: set[str] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, Var):
            if value in (BUILD_DATE, BUILD_TIME):
                found.add(value.name)
        elif isinstance(value, Expr):
            found.update(n for n in (BUILD_DATE.name, BUILD_TIME.name) if n in value.source)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, (tuple, list)):
            stack.extend(value)
    return found


def date_variables(values: Iterable[Any]) -> tuple[Variable, ...]:
    """The date variables these values use, their defaults taken from one timestamp."""
    names = uses_dates(values)
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
