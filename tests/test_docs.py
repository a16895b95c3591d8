"""The documentation's examples are real: they validate and compile."""

from __future__ import annotations

import re

from bakegen.cli import main
from bakegen.pipeline import compile_matrix
from bakegen.validate import load_matrix_text
from tests.conftest import ROOT


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
