"""Where a real buildx is installed, the test evaluator and `docker buildx bake --print` agree
on generated bake files, beyond the recorded corpus: random strings (escapes, `${`, `%{`,
Unicode) in HCL and HCL-JSON, and random targets, variables, environments and `--set`s.

Both must refuse the same files and print the same JSON for the others. Seeds are fixed, so
a failure names a case that can be replayed.
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.bakeeval.errors import BakeError
from tests.bakeeval.files import run
from tests.support.helpers import buildx_available, clean_env

pytestmark = pytest.mark.skipif(not buildx_available(), reason="no docker buildx here")

PIECES = [*"ab$%{}\\\"'~:,=\n\t é<>&", "\u2028", "\u0301", "n\u0301", "${V}", "$${", "%%{", "${", "%{",
          "%{if true}x%{endif}", "\\n", "\\u00e9", "\\u0301"]  # fmt: skip


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 8)))


def _hcl_literal(s: str) -> str:
    escaped = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return '"' + escaped.replace("${", "$${").replace("%{", "%%{") + '"'


def strings_file(seed: int, mode: str) -> tuple[str, str]:
    """Twenty targets holding random text in args, labels and tags; (file name, content)."""
    rng = random.Random(seed)
    if mode.startswith("json"):
        doc: dict[str, Any] = {"variable": {"V": {"default": "v1"}}, "target": {}}
        for i in range(20):
            s = _text(rng)
            if mode == "json-literal":
                s = s.replace("${", "$${").replace("%{", "%%{")
            doc["target"][f"t{i}"] = {
                "args": {"A": s, s or "e": "x"},
                "labels": {"k": s},
                "tags": [s],
            }
        return "docker-bake.json", json.dumps(doc, ensure_ascii=rng.random() < 0.5)
    blocks = ['variable "V" {\n  default = "v1"\n}\n']
    for i in range(20):
        s = _text(rng)
        expr = (
            _hcl_literal(s)
            if mode == "hcl-literal"
            else '"' + s.replace("\n", "\\n").replace('"', '\\"') + '"'
        )
        blocks.append(
            f'target "t{i}" {{\n  args = {{ A = {expr} }}\n  labels = {{ "k" = {expr} }}\n  tags = [{expr}]\n}}\n'
        )
    return "docker-bake.hcl", "".join(blocks)


_VARIABLES = {
    "S": (["", "string"], ['"x"', '""', '"false"', '"1"', '"${B}-s"']),
    "B": (["", "bool"], ["true", "false", '"true"']),
    "N": (["", "number", "string"], ["16", '"16"', "1.5"]),
    "L": (["", "list(string)", "set(string)"], ['["a", "b"]', "[]"]),
}
_ENV = {
    "S": ["y", "", "true"],
    "B": ["1", "t", "False", "0"],
    "N": ["2", "1e3"],
    "L_JSON": ['["j1","j2"]'],
}
_LISTS = {
    "tags": ['"r/a:1"', '"r/b:${S}"', '""', "S"],
    "platforms": ['"linux/amd64"', '"linux/arm64"'],
    "cache-from": ['"type=registry,ref=r/c:1"', '"r/c:1"', '{ type = "registry", ref = "r/c:1" }',
                   '"type=gha,scope=x"', '"type=registry,ref=r/c:2,mode=max"', '"r/c:1,r/c:2"'],
    "cache-to": ['"type=registry,ref=r/c:1,mode=max"', '"type=inline"'],
    "output": ['"type=docker"', '"type=image,push=true"', '"type=registry"', '{ type = "local", dest = "out" }'],
    "secret": ['"id=a,env=A"', '"id=a,env=B"', '"id=b,env=B"', '{ id = "c", env = "C" }'],
    "attest": ['"type=sbom"', '"type=provenance,mode=max"', '{ type = "sbom", disabled = true }'],
    "no-cache-filter": ['"a"', '"b"'],
}  # fmt: skip
_MAPS = {
    "args": (["A", "B", "C"], ['"1"', "null", "S", '"${N}"', '""']),
    "labels": (['"l.a"', '"l.b"'], ['"v"', "null", "S"]),
    "contexts": (["c1", "c2"], ['"docker-image://x"', '""', '"target:t0"', '"target:t1"']),
}
_SCALARS = {
    "context": ['"."', '"./sub/../x"', '"x/"', "null"],
    "dockerfile": ['"D"', '""', "null", '"${S}.Dockerfile"'],
    "target": ['"stage"', "null", "S"],
    "description": ['"d"', '""'],
    "network": ['"host"', '"none"'],
    "no-cache": ["true", "false", "B"],
}
_SETS = ["t*.args.A=z", "t1.tags=r/set:1", "t1.tags+=r/set:2", "*.platform=linux/arm64",
         "t0.cache-from+=r/c:9", "t2.cache-to=", "*.push=true", "t1.labels.l.a=q",
         "t0.no-cache=true", "t2.secrets=id=z,env=Z", "t0.output=type=local,dest=o", "*.args.B"]  # fmt: skip


def _attribute(rng: random.Random, name: str) -> str:
    if name in _LISTS:
        return "[" + ", ".join(rng.choice(_LISTS[name]) for _ in range(rng.randint(0, 4))) + "]"
    if name in _MAPS:
        keys, values = _MAPS[name]
        lines = [
            f"    {rng.choice(keys)} = {rng.choice(values)}\n" for _ in range(rng.randint(0, 3))
        ]
        return "{\n" + "".join(lines) + "  }"
    return rng.choice(_SCALARS[name])


def structure_case(seed: int) -> tuple[str, dict[str, str], list[str], list[str]]:
    """Typed and untyped variables, targets in one or two blocks with inherits, groups."""
    rng = random.Random(seed)
    out = []
    for name, (types, defaults) in _VARIABLES.items():
        typ = rng.choice(types)
        out.append(
            f'variable "{name}" {{\n'
            + (f"  type = {typ}\n" if typ else "")
            + f"  default = {rng.choice(defaults)}\n}}\n"
        )
    count = rng.randint(2, 5)
    names = [*_LISTS, *_MAPS, *_SCALARS]
    for i in range(count):
        for _ in range(rng.choice([1, 1, 2])):
            body = "".join(
                f"  {a} = {_attribute(rng, a)}\n" for a in rng.sample(names, rng.randint(1, 6))
            )
            if i and rng.random() < 0.6:  # parents declared before: no inheritance cycles
                parents = rng.sample([f'"t{j}"' for j in range(i)], rng.randint(1, min(i, 2)))
                body += f"  inherits = [{', '.join(parents)}]\n"
            out.append(f'target "t{i}" {{\n{body}}}\n')
    if rng.random() < 0.5:
        out.append(
            'group "g" {\n  targets = ["t0", "t1", "g2"]\n}\ngroup "g2" {\n  targets = ["t1", "t2"]\n}\n'
        )
    env = {k: rng.choice(v) for k, v in _ENV.items() if rng.random() < 0.3}
    sets = rng.sample(_SETS, rng.randint(0, 3))
    return (
        "".join(out),
        env,
        sets,
        rng.sample(["t0", "t1", "g", "default", "t*"], rng.randint(1, 2)),
    )


def _buildx(folder: Path, env: dict[str, str], sets: list[str], targets: list[str]) -> Any:
    args = ["docker", "buildx", "bake", "--print"]
    for s in sets:
        args += ["--set", s]
    done = subprocess.run(
        [*args, *targets],
        cwd=folder,
        env={**clean_env(), **env},
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads(done.stdout) if done.returncode == 0 else done.stderr


def _agree(folder: Path, env: dict[str, str], sets: list[str], targets: list[str]) -> None:
    engine = _buildx(folder, env, sets, targets)
    try:
        ours: Any = run(folder, [], env, targets, sets)
    except BakeError as e:
        ours = e
    if isinstance(engine, str):
        assert isinstance(ours, BakeError), (
            f"buildx refused the file, the evaluator printed it: {engine}"
        )
    else:
        assert not isinstance(ours, BakeError), f"the evaluator refused what buildx printed: {ours}"
        assert ours == engine


@pytest.mark.parametrize("mode", ["hcl-literal", "hcl-raw", "json-literal", "json-raw"])
@pytest.mark.parametrize("seed", range(8))
def test_random_strings(seed: int, mode: str, tmp_path: Path) -> None:
    name, text = strings_file(seed, mode)
    (tmp_path / name).write_text(text, encoding="utf-8")
    _agree(tmp_path, {}, [], [f"t{i}" for i in range(20)])


@pytest.mark.parametrize("seed", range(80))
def test_random_targets(seed: int, tmp_path: Path) -> None:
    text, env, sets, targets = structure_case(seed)
    (tmp_path / "docker-bake.hcl").write_text(text, encoding="utf-8")
    _agree(tmp_path, env, sets, targets)
