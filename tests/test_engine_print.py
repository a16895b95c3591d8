"""Every matrix the tests use, rendered, resolves in bake as `bakegen explain` says.

Each rendered file (HCL and JSON) goes through `docker buildx bake --print` where a real
buildx is installed (skipped elsewhere), and through the conformance-checked test evaluator
everywhere. Every target must then have the dockerfile, context, stage, args, labels, tags,
platforms and contexts that `bakegen explain --format json TARGET` reports, with the bake
variables in explain's values (`${VERSION}`, `${IMAGE}`, ...) read back from the same engine.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from bakegen.explain import OPTIONAL
from bakegen.matrix.names import require_target
from bakegen.pipeline import compile_path
from tests.bakeeval import files as evaluator
from tests.support import ROOT
from tests.support.helpers import buildx_available, clean_env
from tests.test_docs import yaml_blocks

PROBE = "zz-explain-probe"
CHECK_PREFIX = require_target("")
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CONDITION = re.compile(r"\s+\((?:while|when) ([A-Za-z_][A-Za-z0-9_]*)\)$")


# Matrices whose text bake could read otherwise than written: a `$` before a placeholder,
# text not in NFC, template syntax in a label key and in an axis value.
_HEAD = 'format: 1\nimage: {name: app, tags: ["{version}-{name}"]}\n'
MEANING = {
    "dollar-before-placeholder": _HEAD
    + "defaults: {dockerfile: Dockerfile, args: {P: '${version}', Q: 'US${var.JOBS}'}}\n"
    + "axes: {x: {values: {a: , b: }}}\nvariables: {JOBS: {default: '4'}}\n",
    "text-not-in-nfc": _HEAD
    + 'defaults: {dockerfile: Dockerfile, labels: {"ke\\u0301y": "e\\u0301"}}\n'
    + "axes: {x: {values: {a: , b: }}}\n",
    "template-syntax-in-keys-and-values": _HEAD
    + 'defaults: {dockerfile: Dockerfile, labels: {"k${X}%{y}": "v${version}"}}\n'
    + "axes: {x: {values: {'${VERSION}': {id: dv}, b: }}, y: {values: {c: , d: }}}\n",
}


def _matrices() -> list[tuple[str, str]]:
    """(id, matrix text): the golden cases, the docs/matrix.md examples, the default matrix."""
    out = [
        (f"case-{p.parent.name}", p.read_text())
        for p in sorted(ROOT.glob("tests/cases/*/matrix.yaml"))
    ]
    blocks = [b for b in yaml_blocks("matrix.md") if "format: 1" in b]
    out += [(f"docs-matrix-{i}", b) for i, b in enumerate(blocks)]
    out.append(("default", (ROOT / "matrix" / "default.yaml").read_text()))
    out += list(MEANING.items())
    return out


MATRICES = _matrices()


def bake_print(engine: str, folder: Path, names: list[str], targets: list[str]) -> dict[str, Any]:
    if engine == "evaluator":
        return evaluator.run(folder, names, {}, targets, [])
    args = ["docker", "buildx", "bake", "--print"]
    for name in names:
        args += ["-f", name]
    done = subprocess.run(
        [*args, *targets],
        cwd=folder,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@functools.cache
def explained(matrix_dir: Path, names: tuple[str, ...]) -> dict[str, list[dict[str, str]]]:
    """`bakegen explain --format json NAME` for every target, run in the matrix's folder."""
    out = {}
    cwd = Path.cwd()
    os.chdir(matrix_dir)
    try:
        for name in names:
            result = CliRunner().invoke(
                main, ["explain", "--format", "json", "-m", "matrix.yaml", name]
            )
            assert result.exit_code == 0, result.output
            out[name] = json.loads(result.stdout)["fields"]
    finally:
        os.chdir(cwd)
    return out


def _matrix_dir(tmp_root: Path, ident: str, text: str) -> Path:
    folder = tmp_root / ident
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "matrix.yaml").write_text(text, encoding="utf-8")
    # The files a golden case's matrix extends.
    case = ROOT / "tests" / "cases" / ident.removeprefix("case-")
    if ident.startswith("case-"):
        for other in case.glob("*.yaml"):
            if other.name != "matrix.yaml":
                shutil.copy(other, folder / other.name)
    return folder


