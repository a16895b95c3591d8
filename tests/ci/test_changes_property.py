"""Property: `--changed-since` selects every target whose inputs changed, for generated
Dockerfiles whose COPY sources read args (global and stage defaults, cell args, the platform
args) and random change sets. What a target reads is worked out here on its own, from the
generated spec, by the scoping rules of BuildKit's Dockerfile frontend."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bakegen.ci.changes import affected
from bakegen.pipeline import compile_path
from tests.support.git import git

ARCHES = ("amd64", "arm64")
FILES = (
    "src/a/f",
    "src/b/f",
    "src/amd64/f",
    "src/arm64/f",
    "src/f",
    "lib-amd64/f",
    "lib-arm64/f",
    "lib-none/f",
    "other/f",
)


@dataclass(frozen=True)
class Cell:
    x: str | None  # the X the cell passes
    g: str | None  # the G the cell passes
    arches: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    g_default: str  # "a", "b" or "${TARGETARCH}"
    stage_declares_g: bool
    x_default: str  # "a", "b" or "${G}"
    stage_declares_targetarch: bool
    cells: tuple[Cell, ...]

    def dockerfile(self) -> str:
        lines = [f"ARG G={self.g_default}", "FROM scratch AS s"]
        if self.stage_declares_g:
            lines.append("ARG G")
        lines.append(f"ARG X={self.x_default}")
        lines.append("COPY src/${X} /x")
        if self.stage_declares_targetarch:
            lines.append("ARG TARGETARCH")
        lines.append("COPY lib-${TARGETARCH:-none} /l")
        return "\n".join(lines) + "\n"

    def matrix(self) -> str:
        values = []
        for i, cell in enumerate(self.cells):
            args = {k: v for k, v in (("X", cell.x), ("G", cell.g)) if v is not None}
            shown = ", ".join(f"{k}: {v}" for k, v in args.items())
            platforms = ", ".join(f"linux/{a}" for a in cell.arches)
            values.append(f"      c{i}: {{args: {{{shown}}}, platforms: [{platforms}]}}")
        return (
            "format: 1\nimage: {name: app, tags: ['{c}']}\naxes:\n  c:\n    values:\n"
            + "\n".join(values)
            + "\ndefaults: {dockerfile: Dockerfile, stage: s}\n"
        )

    def reads(self, cell: Cell) -> set[str]:
        """The directories the cell's build copies, on each of its platforms."""
        out = set()
        for arch in cell.arches:
            global_g = (
                cell.g if cell.g is not None else self.g_default.replace("${TARGETARCH}", arch)
            )
            g_in_stage = global_g if self.stage_declares_g else ""
            if cell.x is not None:
                x = cell.x
            else:
                x = g_in_stage if self.x_default == "${G}" else self.x_default
            out.add(f"src/{x}" if x else "src")
            out.add(f"lib-{arch if self.stage_declares_targetarch else 'none'}")
        return out


values = st.sampled_from(("a", "b", "amd64"))
cells = st.builds(
    Cell,
    x=st.none() | values,
    g=st.none() | values,
    arches=st.sampled_from((("amd64",), ("arm64",), ARCHES)),
)
specs = st.builds(
    Spec,
    g_default=st.sampled_from(("a", "b", "${TARGETARCH}")),
    stage_declares_g=st.booleans(),
    x_default=st.sampled_from(("a", "b", "${G}")),
    stage_declares_targetarch=st.booleans(),
    cells=st.lists(cells, min_size=1, max_size=3).map(tuple),
)


def _under(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory + "/")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs, change=st.sets(st.sampled_from(FILES), min_size=1, max_size=3))
def test_every_target_whose_inputs_changed_is_selected(spec: Spec, change: set[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        (repo / "matrix.yaml").write_text(spec.matrix())
        (repo / "Dockerfile").write_text(spec.dockerfile())
        for name in FILES:
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text("1\n")
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "start")
        for name in change:
            (repo / name).write_text("2\n")
        before = Path.cwd()
        os.chdir(repo)
        try:
            found = affected(compile_path(Path("matrix.yaml")), "HEAD", repo)
        finally:
            os.chdir(before)
    expected = {
        f"c{i}"
        for i, cell in enumerate(spec.cells)
        if any(_under(f, d) for f in change for d in spec.reads(cell))
    }
    assert expected <= found.targets
    # Every value is known before the build here: nothing more is selected either.
    assert found.targets == expected
    assert found.unknown == {}
