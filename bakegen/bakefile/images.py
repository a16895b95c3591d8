"""Several images in one matrix file: their compiled bake files merged into one.

- each image's `${IMAGE}` becomes the global `IMAGE_<KEY>` (`<registry>/<name>`), its name
  the variable `IMAGE_NAME_<KEY>`; REGISTRY, VERSION, the cache and the matrix's own
  variables are shared;
- groups: `default` holds every image's default targets, `<image>` one image's, and every
  other group of an image (user groups, axis values) is named `<image>-<group>`; private
  parents become `_<image>-<parent>`;
- names must not clash, image keys must make distinct variables, and no two images push
  one tag."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from bakegen.bakefile.blocks import Block
from bakegen.bakefile.groups import Group
from bakegen.bakefile.hcl import Expr
from bakegen.bakefile.layout import BakeFile
from bakegen.bakefile.variables import Variable, cache_image
from bakegen.errors import MatrixError, Problem
from bakegen.load.images import path_in_file
from bakegen.load.source import Source
from bakegen.matrix.names import clashes, in_image
from bakegen.resolve.targets import Resolution
from bakegen.templating import Var


def suffix(key: str) -> str:
    """An image key as part of a bake variable name."""
    return re.sub(r"[^A-Za-z0-9_]", "_", key).upper()


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, Var):
        return Var(names.get(value.name, value.name))
    if isinstance(value, tuple):
        return tuple(_renamed(v, names) for v in value)
    return value


def rename_targets(resolution: Resolution, key: str, image: Source, whole: Source) -> Resolution:
    """The image's targets with `${IMAGE}` and `${IMAGE_NAME}` as its own variables, and
    the key path of every value as written in the whole file (so `explain` and later
    checks locate it there)."""
    names = {"IMAGE": f"IMAGE_{suffix(key)}", "IMAGE_NAME": f"IMAGE_NAME_{suffix(key)}"}
    fields = ("args", "labels", "contexts", "tags", "latest_tags", "extra")
    targets = tuple(
        replace(
            t,
            origins={
                **{k: path_in_file(p, key, image, whole) for k, p in t.origins.items()},
                **{f"axis.{a}": ("images", key, "axes", a, "values", v) for a, v in t.values},
            },
            **{f: _renamed(getattr(t, f), names) for f in fields},
            # inline cache reads the image's own tag, an `image:` source may name the image
            cache=replace(t.cache, choices=_renamed(t.cache.choices, names)),
        )
        for t in resolution.targets
    )
    warnings = tuple(
        replace(w, path=path_in_file(w.path, key, image, whole)) for w in resolution.warnings
    )
    return replace(resolution, targets=targets, warnings=warnings)


def merge(parts: list[tuple[str, str, BakeFile, Resolution]]) -> tuple[BakeFile, Resolution]:
    """One bake file from each image's (key, image name, bake file, resolution)."""
    _check_keys([key for key, *_ in parts])
    _check_tags([(key, name, r) for key, name, _, r in parts])
    first = parts[0][2]
    variables: dict[str, Variable] = {}
    globals_: list[tuple[str, Expr]] = []
    groups: list[Group] = [Group(name="default", description="every image", targets=())]
    parents: list[Block] = []
    blocks: list[Block] = []
    for key, name, bake, _ in parts:
        tail = suffix(key)
        for v in bake.variables:
            if v.name != "IMAGE_NAME":
                variables.setdefault(v.name, v)
        variables[f"IMAGE_NAME_{tail}"] = Variable(
            name=f"IMAGE_NAME_{tail}", default=name, description=f"Repository name of {key}"
        )
        globals_.append(
            (
                f"IMAGE_{tail}",
                Expr(
                    f'REGISTRY == "" ? IMAGE_NAME_{tail} : "${{REGISTRY}}/${{IMAGE_NAME_{tail}}}"'
                ),
            )
        )
        private = {p.name: f"_{key}-{p.name[1:]}" for p in bake.parents}
        parents += [replace(p, name=private[p.name]) for p in bake.parents]
        for block in bake.targets:
            block = replace(block, inherits=tuple(private.get(i, i) for i in block.inherits))
            if block not in blocks:  # the check target of a variable several images require
                blocks.append(block)
        for group in bake.groups:
            if group.name == "default":
                groups[0] = replace(groups[0], targets=groups[0].targets + group.targets)
                groups.append(replace(group, name=key, description=f"the {key} image"))
            elif group.targets != (in_image(key, group.name),):
                # (A group of only the target of its own name adds nothing but a clash: an
                # image of one axis has one such group per value.)
                groups.append(replace(group, name=in_image(key, group.name)))
    # Where an image's `default` is the user's subset, `all` holds every image's cells.
    if any(g.name == "all" for *_, bake, _ in parts for g in bake.groups):
        cells = tuple(n for *_, r in parts for n in r.selected)
        groups.insert(1, Group(name="all", description="every cell of every image", targets=cells))
    # The cache repository follows the first image that reads one (an image whose targets
    # use no registry ref declares no CACHE_IMAGE).
    readers = [key for key, _, bake, _ in parts if any(n == "CACHE_IMAGE" for n, _ in bake.globals)]
    if readers:
        globals_.append(("CACHE_IMAGE", cache_image(f"IMAGE_{suffix(readers[0])}")))
    _check_unique([b.name for b in (*parents, *blocks)] + [g.name for g in groups])
    bake = replace(
        first,
        variables=tuple(variables.values()),
        globals=tuple(globals_),
        groups=tuple(groups),
        parents=tuple(parents),
        targets=tuple(blocks),
        # Each image's cells keep their own blocks: families are one image's.
        hcl_blocks=None,
    )
    resolution = Resolution(
        targets=tuple(t for *_, r in parts for t in r.targets),
        selected=tuple(n for *_, r in parts for n in r.selected),
        warnings=tuple(w for *_, r in parts for w in r.warnings),
    )
    return bake, resolution


