"""Which RUN steps a build executed and which it took from cache, read from the progress
stream that `docker buildx build|bake --progress=rawjson` writes to stderr.

Each line is one JSON status update; a vertex (one LLB step) appears in several updates
(started, completed, cached). A vertex is identified by its digest: one bake call merges
identical steps of different targets into one vertex, so counting digests counts the unique
steps that call ran.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class StepCount:
    executed: dict[str, str] = field(default_factory=dict)  # digest -> step name
    cached: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def add(self, other: StepCount) -> None:
        """Sum of two separate builds (each on its own builder): digests may repeat."""
        for mine, theirs in (
            (self.executed, other.executed),
            (self.cached, other.cached),
            (self.failed, other.failed),
        ):
            for digest, name in theirs.items():
                key = digest
                while key in mine:
                    key += "+"
                mine[key] = name


def is_run_step(name: str) -> bool:
    """`[stage 3/4] RUN …` as the Dockerfile frontend names its exec steps."""
    return name.startswith("RUN ") or "] RUN " in name


def count_run_steps(lines: Iterable[str]) -> StepCount:
    """Executed, cached and failed RUN steps of one build's rawjson progress stream.

    >>> stream = [
    ...     '{"vertexes": [{"digest": "sha256:a", "name": "[x 2/2] RUN echo a"}]}',
    ...     '{"vertexes": [{"digest": "sha256:a", "name": "[x 2/2] RUN echo a",'
    ...     ' "completed": "2026-01-01T00:00:00Z"}]}',
    ...     '{"vertexes": [{"digest": "sha256:b", "name": "[y 2/2] RUN echo b",'
    ...     ' "cached": true, "completed": "2026-01-01T00:00:00Z"}]}',
    ...     '#3 not json',
    ... ]
    >>> found = count_run_steps(stream)
    >>> sorted(found.executed.values()), sorted(found.cached.values())
    (['[x 2/2] RUN echo a'], ['[y 2/2] RUN echo b'])
    """
    names: dict[str, str] = {}
    cached: set[str] = set()
    completed: set[str] = set()
    failed: set[str] = set()
    for line in lines:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            status = json.loads(line)
        except ValueError:
            continue
        for vertex in status.get("vertexes") or ():
            name = vertex.get("name") or ""
            if not is_run_step(name):
                continue
            digest = vertex["digest"]
            names[digest] = name
            if vertex.get("cached"):
                cached.add(digest)
            if vertex.get("error"):
                failed.add(digest)
            elif vertex.get("completed"):
                completed.add(digest)
    return StepCount(
        executed={d: names[d] for d in completed - cached - failed},
        cached={d: names[d] for d in cached - failed},
        failed={d: names[d] for d in failed},
    )
