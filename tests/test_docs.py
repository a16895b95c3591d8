"""The documentation's examples are real: they validate and compile."""

from __future__ import annotations

import re

from bakegen.cli import main
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix
from tests.support import ROOT


def yaml_blocks(name: str) -> list[str]:
    text = (ROOT / "docs" / name).read_text()
    return re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)


def test_matrix_doc_example_compiles_without_warnings() -> None:
    blocks = [b for b in yaml_blocks("matrix.md") if "format: 1" in b]
    assert blocks
    for block in blocks:
        compiled = compile_matrix(load_matrix_text(block, "docs/matrix.md"))
        assert compiled.warnings == ()
        assert compiled.resolution.targets


def test_matrix_doc_example_is_a_golden_case() -> None:
    block = yaml_blocks("matrix.md")[0]
    case = (ROOT / "tests" / "cases" / "docs-example" / "matrix.yaml").read_text()
    assert block.replace("$schema: ../bakegen/resources/matrix.schema.json\n", "") == case


def test_readme_names_only_real_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    named = set(re.findall(r"`bakegen ([a-z-]+)", readme))
    assert named
    assert named <= set(main.commands)


def test_the_sparse_matrix_example_builds_exactly_the_cells_it_lists() -> None:
    text = (ROOT / "docs" / "matrix.md").read_text()
    section = text.split("### A sparse matrix\n", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    compiled = compile_matrix(load_matrix_text(block, "docs/matrix.md"))
    assert compiled.warnings == ()
    names = [t.name for t in compiled.resolution.targets]
    listed = re.findall(r"`([a-z]+-[0-9]+-[0-9]+-[a-z0-9]+)`", section.split("```")[-1])
    assert (
        names
        == listed
        == [
            "vllm-13-0-amd64",
            "vllm-13-0-arm64",
            "sglang-12-9-amd64",
            "trtllm-13-0-arm64",
        ]
    )
    trtllm = compiled.resolution.targets[-1]
    assert dict(trtllm.args)["TRTLLM_VERSION"] == ("1.1.0",)
