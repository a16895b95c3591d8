"""Stage 5, render: a BakeFile → docker-bake.hcl (Jinja templates; HCL-JSON: json_file.py).
What is written where is the layout's (bakefile/hcl_layout.py); this module only prints."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, assert_never

import jinja2

from bakegen.attributes import BAKE_KEYS, Kind
from bakegen.bakefile.blocks import KEYS, Block
from bakegen.bakefile.families import Family, SplitMap
from bakegen.bakefile.hcl import (
    EXPRESSIONS,
    Expr,
    hcl_key,
    hcl_list,
    hcl_string,
)
from bakegen.bakefile.hcl_layout import FamilyBlock, HclItem, SharedRecords, hcl_file
from bakegen.bakefile.layout import BakeFile
from bakegen.bakefile.variables import Variable
from bakegen.errors import RenderError
from bakegen.gitmeta import GitInfo
from bakegen.templating import Text

MAX_ALIGN = 48


def templates_dir() -> Path:
    """Templates ship inside the wheel; an editable install reads the repository's copy."""
    packaged = Path(__file__).parents[1] / "templates"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "templates"


def _hcl_value(value: Any) -> str:
    """Values bakegen itself writes: expressions, flags and strings."""
    if isinstance(value, Expr):
        return value.source
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return hcl_string(value)
    raise TypeError(f"no HCL form for {value!r}")


def _hcl_attribute(value: Any, kind: Kind) -> str:
    """A target attribute's value, written as its kind in the registry says."""
    if isinstance(value, EXPRESSIONS):
        return value.source
    if isinstance(value, SplitMap):
        return f"merge({_hcl_map(value.alike)}, {', '.join(value.refs)})"
    match kind:
        case Kind.TEXT:
            return hcl_string(value)
        case Kind.NAMES:
            return _hcl_names(value)
        case Kind.TEXT_LIST:
            return hcl_list(value)
        case Kind.TEXT_MAP:
            return _hcl_map(value)
        case Kind.FLAG:
            return "true" if value else "false"
        case Kind.OTHER:
            raise TypeError(f"no HCL form for {value!r}")
        case _:
            assert_never(kind)


@lru_cache(maxsize=4096)
def _hcl_map(pairs: tuple[tuple[str, Text], ...], indent: str = "  ") -> str:
    # Cached: targets of one CUDA version or platform share their maps (contexts, args).
    keys = [hcl_key(k) for k, _ in pairs]
    # Keys are aligned for reading; a very long key is not, so it cannot pad every line.
    width = max((len(k) for k in keys if len(k) <= MAX_ALIGN), default=0)
    lines = [
        f"{indent}  {key.ljust(width)} = {_hcl_entry(v)}"
        for key, (_, v) in zip(keys, pairs, strict=True)
    ]
    return "{\n" + "\n".join(lines) + f"\n{indent}}}"


def _hcl_entry(value: Text | Expr) -> str:
    """A map entry: a string, or an expression bakegen wrote (an arg dropped when empty)."""
    return value.source if isinstance(value, Expr) else hcl_string(value)


def _hcl_strings(items: tuple[str, ...], indent: str = "  ") -> str:
    return hcl_list(items, indent)


def _hcl_target(block: Block) -> str:
    """A `target` block: inherits first, then each attribute as the registry orders them."""
    lines = [f"target {hcl_string(block.name)} {{"]
    if block.inherits:
        lines.append(f"  inherits    = {_hcl_names(block.inherits)}")
    own = dict(block.values)
    for name, lead, kind in _KEYS_IN_ORDER:
        if name in own:
            lines.append(lead + _hcl_attribute(own[name], kind))
    lines.append("}")
    return "\n".join(lines)


# Each target key with its `  <key> = ` (aligned as the registry says), in writing order.
_KEYS_IN_ORDER = tuple((k.key, f"  {k.key.ljust(k.align)} = ", k.kind) for k in BAKE_KEYS)


@lru_cache(maxsize=1024)
def _hcl_names(names: tuple[str, ...]) -> str:
    # Most targets inherit one of a few lists of parents.
    return hcl_list(names)