def _check_unique(names: list[str]) -> None:
    seen: set[str] = set()
    twice = sorted({n for n in names if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    if twice:
        raise MatrixError(
            [
                Problem(
                    path=("images",),
                    message=f"two images write a target or group named {', '.join(twice)}",
                    hint="give the images' `name` templates distinct prefixes",
                )
            ]
        )


def _check_keys(keys: list[str]) -> None:
    """Image keys become parts of bake variable names (IMAGE_NAME_<KEY>), which keep only
    letters, digits and '_' in upper case: two keys must not become one name."""
    problems = [
        Problem(
            path=("images", key),
            message=f"the images {first!r} and {key!r} would both be the bake "
            f"variables IMAGE_{suffix(key)} and IMAGE_NAME_{suffix(key)}",
            hint="image keys must differ in more than case and '-', '.' or '_'",
        )
        for first, key in clashes(keys, suffix)
    ]
    if problems:
        raise MatrixError(problems)


def _check_tags(parts: list[tuple[str, str, Resolution]]) -> None:
    """Two images may not push one tag: each image's `${IMAGE_<KEY>}` is compared as the
    image name it stands for (REGISTRY is shared)."""
    pushed: dict[str, str] = {}
    for key, name, resolution in parts:
        # The image's own variables as the text they stand for by default.
        own = {f"IMAGE_{suffix(key)}": f"${{REGISTRY}}/{name}", f"IMAGE_NAME_{suffix(key)}": name}
        for target in resolution.targets:
            for tag in (*target.tags, *target.latest_tags):
                shown = "".join(
                    p if isinstance(p, str) else own.get(p.name, f"${{{p.name}}}") for p in tag
                )
                first = pushed.setdefault(shown, key)
                if first != key:
                    raise MatrixError(
                        [
                            Problem(
                                path=("images", key),
                                message=f"the images {first!r} and {key!r} would both push "
                                f"{shown!r}",
                                hint="give the images distinct `image.name`s or tags",
                            )
                        ]
                    )
