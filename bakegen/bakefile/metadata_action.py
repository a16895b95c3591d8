"""docker/metadata-action interop: cells take the tags, labels and annotations the action
works out from the GitHub event (`ci.metadata_action`, docs/ci.md).

Tags and annotations come from the environment variables the action exports
(`DOCKER_METADATA_OUTPUT_TAGS`, `..._ANNOTATIONS`, one entry a line), read as bake variables:
a cell's tags are rewritten per cell, which an inherited list cannot be (bake replaces a
parent's tags with the child's own), and `target.<name>.tags` sees only the last block of
that name once the action's file defines it again (bake-notes §1.5). Labels come from the
action's bake file: cells inherit its target first, so its labels merge under the cell's own,
key by key. The file declares that target empty, so it also works without the action's file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bakegen.bakefile.blocks import Block
from bakegen.bakefile.hcl import Expr, Switched, hcl_list
from bakegen.bakefile.variables import Variable
from bakegen.errors import MatrixError, Problem
from bakegen.matrix.model import MatrixFile
from bakegen.matrix.model_features import MetadataAction
from bakegen.matrix.tags import MAX_TAG
from bakegen.resolve.targets import Target

TAGS_VARIABLE = "DOCKER_METADATA_OUTPUT_TAGS"
ANNOTATIONS_VARIABLE = "DOCKER_METADATA_OUTPUT_ANNOTATIONS"
# Globals holding the entries of each variable, empty lines dropped.
TAGS = "METADATA_TAGS"
ANNOTATIONS = "METADATA_ANNOTATIONS"
_PATH = ("ci", "metadata_action")


def settings(model: MatrixFile) -> MetadataAction | None:
    return model.ci.metadata_action


def rewrites_tags(model: MatrixFile) -> bool:
    """Whether each cell's tags become an expression of its own (no family shares it)."""
    meta = settings(model)
    return meta is not None and (meta.tags != "none" or meta.annotations)


def check(model: MatrixFile, targets: Sequence[Target], groups: Sequence[str]) -> None:
    """Refuse what would clash at bake time: a name bakegen or the action needs, and one set
    of tags for several images."""
    meta = settings(model)
    if meta is None:
        return
    problems: list[Problem] = []
    names = {t.name for t in targets} | set(groups)
    if meta.target in names:
        problems.append(
            Problem(
                path=(*_PATH, "target"),
                message=f"{meta.target!r} is also the name of a target or group of the matrix",
                hint="give the action's `bake-target` input and this key another name",
            )
        )
    for name in (TAGS_VARIABLE, ANNOTATIONS_VARIABLE, TAGS, ANNOTATIONS):
        if name in model.variables:
            problems.append(
                Problem(
                    path=("variables", name),
                    message=f"{name} is a name ci.metadata_action writes into the bake file",
                    hint="rename the variable",
                )
            )
    cells = [t.name for t in targets if t.kind == "cell"]
    if meta.tags == "replace" and len(cells) > 1:
        shown = ", ".join(cells[:3]) + (", ..." if len(cells) > 3 else "")
        problems.append(
            Problem(
                path=(*_PATH, "tags"),
                message=f"replace gives all {len(cells)} cells ({shown}) the same tags, so each "
                "push would overwrite the last",
                hint="use `tags: join` (each tag with '-<target name>' after it), or a matrix "
                "of one cell",
            )
        )
    if problems:
        raise MatrixError(problems)


def variables(model: MatrixFile, targets: Sequence[Target]) -> tuple[Variable, ...]:
    meta = settings(model)
    if meta is None:
        return ()
    out: list[Variable] = []
    if meta.tags != "none":
        out.append(
            Variable(
                name=TAGS_VARIABLE,
                default="",
                description="Tags docker/metadata-action made from the event, one a line "
                "(the action sets it)",
                validations=_tag_checks(meta, targets),
            )
        )
    if meta.annotations:
        out.append(
            Variable(
                name=ANNOTATIONS_VARIABLE,
                default="",
                description="Annotations docker/metadata-action made, one a line "
                "(the action sets it)",
            )
        )
    return tuple(out)


def _tag_checks(meta: MetadataAction, targets: Sequence[Target]) -> tuple[tuple[Expr, str], ...]:
    """`join` puts '-<target name>' after the tag part of each reference: with the longest
    cell name it must stay within the registries' 128 characters."""
    if meta.tags != "join":
        return ()
    longest = max((len(t.name) for t in targets if t.kind == "cell"), default=0)
    room = MAX_TAG - 1 - longest
    entries = f'compact(split("\\n", {TAGS_VARIABLE}))'
    tag_part = 'element(split(":", t), length(split(":", t)) - 1)'
    return (
        (
            Expr(f"length([for t in {entries} : t if strlen({tag_part}) > {room}]) == 0"),
            (
                f"each tag of {TAGS_VARIABLE} may be at most {room} characters: '-<target "
                f"name>' is added to it (up to {longest + 1} characters) and registries refuse "
                f"tags over {MAX_TAG}"
            ),
        ),
    )


def global_attributes(model: MatrixFile) -> tuple[tuple[str, Expr], ...]:
    meta = settings(model)
    if meta is None:
        return ()
    out = []
    if meta.tags != "none":
        out.append((TAGS, Expr(f'compact(split("\\n", {TAGS_VARIABLE}))')))
    if meta.annotations:
        out.append((ANNOTATIONS, Expr(f'compact(split("\\n", {ANNOTATIONS_VARIABLE}))')))
    return tuple(out)


def parents(model: MatrixFile) -> tuple[Block, ...]:
    """The action's target, declared empty: its bake file, loaded after this one, fills it."""
    meta = settings(model)
    return (Block(name=meta.target),) if meta is not None and meta.labels else ()


def with_parent(model: MatrixFile, make: Callable[[int], Block]) -> Callable[[int], Block]:
    """Each block with the action's target first among a cell's parents (later parents and
    the cell's own labels win over it)."""
    meta = settings(model)
    if meta is None or not meta.labels:
        return make
    name = meta.target

    def block_at(i: int) -> Block:
        block = make(i)
        if block.get("tags") is None:
            return block  # not a cell: shared stages and check targets take nothing
        return Block(name=block.name, inherits=(name, *block.inherits), values=block.values)

    return block_at


def values(
    model: MatrixFile, values_of: Callable[[Target], dict[str, Any]]
) -> Callable[[Target], dict[str, Any]]:
    """`values_of` with each cell's tags and annotations taken from the action."""
    meta = settings(model)
    if meta is None or not rewrites_tags(model):
        return values_of

    def cell_values(target: Target) -> dict[str, Any]:
        out = values_of(target)
        if target.kind != "cell":
            return out
        own = _source(out.get("tags", ()))
        if meta.tags == "join":
            joined = f'[for t in {TAGS} : "${{t}}-{target.name}"]'
            out["tags"] = Expr(f"concat(\n    {own},\n    {joined}\n  )")
        elif meta.tags == "replace":
            out["tags"] = Expr(f"length({TAGS}) > 0 ? {TAGS} : {own}")
        if meta.annotations:
            given = out.get("annotations")
            out["annotations"] = (
                Expr(f"concat({_source(given)}, {ANNOTATIONS})") if given else Expr(ANNOTATIONS)
            )
        return out

    return cell_values


def _source(value: Any) -> str:
    """A list value as HCL source."""
    if isinstance(value, Expr | Switched):
        return value.source
    return hcl_list(value, "    ")
