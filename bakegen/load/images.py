"""Several images in one matrix file (`images`), each read as a matrix of its own.

Each image is its entry laid over the rest of the file and compiled on its own
(bakegen.bakefile.images merges their bake files):

- targets are named `<image>-` and the file's `name` template (or the axis ids joined); an
  image's own `name` template is used as written; shared stages are `<image>-<stage>-<ids>`;
- tag rules: the file's `image.tag_rules` apply to every image, an image's own after them."""

from __future__ import annotations

import copy
from dataclasses import replace

from bakegen.errors import KeyPath, Problem
from bakegen.load.extends import part
from bakegen.load.source import Source


def image_parts(source: Source) -> list[tuple[str, Source]]:
    """Each image of a file with several, as a matrix of its own ([] for one image)."""
    data = source.data
    if not isinstance(data, dict) or not isinstance(data.get("images"), dict):
        return []
    common = {k: v for k, v in data.items() if k != "images"}
    out = []
    for key, node in data["images"].items():
        node = node if isinstance(node, dict) else {}
        image = _with_file_rules(source, part(source, ("images", key), node, common))
        out.append((key, _named(image, key, own_name="name" in node)))
    return out


def _named(image: Source, key: str, own_name: bool) -> Source:
    """Target names of an image start with its key: the file's `name` template (or the axis
    ids joined) after `<key>-`, unless the image sets its own `name`; shared stages without
    a `name` are `<key>-<stage>-<ids>`."""
    data = copy.deepcopy(image.data)
    if not own_name:
        axes = data.get("axes") if isinstance(data.get("axes"), dict) else {}
        template = data.get("name")
        if not isinstance(template, str):
            template = "-".join(f"{{{a}}}" for a in axes)
        data["name"] = f"{key}-{template}"
    shared = data.get("shared") if isinstance(data.get("shared"), dict) else {}
    for spec in shared.values():
        if isinstance(spec, dict) and "name" not in spec:
            axes_of = [a for a in spec.get("axes") or () if isinstance(a, str)]
            spec["name"] = f"{key}-{{stage}}" + "".join(f"-{{{a}}}" for a in axes_of)
    return replace(image, data=data)


def _with_file_rules(source: Source, image: Source) -> Source:
    """The file's tag rules apply to every image: an image's own come after them."""
    shared = (source.data.get("image") or {}).get("tag_rules")
    own = (image.data.get("image") or {}).get("tag_rules")
    if not isinstance(shared, list) or not isinstance(own, list) or own is shared:
        return image
    rules = ("image", "tag_rules")
    positions = {k: v for k, v in image.positions.items() if k[:2] != rules}
    files = {k: v for k, v in image.files.items() if k[:2] != rules}
    for k, v in image.positions.items():
        if k[:2] == rules and len(k) > 2:
            moved = (*rules, k[2] + len(shared), *k[3:]) if isinstance(k[2], int) else k
            positions[moved] = v
            files[moved] = image.files.get(k, image.path)
    for k, v in source.positions.items():
        if k[:2] == rules:
            positions[k] = v
            files[k] = source.files.get(k, source.path)
    data = {**image.data, "image": {**image.data["image"], "tag_rules": [*shared, *own]}}
    return Source(path=image.path, data=data, positions=positions, files=files)


def problems_in_file(
    problems: tuple[Problem, ...], key: str, image: Source, whole: Source
) -> list[Problem]:
    """An image's problems, each with its key path in the whole file."""
    return [replace(p, path=path_in_file(p.path, key, image, whole)) for p in problems]


def path_in_file(path: KeyPath, key: str, image: Source, whole: Source) -> KeyPath:
    """A key path of the image's matrix as a key path of the whole file: under
    `images.<key>` where the image wrote it, as it is where the file's shared part did."""
    rules = ("image", "tag_rules")
    shared = len((whole.data.get("image") or {}).get("tag_rules") or ())
    # The image's own rules follow the file's (see _with_file_rules).
    index = path[2] if path[:2] == rules and len(path) > 2 else None
    if isinstance(index, int) and index >= shared and ("images", key, *rules) in whole.positions:
        return ("images", key, *rules, index - shared, *path[3:])
    probe = tuple(path)
    while probe and probe not in image.positions:
        probe = probe[:-1]
    if not probe:
        return path
    own = ("images", key, *probe)
    if whole.positions.get(own) == image.positions[probe] and whole.files.get(
        own, whole.path
    ) == image.files.get(probe, image.path):
        return ("images", key, *path)
    return path
