"""A bake target: its fields, how a block's values fill them, how targets merge, and how
`--print` writes one.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.bakeeval import entries
from tests.bakeeval.values import to_bool, to_string, type_name

# Field name -> kind, in the order --print writes them.
FIELDS: dict[str, str] = {
    "description": "description",
    "inherits": "list",
    "annotations": "list",
    "attest": "attest",
    "context": "str",
    "contexts": "ctxmap",
    "dockerfile": "str",
    "dockerfile-inline": "str",
    "args": "map",
    "labels": "map",
    "tags": "list",
    "cache-from": "cache",
    "cache-to": "cache",
    "target": "str",
    "secret": "secret",
    "ssh": "ssh",
    "platforms": "list",
    "output": "output",
    "pull": "bool",
    "no-cache": "bool",
    "network": "str",
    "no-cache-filter": "list",
    "shm-size": "str",
    "ulimits": "list",
    "call": "str",
    "entitlements": "list",
    "extra-hosts": "map",
}
ENTRY_KINDS = {"attest", "cache", "secret", "ssh", "output"}
_REPLACED = ["context", "dockerfile", "dockerfile-inline", "tags", "target", "call", "platforms",
             "cache-to", "output", "pull", "no-cache", "network", "shm-size"]  # fmt: skip
_APPENDED = ["annotations", "no-cache-filter", "ulimits", "entitlements"]
_RE_ESCAPED = {"annotations", "dockerfile-inline", "args", "labels", "extra-hosts"}


class DecodeError(ValueError):
    """A value of the wrong type for a target field; the message is bake's."""


def decode(name: str, value: Any) -> Any:
    """A block attribute's value as the target field holds it (None = unset)."""
    kind = FIELDS[name]
    if kind == "description":
        return "" if value is None else _string(value)
    if value is None:
        return None
    if kind == "str":
        return _string(value)
    if kind == "bool":
        try:
            return to_bool(value)
        except TypeError as e:
            raise DecodeError(str(e)) from None
    if kind == "list":
        if not isinstance(value, list):
            raise DecodeError(f"list of string required, but have {type_name(value)}")
        if any(v is None for v in value):
            raise DecodeError("null value is not allowed")
        return [_string(v, f"element {i}: ") for i, v in enumerate(value)]
    if kind in ("map", "ctxmap"):
        if not isinstance(value, dict):
            raise DecodeError("map of string required")
        out = {}
        for k, v in value.items():
            out[k] = None if v is None else _string(v, f'element "{k}": ')
        return out
    try:
        return entries.decode(kind, value)
    except (entries.EntryError, ValueError) as e:
        raise DecodeError(str(e)) from None


def _string(value: Any, where: str = "") -> str:
    try:
        return to_string(value)
    except TypeError as e:
        raise DecodeError(f"{where}{e}") from None


class Target:
    def __init__(self, name: str) -> None:
        self.name = name
        self.f: dict[str, Any] = dict.fromkeys(FIELDS)
        self.f["description"] = ""
        self.linked = False

    def clone(self) -> Target:
        return copy.deepcopy(self)

    def merge(self, other: Target) -> None:
        """bake's Target.Merge: `other` is applied over this target."""
        a, b = self.f, other.f
        for key in _REPLACED:
            if b[key] is not None:
                a[key] = copy.deepcopy(b[key])
        for key in ("args", "labels", "extra-hosts"):
            for k, v in (b[key] or {}).items():
                if v is not None:
                    a[key] = {**(a[key] or {}), k: v}
        for k, v in (b["contexts"] or {}).items():
            a["contexts"] = {**(a["contexts"] or {}), k: v}
        for key in _APPENDED:
            if b[key] is not None:
                a[key] = (a[key] or []) + b[key]
        for key, kind in (
            ("attest", "attest"),
            ("secret", "secret"),
            ("ssh", "ssh"),
            ("cache-from", "cache"),
        ):
            if b[key] is not None:
                a[key] = entries.merge(kind, a[key], copy.deepcopy(b[key]))
        if b["description"]:
            a["description"] = b["description"]
        a["inherits"] = (a["inherits"] or []) + (b["inherits"] or [])

    def normalize(self) -> None:
        f = self.f
        for key in ("annotations", "tags", "platforms", "no-cache-filter", "ulimits"):
            f[key] = _dedupe_strings(f[key])
        for key, kind in (("attest", "attest"), ("secret", "secret"), ("ssh", "ssh"),
                          ("cache-from", "cache"), ("cache-to", "cache"), ("output", "output")):  # fmt: skip
            f[key] = entries.normalize(kind, f[key])
        if f["network"] == "host":
            f["entitlements"] = (f["entitlements"] or []) + ["network.host"]
        f["entitlements"] = _dedupe_strings(f["entitlements"])
        if f["contexts"] is not None:
            f["contexts"] = {k: v for k, v in f["contexts"].items() if v != ""} or None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, kind in FIELDS.items():
            value = self.f[key]
            if key == "inherits" or value is None or (value in ("", [], {}) and kind != "str"):
                continue
            if kind in ENTRY_KINDS:
                value = [entries.to_json(kind, e) for e in value]
            elif kind in ("map", "ctxmap"):
                value = {
                    k: _escape(v) if key in _RE_ESCAPED else v
                    for k, v in sorted(value.items())
                    if v is not None
                }
            elif key in _RE_ESCAPED:
                value = [_escape(v) for v in value] if isinstance(value, list) else _escape(value)
            out[key] = value
        return out


def _escape(s: str) -> str:
    return s.replace("${", "$${").replace("%{", "%%{")


def _dedupe_strings(items: list[str] | None) -> list[str] | None:
    if items is None:
        return None
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out