def _comment(text: str) -> str:
    """Text safe inside a `#` comment: control characters (newlines above all) become '?'."""
    return "".join(
        "?" if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" else c for c in text
    )


@cache
def environment(directory: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["comment"] = _comment
    env.filters.update(
        hcl=_hcl_value,
        hcl_attribute=_hcl_attribute,
        hcl_target=_hcl_target,
        hcl_strings=_hcl_strings,
        hcl_string=hcl_string,
    )
    return env


def _pieces(name: str, **context: Any) -> Iterator[str]:
    """A template's output in pieces as they are made."""
    env = environment(str(templates_dir()))
    try:
        yield from env.get_template(name).generate(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{exc.filename or name}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound:
        raise RenderError(f"template {name!r} not found in {templates_dir()}") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{name}: {exc.message}") from None


def _render(name: str, **context: Any) -> str:
    return "".join(_pieces(name, **context))


def render_hcl(bake: BakeFile) -> str:
    return "".join(render_hcl_pieces(bake))


def render_hcl_pieces(bake: BakeFile) -> Iterator[str]:
    """The HCL file in pieces, to be written as they are made rather than held whole."""
    laid_out = hcl_file(bake)
    return _pieces(
        "docker-bake.hcl.j2",
        bake=laid_out.bake,
        groups=laid_out.groups,
        blocks=map(_hcl_item, laid_out.blocks),
    )


def _hcl_item(item: HclItem) -> str:
    """One block of the file as the layout gives it (hcl_layout.HclItem)."""
    if isinstance(item, SharedRecords):
        return f"{item.name} = {_hcl_records(item.records, '')}"
    if isinstance(item, FamilyBlock):
        keys = [(k.key, k.shared or _hcl_records(k.records, "  ")) for k in item.keys]
        return _hcl_family(item.family, keys)
    return _hcl_target(item)


def _hcl_family(family: Family, keys: list[tuple[str, str]]) -> str:
    """A family's `matrix` block: the name template, each matrix key's records (a list, or
    the name of the global list holding it), then the block's attributes as `_hcl_target`
    writes them."""
    matrix = "".join(f"    {key} = {records}\n" for key, records in keys)
    head = (
        f"target {hcl_string(family.block.name)} {{\n"
        f"  name   = {hcl_string(family.name)}\n"
        f"  matrix = {{\n{matrix}  }}\n"
    )
    return head + _hcl_target(family.block).split("\n", 1)[1]


def _hcl_records(records: tuple[tuple[str, Any], ...], indent: str) -> str:
    """One HCL object per cell: its id, then its value of each field."""
    lines = ["["]
    for vid, fields in records:
        parts = [f"id = {hcl_string(vid)}"]
        # A field that is no bake key (an axis's value) is a text.
        parts += [
            f"{field} = {_hcl_field(value, KEYS[key].kind if key in KEYS else Kind.TEXT)}"
            for field, key, value in fields
        ]
        if any("\n" in part for part in parts):
            lines.append(f"{indent}  {{")
            lines += [f"{indent}    {part}" for part in parts]
            lines.append(f"{indent}  }},")
        else:
            lines.append(f"{indent}  {{ " + ", ".join(parts) + " },")
    lines.append(f"{indent}]")
    return "\n".join(lines)


def _hcl_field(value: Any, kind: Kind) -> str:
    """A record's value: maps on one line (a record holds a cell's few entries of its own)."""
    if kind is not Kind.TEXT_MAP or isinstance(value, EXPRESSIONS):
        return _hcl_attribute(value, kind)
    if not value:
        return "{}"
    return "{ " + ", ".join(f"{hcl_key(k)} = {_hcl_entry(v)}" for k, v in value) + " }"


def render_override_hcl(info: GitInfo, owner: str, variables: Mapping[str, Variable]) -> str:
    """The override file: `owner` says which bake file and matrix it belongs to; VERSION and
    COMMIT_SHA keep the main file's descriptions and validation blocks (bake keeps only the
    last file's declaration of a variable, so without them the pair would check nothing)."""
    return _render("docker-bake.override.hcl.j2", git=info, owner=owner, variables=variables)
