"""Unicode normalisation: buildx reads every string of a bake file in NFC (its HCL scanner
normalises them), so bakegen normalises the matrix the same way before anything else reads
it. Then `list` and `explain` show what is built, and two keys that only NFC tells apart
are caught as the duplicate they become."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from bakegen.errors import KeyPath, Problem, format_key_path


@dataclass(frozen=True)
class Normalised:
    data: Any
    # Where a key was renamed: new key path → the path as written (for locating problems).
    renamed: dict[KeyPath, KeyPath]
    warnings: tuple[Problem, ...]
    problems: tuple[Problem, ...]


def normalise(data: Any) -> Normalised:
    """`data` with every string and mapping key in NFC; a warning for each change."""
    renamed: dict[KeyPath, KeyPath] = {}
    warnings: list[Problem] = []
    problems: list[Problem] = []

    def nfc(text: str, path: KeyPath) -> str:
        out = unicodedata.normalize("NFC", text)
        if out != text:
            warnings.append(
                Problem(
                    path=path,
                    message=f"{text!r} is not in Unicode NFC; it is read as {out!r}, "
                    "as buildx reads it",
                    hint="save the text in NFC to silence this",
                )
            )
        return out

    def walk(value: Any, path: KeyPath, written: KeyPath) -> Any:
        if isinstance(value, str):
            return nfc(value, written)
        if isinstance(value, list):
            return [walk(v, (*path, i), (*written, i)) for i, v in enumerate(value)]
        if not isinstance(value, dict):
            return value
        out: dict[Any, Any] = {}
        for key, item in value.items():
            new = nfc(key, (*written, key)) if isinstance(key, str) else key
            if new in out:
                problems.append(
                    Problem(
                        path=(*written, key),
                        message=f"the key {key!r} is the same as {new!r} once in Unicode NFC "
                        f"(under {format_key_path(path)})",
                        hint="buildx reads them as one key: keep one",
                    )
                )
                continue
            if new != key:
                renamed[(*path, new)] = (*written, key)
            out[new] = walk(item, (*path, new), (*written, key))
        return out

    data = walk(data, (), ())
    return Normalised(data, renamed, tuple(warnings), tuple(problems))
