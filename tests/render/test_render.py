"""Rendering: escaping that round-trips through a real HCL parser, determinism, HCL-JSON."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bakegen.bakefile.hcl import escape_string, hcl_string
from bakegen.errors import MatrixError
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix
from bakegen.templating import Var
from tests.bake_eval import Bake
from tests.support.helpers import MINIMAL

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


def as_bake_reads(value: str) -> str:
    """Bake reads the literal text of a file in Unicode NFC (bakegen normalises a matrix the
    same way when it loads it, so matrix text never changes here)."""
    return unicodedata.normalize("NFC", value)


def test_nasty_strings_round_trip_through_hcl() -> None:
    for value in NASTY:
        assert round_trip(value) == as_bake_reads(value)


@settings(max_examples=400, deadline=None)
@given(st.text() | st.text(alphabet='${}%"\\\nab'))
@example("\ufa15")  # a compatibility ideograph: NFC makes it U+51DE
@example("e\u0301")
def test_any_text_round_trips_through_hcl(value: str) -> None:
    assert round_trip(value) == as_bake_reads(value)


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


def _template_literal(value: str) -> str:
    """How a literal value is written in a matrix template: braces doubled."""
    return value.replace("{", "{{").replace("}", "}}")


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_user_value_round_trips_through_hcl_and_json(value: str) -> None:
    """An axis value, an arg, a label key and value and a description holding any text
    render to HCL and HCL-JSON that parse back to exactly that text."""
    doc = {
        "format": 1,
        "image": {"name": "app", "tags": ["{version}-{name}"]},
        "axes": {"kind": {"values": {value: {"id": "v", "args": {"FROM_AXIS": "{kind}"}}}}},
        "defaults": {
            "dockerfile": "Dockerfile",
            "args": {"LITERAL": _template_literal(value)},
            "labels": {value: "v", "note": _template_literal(value)},
        },
    }
    # Escaped, not raw: PyYAML folds raw line-break characters (NEL, LS, PS) it writes itself.
    compiled = compile_matrix(load_matrix_text(yaml.safe_dump(doc)))
    # Text is read in Unicode NFC, as buildx reads it (bakegen warns where that changes it).
    value = unicodedata.normalize("NFC", value)
    (cell,) = [t for t in compiled.resolution.targets if t.kind == "cell"]
    target = Bake(compiled.text("hcl")).target(cell.name)
    assert target["args"]["FROM_AXIS"] == value
    assert target["args"]["LITERAL"] == value
    assert target["labels"][value] == "v"
    assert target["labels"]["note"] == value
    assert target["description"] == value
    # The HCL-JSON render means the same to bake as the HCL one, target by target.
    from_json = Bake(compiled.text("json"))
    for name in (t.name for t in compiled.resolution.targets):
        assert from_json.target(name) == Bake(compiled.text("hcl")).target(name)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=140))
@example("0:0")
def test_a_tag_is_either_legal_and_kept_or_refused_with_its_location(tag: str) -> None:
    doc = {
        "format": 1,
        "image": {"name": "app", "tags": [_template_literal(tag)]},
        "axes": {"kind": {"values": {"a": None}}},
        "defaults": {"dockerfile": "D"},
    }
    text = yaml.safe_dump(doc)
    try:
        compiled = compile_matrix(load_matrix_text(text))
    except MatrixError as exc:
        (problem,) = exc.problems
        assert problem.path == ("image", "tags", 0)
        assert problem.location.line == text.splitlines().index("  tags:") + 2
        return
    target = Bake(compiled.text("hcl")).target("a")
    if ":" in tag:  # a full `repo:tag` reference, kept as written
        repo, _, bare = tag.rpartition(":")
        assert re.fullmatch(r"[a-z0-9][a-z0-9._/:-]*", repo)
        assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", bare)
        assert target["tags"] == [tag]
        return
    assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", tag)
    assert target["tags"] == [f"app:{tag}"]


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=120))
@example("0.")  # a fallback scope is tag text as written, not turned into an id
def test_a_cache_scope_is_either_legal_and_in_the_refs_or_refused(scope: str) -> None:
    doc = {
        "format": 1,
        "image": {"name": "app"},
        "axes": {"kind": {"values": {"a": None}}},
        "defaults": {"dockerfile": "D"},
        "cache": {"scope": scope, "fallback": [scope]},
    }
    text = yaml.safe_dump(doc)
    try:
        compiled = compile_matrix(load_matrix_text(text))
    except MatrixError as exc:
        problems = exc.problems
    else:
        problems = ()
    if problems:
        assert {p.path[:2] for p in problems} == {("cache", "scope"), ("cache", "fallback")}
        return
    target = Bake(compiled.text("hcl")).target("a")
    # scope and fallback are the same ref, which bake keeps once
    assert target["cache-from"] == [f"type=registry,ref=app-cache:a-{scope}"]


def test_a_value_named_like_a_private_parent_is_refused() -> None:
    """`_common` (and `common`, whose parent would be `_common`) are bakegen's own names."""
    for vid in ("_common", "common", "_b"):
        text = (
            'format: 1\nimage: {name: app, tags: ["{name}"]}\n'
            f"axes:\n  kind:\n    values:\n      {vid}: {{args: {{K: c}}}}\n      b: {{}}\n"
            "defaults: {dockerfile: Dockerfile}\n"
        )
        with pytest.raises(MatrixError) as caught:
            compile_matrix(load_matrix_text(text))
        assert "private parent block" in str(caught.value)
        assert str(caught.value).startswith("matrix.yaml:6:7: ")


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_json_written_in_pieces_is_what_one_dump_of_the_document_writes(value: str) -> None:
    # The JSON file is written target by target; it must be byte for byte the document
    # `json.dumps(..., indent=2)` writes, whatever the values hold.
    try:
        compiled = compile_matrix(load_matrix_text(matrix_with(value)))
    except MatrixError:
        return
    written = compiled.text("json")
    assert written == json.dumps(json.loads(written), indent=2) + "\n"
    assert "".join(compiled.pieces("json")) == written == "".join(compiled.pieces("json"))


def test_json_of_a_file_with_parents_is_one_document() -> None:
    from tests.support.matrices import growing_matrix

    compiled = compile_matrix(load_matrix_text(growing_matrix(100)))
    assert compiled.bake.parents
    written = compiled.text("json")
    assert written == json.dumps(json.loads(written), indent=2) + "\n"
    assert set(json.loads(written)["target"]) >= {p.name for p in compiled.bake.parents}
