"""Golden end-to-end cases: tests/cases/<name>/matrix.yaml renders to expected.hcl and
expected.json byte for byte. Set BAKEGEN_UPDATE_GOLDEN=1 to rewrite them after a deliberate
change, then review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bakegen.pipeline import DEFAULT_MATRIX, compile_path
from bakegen.templating import Text
from tests.bake_eval import Bake

CASES = sorted(p for p in (Path(__file__).parents[1] / "cases").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
@pytest.mark.parametrize("fmt", ["hcl", "json"])
def test_golden(case: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    compiled = compile_path(Path("matrix.yaml"))
    assert compiled.warnings == ()
    text = compiled.text(fmt)  # type: ignore[arg-type]
    expected = case / f"expected.{fmt}"
    if os.environ.get("BAKEGEN_UPDATE_GOLDEN") == "1":
        expected.write_text(text)
    assert text == expected.read_text()
    if fmt == "hcl":
        bake = Bake(text)
        # `all` holds every cell where the user's own group is the default.
        every = "all" if "all" in bake.groups else "default"
        # A `matrix` block (a family) named in a group is a group of its cells in bake.
        listed = [
            cell
            for name in bake.group(every)
            for cell in (bake.group(name) if name in bake.groups else [name])
        ]
        assert listed == [t.name for t in compiled.resolution.targets if t.kind == "cell"]


@pytest.mark.parametrize(
    "case", [*CASES, Path(__file__).parents[2]], ids=lambda p: p.name or "default"
)
def test_inherited_parents_give_each_target_exactly_its_resolved_attributes(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Factoring shared attributes into `_…` parents must not change any target."""
    monkeypatch.chdir(case)
    matrix = Path("matrix.yaml") if (case / "matrix.yaml").exists() else DEFAULT_MATRIX
    compiled = compile_path(matrix)
    bake = Bake(compiled.text("hcl"))

    def value(text: Text) -> str:
        return "".join(p if isinstance(p, str) else str(bake.value(p.name)) for p in text)

    for target in compiled.resolution.targets:
        got = bake.target(target.name)
        # Bake passes no arg whose value is null: an optional arg that comes out empty.
        args = {k: value(v) for k, v in target.args}
        assert got.get("args", {}) == {
            k: v for k, v in args.items() if v or k not in target.optional_args
        }
        assert got.get("labels", {}) == {k: value(v) for k, v in target.labels}
        assert got.get("contexts", {}) == {k: value(v) for k, v in target.contexts}
        assert got.get("platforms") == (list(target.platforms) or None)
        assert got["dockerfile"] == value(target.dockerfile)
        assert got.get("target", "") == value(target.stage)
        assert got.get("secret", []) == [f"id={s.id},env={s.env}" for s in target.secrets]
