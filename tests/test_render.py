"""Rendering: escaping that round-trips through a real HCL parser, determinism, HCL-JSON."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bakegen.hcl import escape_string, hcl_string
from bakegen.pipeline import compile_matrix
from bakegen.templating import Var
from bakegen.validate import load_matrix_text
from tests.bake_eval import Bake
from tests.helpers import MINIMAL

NASTY = [
    'say "hi"',
    "back\\slash",
    "${HOME}",
    "%{ if x }",
    "$${x}",
    "line\nbreak",
    "tab\tand\r",
    "}",
    "{",
    "\u0000\u001f\u007f",
    "é ü 中文 🚀",
    '"}\ntarget "evil" {\n',
    "\\${x}",
    "${",
    "%{",
    "$%{",
    "$${",
    "a${b",
    "%${x}",
    "$$${x}",
    "${a${b}",
    '${a"}',
    "\u2028\u0085",
]


def round_trip(value: str) -> str:
    text = f'variable "V" {{\n  default = {hcl_string(value)}\n}}\n'
    return Bake(text).value("V")  # type: ignore[no-any-return]


def test_nasty_strings_round_trip_through_hcl() -> None:
    for value in NASTY:
        assert round_trip(value) == value


@settings(max_examples=400, deadline=None)
@given(st.text() | st.text(alphabet='${}%"\\\nab'))
def test_any_text_round_trips_through_hcl(value: str) -> None:
    assert round_trip(value) == value


def test_variable_parts_interpolate() -> None:
    text = (
        'variable "V" {\n  default = "1.0"\n}\nT = ' + hcl_string(("a-", Var("V"), "-${b}")) + "\n"
    )
    assert Bake(text).value("T") == "a-1.0-${b}"


def test_escape_neutralises_template_syntax() -> None:
    assert escape_string("${x} %{y}") == "$${x} %%{y}"


def matrix_with(value: str) -> str:
    """A matrix whose arg, label and description hold `value` (braces doubled, as matrix
    templates require for literal braces)."""
    quoted = json.dumps(value.replace("{", "{{").replace("}", "}}"))
    return MINIMAL.replace("{OS: jammy}", "{OS: " + quoted + "}").replace(
        "defaults:\n", f"defaults:\n  labels: {{note: {quoted}}}\n  description: {quoted}\n"
    )


def test_user_values_cannot_inject_hcl() -> None:
    evil = '"}\ntarget "evil" {\n  dockerfile = "x"\n}\n# ${HOME} %{ if }'
    compiled = compile_matrix(load_matrix_text(matrix_with(evil)))
    bake = Bake(compiled.text("hcl"))
    assert "evil" not in bake.targets
    jammy = bake.target("jammy-runtime")
    assert jammy["args"]["OS"] == evil
    assert jammy["labels"]["note"] == evil
    assert jammy["description"] == evil


def test_same_input_gives_byte_identical_output() -> None:
    first = compile_matrix(load_matrix_text(MINIMAL)).text("hcl")
    second = compile_matrix(load_matrix_text(MINIMAL)).text("hcl")
    assert first == second
    assert first.encode() == second.encode()


def test_json_carries_the_same_targets_and_values() -> None:
    compiled = compile_matrix(load_matrix_text(matrix_with('q"${x}')))
    hcl = Bake(compiled.text("hcl"))
    doc = json.loads(compiled.text("json"))
    assert set(doc["target"]) == set(hcl.targets)
    assert set(doc["group"]) == set(hcl.groups)
    assert set(doc["variable"]) == set(hcl.variables)
    for name, block in doc["target"].items():
        raw = hcl.raw_target(name)
        for key in ("args", "labels", "contexts"):
            if key in block:
                assert {k: json_value(v, hcl) for k, v in block[key].items()} == raw[key]
        if "dockerfile" in block:
            assert block["dockerfile"] == raw["dockerfile"]
        assert block.get("inherits", []) == raw.get("inherits", [])
    tags = doc["target"]["jammy-runtime"]["tags"]
    assert [json_value(t, hcl) for t in tags] == hcl.raw_target("jammy-runtime")["tags"]


def json_value(template: str, bake: Bake) -> str:
    """Evaluate an HCL-JSON string template whose interpolations are plain variables."""

    def one(match: re.Match[str]) -> str:
        if match.group(1):
            return str(bake.value(match.group(1)))
        return match.group(0)[1:]

    return re.sub(r"\$\{([A-Z_]+)\}|\$\$\{|%%\{", one, template)
