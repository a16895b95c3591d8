"""Reads of the build context that a fresh builder cannot match in the registry cache.

When a bake call builds more than one target, targets share the build context (one local
source for all of them) and a target reached through `target:` hands its whole build to the
targets that use it. On a fresh builder each target then looks its steps up in its own
cache import under keys another target computed, and BuildKit fails to recognise a step
whose second or later input is the build context: a plain `COPY` (the context is the copy's
second input, after the stage it copies into) or a `RUN --mount=type=bind` from the
context; the same holds for a named context that is a local directory. Every step after it misses the registry cache and runs again. `COPY --link`
copies onto an empty layer, so the context is that copy's first input and the lookup
succeeds. docs/ci.md explains the mechanism and the measurements.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bakegen.dockerfiles.parse import Stage, Use
from bakegen.lint.stage_labels import stage_label
from bakegen.templating import Text, plain


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
        where = stage_label(stage)
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


_REMOTE = ("target:", "docker-image://", "oci-layout://", "git@")


def local_contexts(contexts: Iterable[tuple[str, Text]]) -> set[str]:
    """The named contexts that are directories of this machine (sent like the context)."""
    return {
        name
        for name, value in contexts
        if not (plain(value).startswith(_REMOTE) or "://" in plain(value))
    }


def unlinked_uses(
    uses: Iterable[tuple[Use, str | None]], local: set[str]
) -> Iterator[UnlinkedRead]:
    """Each `COPY --from` (without --link) or `RUN --mount from` of a local named context;
    `uses` are (use, the reference with the args substituted)."""
    for use, ref in uses:
        if use.how == "FROM" or ref not in local or use.linked:
            continue
        yield UnlinkedRead(
            line=use.line,
            message=(
                f"{use.how} {ref} reads a local directory context, not as a linked copy "
                "(COPY --link): on a fresh builder the registry cache misses from this step on"
            ),
            hint=_HINTS["COPY"] if use.how == "COPY --from" else _HINTS["RUN --mount=type=bind"],
        )
