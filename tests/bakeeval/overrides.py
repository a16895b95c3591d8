"""`--set PATTERN.KEY[.SUB][+]=VALUE`: parsing and applying, as bake does."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from tests.bakeeval import entries, model
from tests.bakeeval.errors import BakeError
from tests.bakeeval.values import go_parse_bool

_LIST_KEYS = {"output", "cache-to", "cache-from", "tags", "platform", "secrets", "ssh", "attest",
              "entitlements", "network", "annotations", "policy"}  # fmt: skip


@dataclass
class Override:
    value: str = ""
    values: list[str] = field(default_factory=list)
    append: bool = False


def _match(pattern: str, name: str) -> bool:
    """Go's path.Match: like fnmatch, but `*` does not cross `/`."""
    return (
        "/" not in name and fnmatch.fnmatchcase(name, pattern)
        if "/" not in pattern
        else fnmatch.fnmatchcase(name, pattern)
    )


def expand(pattern: str, target_names: list[str]) -> list[str]:
    if pattern in target_names:
        return [pattern]
    names = [n for n in target_names if _match(pattern, n)]
    if not names:
        raise BakeError(f"could not find any target matching '{pattern}'")
    return names


def parse(
    sets: list[str], target_names: list[str], env: dict[str, str]
) -> dict[str, dict[str, Override]]:
    out: dict[str, dict[str, Override]] = {}
    for text in sets:
        parts = text.split("=", 1)
        key = parts[0].removesuffix("+")
        append = parts[0].endswith("+")
        keys = key.split(".", 2)
        if len(keys) < 2:
            raise BakeError(f"invalid override key {key}, expected target.name")
        if len(parts) != 2 and keys[1] != "args":
            raise BakeError(f"invalid override {text}, expected target.name=value")
        for name in expand(keys[0], target_names):
            per_target = out.setdefault(name, {})
            okey = ".".join(keys[1:])
            o = per_target.get(okey) or Override()
            if keys[1] in _LIST_KEYS:
                if len(parts) == 2:
                    o.append = append
                    o.values.append(parts[1])
            elif keys[1] in ("resources", "secret"):
                if len(keys) != 3:
                    raise BakeError(f"invalid key {parts[0]}, {keys[1]} requires name")
                if append:
                    raise BakeError(f"invalid key {parts[0]}, {keys[1]} does not support append")
                o.value = parts[1]
            else:
                if keys[1] in ("args", "contexts") and len(keys) != 3:
                    raise BakeError(f"invalid key {parts[0]}, {keys[1]} requires name")
                if keys[1] == "args" and len(parts) < 2:
                    if keys[2] not in env:
                        continue
                    o.value = env[keys[2]]
                if len(parts) == 2:
                    o.value = parts[1]
            per_target[okey] = o
    return out


def _entries(kind: str, values: list[str]) -> list[dict[str, Any]]:
    try:
        if kind == "cache":
            return entries.decode("cache", [v for v in values if v])
        return entries.decode(kind, [v for v in values if v])
    except (entries.EntryError, ValueError) as e:
        raise BakeError(str(e)) from None


def _bool(key: str, value: str) -> bool:
    try:
        return go_parse_bool(value)
    except ValueError:
        raise BakeError(f"invalid value {value} for boolean key {key}") from None


def apply(t: model.Target, overrides: dict[str, Override]) -> None:
    f = t.f
    secret_overrides = {}
    for key, o in overrides.items():
        head, _, sub = key.partition(".")
        value = o.value
        if head in ("context", "dockerfile", "target", "call", "shm-size", "network"):
            f[head] = value
        elif head in ("args", "labels", "extra-hosts", "contexts"):
            if not sub:
                raise BakeError(f"invalid format for {head}, expecting {head}.<name>=<value>")
            f[head] = {**(f[head] or {}), sub: value}
        elif head in ("tags", "no-cache-filter", "ulimits"):
            f[head] = (f[head] or []) + o.values if o.append else list(o.values)
        elif head == "platform":
            f["platforms"] = (f["platforms"] or []) + o.values if o.append else list(o.values)
        elif head in ("cache-from", "cache-to"):
            new = _entries("cache", o.values) or None
            f[head] = entries.merge("cache", f[head], new) if o.append else new
        elif head == "secret":
            secret_overrides[sub] = o
        elif head == "secrets":
            new = _entries("secret", o.values)
            f["secret"] = entries.merge("secret", f["secret"], new) if o.append else new
        elif head == "ssh":
            new = _entries("ssh", o.values)
            f["ssh"] = entries.merge("ssh", f["ssh"], new) if o.append else new
        elif head == "output":
            new = _entries("output", o.values)
            f["output"] = entries.merge("output", f["output"], new) if o.append else new
        elif head in ("entitlements", "annotations"):
            f[head] = (f[head] or []) + o.values
        elif head == "attest":
            f["attest"] = entries.merge("attest", f["attest"], _entries("attest", o.values))
        elif head in ("no-cache", "pull"):
            f[head] = _bool(head, value)
        elif head == "push":
            f["output"] = _push(f["output"] or [], _bool(head, value))
        elif head == "load":
            f["output"] = _load(f["output"] or [], _bool(head, value))
        elif head != "policy":
            raise BakeError(f"unknown key: {head}")
    for ident, o in secret_overrides.items():
        _update_secret(f["secret"] or [], ident, o.value)


def _update_secret(secrets: list[dict[str, Any]], ident: str, value: str) -> None:
    for s in secrets:
        if s["id"] == ident:
            new = entries.secret_from_text(value)
            if new["id"] and new["id"] != ident:
                raise BakeError(
                    f'secret override id "{new["id"]}" does not match declared secret "{ident}"'
                )
            s["env"], s["src"] = new["env"], new["src"]
            s.pop("text", None)
            return
    raise BakeError(f'secret "{ident}" must be declared before it can be overridden')


def _push(outputs: list[dict[str, Any]], push: bool) -> list[dict[str, Any]]:
    if not push:
        out = list(outputs)
        i = 0
        while i < len(out):
            if out[i]["type"] == "registry":
                out[i], out[-1] = out[-1], out[i]
                out.pop()
                continue
            if out[i]["type"] == "image":
                out[i]["attrs"]["push"] = "false"
                out[i].pop("text", None)
            i += 1
        return out
    add = True
    for o in outputs:
        if o["type"] != "docker":
            add = False
        if o["type"] == "image":
            o["attrs"]["push"] = "true"
            o.pop("text", None)
    if add:
        outputs = [*outputs, {"type": "image", "attrs": {"push": "true"}, "dest": ""}]
    return outputs


def _load(outputs: list[dict[str, Any]], load: bool) -> list[dict[str, Any]]:
    if not load:
        return outputs
    for o in outputs:
        if o["type"] == "docker" and not o["dest"]:
            return outputs
        if o["type"] not in ("docker", "image", "registry", "oci"):
            return outputs
    return [*outputs, {"type": "docker", "attrs": {}, "dest": ""}]
