"""Reads of the build context that a fresh builder cannot match in the registry cache.

When a bake call builds more than one target, targets share the build context (one local
source for all of them) and a target reached through `target:` hands its whole build to the
targets that use it. On a fresh builder each target then looks its steps up in its own
cache import under keys another target computed, and BuildKit fails to recognise a step
whose second or later input is the build context: a plain `COPY` (the context is the copy's
second input, after the stage it copies into) or a `RUN --mount=type=bind` from the
context. Every step after it misses the registry cache and runs again. `COPY --link`
copies onto an empty layer, so the context is that copy's first input and the lookup
succeeds. docs/ci.md explains the mechanism and the measurements.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bakegen.dockerfiles import Stage


@dataclass(frozen=True)
class UnlinkedRead:
    line: int
    message: str
    hint: str


_HINTS = {
    "COPY": "use `COPY --link` (same files, copied onto their own layer)",
    "ADD": "use `ADD --link`, or `COPY --link` for plain files",
    "COPY --chmod": "drop --chmod and use --link (BuildKit copies plainly when both are given)",
    "ADD --chmod": "drop --chmod and use --link (BuildKit copies plainly when both are given)",
    "RUN --mount=type=bind": (
        "COPY --link the files into a stage (`FROM scratch AS src`) and bind-mount "
        "`from=src` instead"
    ),
}


def unlinked_reads(built: list[Stage]) -> Iterator[UnlinkedRead]:
    """Each read of the build context in the built stages that is not `COPY --link`."""
    for stage in built:
        where = f"stage {stage.name!r}" if stage.name else f"stage {stage.index}"
        for how, line in stage.unlinked:
            yield UnlinkedRead(
                line=line,
                message=(
                    f"{where} reads the build context with {how}, not as a linked copy "
                    "(COPY --link): on a fresh builder the registry cache misses from this "
                    "step on"
                ),
                hint=_HINTS.get(how, _HINTS["COPY"]),
            )
