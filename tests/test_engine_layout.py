"""The real engine is the judge of the layout: through `docker buildx bake --print`, bakegen's
file (targets inheriting the `_…` parents) resolves every target exactly as a flat file
that writes each target's attributes in full, in HCL and in JSON, and each target stays
addressable by name with `--set`. Skips where there is no `docker buildx`."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bakegen.bakefile.blocks import Block
from bakegen.bakefile.layout import bake_values
from bakegen.pipeline import DEFAULT_MATRIX, Compiled, compile_matrix, compile_path
from bakegen.render.hcl_file import render_hcl

ROOT = Path(__file__).resolve().parent.parent
CASES = [
    *sorted(p for p in (ROOT / "tests" / "cases").iterdir() if p.is_dir()),
    ROOT,
]


def _buildx() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    probe = subprocess.run(
        [docker, "buildx", "version"], capture_output=True, text=True, check=False
    )
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not _buildx(), reason="needs docker buildx")


def bake_print(where: Path, name: str, text: str, *extra: str) -> dict[str, Any]:
    (where / name).write_text(text)
    done = subprocess.run(
        ["docker", "buildx", "bake", "--print", "-f", name, *extra],
        cwd=where,
        capture_output=True,
        text=True,
        check=False,
        # No VERSION or cache settings from the environment running the tests.
        env={"PATH": str(Path(shutil.which("docker") or "docker").parent), "HOME": "/root"},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def flat(compiled: Compiled) -> str:
    """The same targets with no parents: each block sets every attribute itself (blocks the
    layout adds beside the resolved targets, such as variable checks, stay as they are)."""
    full = {
        t.name: Block(name=t.name, values=tuple(bake_values(t).items()))
        for t in compiled.resolution.targets
    }
    blocks = tuple(full.get(b.name, b) for b in compiled.bake.targets)
    assert not any(b.inherits for b in blocks)
    bake = dataclasses.replace(compiled.bake, parents=(), targets=blocks, hcl_blocks=None)
    return render_hcl(bake)


def _matrix(case: Path) -> Path:
    return case / "matrix.yaml" if (case / "matrix.yaml").exists() else case / DEFAULT_MATRIX


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name if p != ROOT else "default")
def test_every_target_resolves_as_in_a_flat_file(case: Path, tmp_path: Path) -> None:
    compiled = compile_path(_matrix(case))
    reference = bake_print(tmp_path, "flat.hcl", flat(compiled))
    assert "_common" not in reference["target"]
    for name, text in (("bake.hcl", compiled.text("hcl")), ("bake.json", compiled.text("json"))):
        printed = bake_print(tmp_path, name, text)
        assert printed["target"] == reference["target"], name
        assert printed["group"] == reference["group"], name


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name if p != ROOT else "default")
def test_set_addresses_each_target_by_name(case: Path, tmp_path: Path) -> None:
    compiled = compile_path(_matrix(case))
    name = compiled.resolution.targets[0].name
    printed = bake_print(
        tmp_path, "bake.hcl", compiled.text("hcl"), "--set", f"{name}.args.PROBE=1", name
    )
    assert printed["target"][name]["args"]["PROBE"] == "1"


@pytest.mark.parametrize(
    ("most", "block", "groups", "member"),
    [
        # Families of 100 cells, each one block.
        (None, "_flavour-of-cuda12-8-amd64", ("cuda12-8", "arm64", "f15"), "cuda13-0-arm64-f25"),
        # At most 40 a block: parts of 34, 33 and 33 cells, the later ones named `<block>-2`
        # and `<block>-3`; the member is in a third part.
        (40, "_flavour-of-cuda12-8-amd64-3", ("cuda12-8", "f50", "f99"), "cuda12-9-amd64-f70"),
    ],
)
def test_families_resolve_every_cell_as_its_own_block(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    most: int | None,
    block: str,
    groups: tuple[str, ...],
    member: str,
) -> None:
    # A large matrix: the HCL file writes `matrix` blocks (families.py), with overrides and
    # includes that make some cells differ from the rest of their family.

    from bakegen.bakefile import families
    from bakegen.matrix.validate import load_matrix_text
    from tests.support.matrices import growing_matrix

    if most is not None:
        monkeypatch.setattr(families, "MAX_MEMBERS", most)
    compiled = compile_matrix(load_matrix_text(growing_matrix(1000)))
    text = compiled.text("hcl")
    assert f'target "{block}"' in text
    for name in ("Dockerfile", "Dockerfile.base", "Dockerfile.alt"):
        (tmp_path / name).write_text("FROM scratch\n")
    reference = bake_print(tmp_path, "flat.hcl", flat(compiled))
    printed = bake_print(tmp_path, "bake.hcl", text)
    assert printed["target"] == reference["target"]
    for group in groups:
        assert sorted(bake_print(tmp_path, "bake.hcl", text, group)["target"]) == sorted(
            bake_print(tmp_path, "flat.hcl", flat(compiled), group)["target"]
        )
    setting = bake_print(tmp_path, "bake.hcl", text, member, "--set", f"{member}.args.X=1")
    assert setting["target"][member]["args"]["X"] == "1"
    # What the cells have alike is written in the block; `--set` still reaches it on one
    # cell alone.
    setting = bake_print(tmp_path, "bake.hcl", text, "--set", f"{member}.args.CUDA=0")
    alike = "-" + member.rsplit("-", 1)[1]  # the cells of the member's flavour
    assert {n: t["args"]["CUDA"] for n, t in setting["target"].items() if n.endswith(alike)} == {
        n: "0" if n == member else t["args"]["CUDA"]
        for n, t in printed["target"].items()
        if n.endswith(alike)
    }


def test_families_over_several_axes_resolve_every_cell_as_its_own_block(tmp_path: Path) -> None:
    # 1,000 cells on five axes of at most five values: `matrix` blocks with a key per axis
    # (grids.py); buildx must make exactly the targets of the flat file.
    from bakegen.matrix.validate import load_matrix_text
    from tests.bakefile.test_grids import realistic_matrix

    compiled = compile_matrix(load_matrix_text(realistic_matrix()))
    text = compiled.text("hcl")
    assert "    _cell_variant = " in text
    for name in ("Dockerfile", "Dockerfile.base"):
        (tmp_path / name).write_text("FROM scratch\n")
    reference = bake_print(tmp_path, "flat.hcl", flat(compiled))
    assert bake_print(tmp_path, "bake.hcl", text)["target"] == reference["target"]
    for group in ("vllm", "cuda12-9", "arm64", "debug"):
        assert (
            bake_print(tmp_path, "bake.hcl", text, group)["target"]
            == (bake_print(tmp_path, "flat.hcl", flat(compiled), group)["target"])
        )