def _expected(fields: list[dict[str, str]], var: dict[str, str]) -> dict[str, Any]:
    """The target bake should print, from explain's rows, with bake variables filled in."""

    def fill(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: var[m.group(1)], text)

    out: dict[str, Any] = {"args": {}, "labels": {}, "contexts": {}, "tags": [], "latest": []}
    for row in fields:
        field, value = row["field"], row["value"]
        head, _, key = field.partition(".")
        if field in ("context", "dockerfile", "target"):
            # "(the last stage)" and the like: explain's words for a field left unset
            out[field] = None if value.startswith("(") else fill(value)
        elif field == "platforms":
            out["platforms"] = (
                [] if value.startswith("(") else [p.strip() for p in value.split(",")]
            )
        elif head == "args" and key and value.endswith(OPTIONAL):
            filled = fill(value.removesuffix(OPTIONAL))
            if filled:  # bake passes no arg whose value is null
                out["args"][key] = filled
        elif head in ("args", "labels", "contexts") and key:
            out[head][key] = fill(value)
        elif field.startswith("tags["):
            condition = _CONDITION.search(value)
            if condition is None:
                out["tags"].append(fill(value))
            elif var[condition.group(1)] == "true":
                out["latest"].append(fill(value[: condition.start()]))
    out["tags"] = list(dict.fromkeys(out["tags"] + out.pop("latest")))
    return out


def _printed(target: dict[str, Any]) -> dict[str, Any]:
    def unescape(s: str) -> str:
        return s.replace("$${", "${").replace("%%{", "%{")

    return {
        "context": target["context"],
        "dockerfile": target["dockerfile"],
        "target": target.get("target"),
        "args": {k: unescape(v) for k, v in target.get("args", {}).items()},
        "labels": {k: unescape(v) for k, v in target.get("labels", {}).items()},
        "contexts": target.get("contexts", {}),
        "tags": target.get("tags", []),
        "platforms": target.get("platforms", []),
    }


@pytest.mark.parametrize("engine", ["buildx", "evaluator"])
@pytest.mark.parametrize("fmt", ["hcl", "json"])
@pytest.mark.parametrize(("ident", "text"), MATRICES, ids=[m[0] for m in MATRICES])
def test_rendered_matrix_resolves_in_bake_as_explain_says(
    ident: str, text: str, fmt: str, engine: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if engine == "buildx" and not buildx_available():
        pytest.skip("no docker buildx here (`docker buildx version` fails)")
    matrix_dir = _matrix_dir(tmp_path_factory.getbasetemp() / "matrices", ident, text)
    cwd = Path.cwd()
    os.chdir(matrix_dir)
    try:
        compiled = compile_path(Path("matrix.yaml"))
    finally:
        os.chdir(cwd)
    names = [t.name for t in compiled.resolution.targets]
    fields = explained(matrix_dir, tuple(names))
    placeholders = sorted({m for rows in fields.values() for r in rows for m in _PLACEHOLDER.findall(r["value"])}
                          | {c for rows in fields.values() for r in rows for c in _CONDITION.findall(r["value"])})  # fmt: skip

    bake_dir = tmp_path_factory.mktemp(f"{ident}-{fmt}-{engine}")
    bake_file = f"docker-bake.{fmt}"
    (bake_dir / bake_file).write_text(compiled.text(fmt), encoding="utf-8")  # type: ignore[arg-type]
    probe_args = "\n".join(f'    {p} = "${{{p}}}"' for p in placeholders)
    (bake_dir / "probe.hcl").write_text(
        f'target "{PROBE}" {{\n  args = {{\n{probe_args}\n  }}\n}}\n'
    )

    printed = bake_print(engine, bake_dir, [bake_file, "probe.hcl"], [*names, PROBE])
    var = printed["target"].pop(PROBE).get("args", {})
    # Besides the targets, the check target of each variable some targets require.
    printed_names = [n for n in printed["target"] if not n.startswith(CHECK_PREFIX)]
    assert sorted(printed_names) == sorted(names)
    problems = []
    for name in names:
        want, got = _expected(fields[name], var), _printed(printed["target"][name])
        want.setdefault("target", None)
        for key in want:
            if want[key] != got[key]:
                problems.append(
                    f"{name}.{key}: explain says {want[key]!r}, bake resolves {got[key]!r}"
                )
    assert not problems, "\n".join(problems)
