"""How lint messages name a Dockerfile stage: one form everywhere."""

from __future__ import annotations

from bakegen.dockerfiles.parse import Stage


def stage_label(stage: Stage) -> str:
    """`stage 'name'` for a named stage; an unnamed one by its index, which is what
    `COPY --from=` and `FROM` take, and its line, where to find it: `stage 9 (line 35)`."""
    if stage.name:
        return f"stage {stage.name!r}"
    return f"stage {stage.index} (line {stage.line})"
