"""cache-from/cache-to, output, secret, attest and ssh entries: their string and object forms,
how bake merges and deduplicates them, and how `--print` writes them.

An entry is a dict: cache {type, attrs}; output {type, attrs, dest}; secret {id, src, env};
attest {type, disabled, attrs}; ssh {id, paths}.
"""

from __future__ import annotations

from typing import Any

from tests.bakeeval.values import csv_fields, go_parse_bool, to_string, type_name


class EntryError(ValueError):
    """An entry bake cannot read; the message is bake's."""


def _pairs(text: str) -> list[tuple[str, str | None]]:
    try:
        fields = csv_fields(text)
    except ValueError as e:
        raise EntryError(str(e)) from None
    return [(f.split("=", 1)[0], f.split("=", 1)[1] if "=" in f else None) for f in fields]


# -- parsing ---------------------------------------------------------------------------------
def cache_from_text(text: str) -> list[dict[str, Any]]:
    if "=" not in text:
        return [{"type": "registry", "attrs": {"ref": f}} for f in csv_fields(text)]
    entry: dict[str, Any] = {"type": "", "attrs": {}}
    for key, value in _pairs(text):
        if value is None:
            raise EntryError(f"invalid value {key}")
        if key.lower() == "type":
            entry["type"] = value
        else:
            entry["attrs"][key.lower()] = value
    if not entry["type"]:
        raise EntryError(f'type required for "{text}"')
    return [entry]


def output_from_text(text: str) -> dict[str, Any]:
    fields = csv_fields(text)
    if len(fields) == 1 and fields[0] == text and not text.startswith("type="):
        return {"type": "tar" if text == "-" else "local", "attrs": {}, "dest": text}
    entry: dict[str, Any] = {"type": "", "attrs": {}, "dest": ""}
    for key, value in _pairs(text):
        if value is None:
            raise EntryError(f"invalid value {key}")
        k = key.strip().lower()
        if k == "type":
            entry["type"] = value
        elif k == "dest":
            entry["dest"] = value
        else:
            entry["attrs"][k] = value
    if not entry["type"]:
        raise EntryError("type is required for output")
    return entry


def secret_from_text(text: str) -> dict[str, Any]:
    entry = {"id": "", "src": "", "env": ""}
    kind = ""
    for key, value in _pairs(text):
        k = key.lower()
        field = key if value is None else f"{key}={value}"
        if value is None:
            raise EntryError(f"invalid field '{field}' must be a key=value pair")
        if k == "type":
            if value not in ("file", "env"):
                raise EntryError(f'unsupported secret type "{value}"')
            kind = value
        elif k == "id":
            entry["id"] = value
        elif k in ("source", "src"):
            entry["src"] = value
        elif k == "env":
            entry["env"] = value
        else:
            raise EntryError(f"unexpected key '{k}' in '{field}'")
    if kind == "env" and not entry["env"]:
        entry["env"], entry["src"] = entry["src"], ""
    return entry


def attest_from_text(text: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "", "disabled": False, "attrs": {}}
    for key, value in _pairs(text):
        if value is None:
            raise EntryError(f"invalid value {key}")
        k = key.strip().lower()
        if k == "type":
            entry["type"] = value
        elif k == "disabled":
            entry["disabled"] = go_parse_bool(value)
        else:
            entry["attrs"][key] = value
    if not entry["type"]:
        raise EntryError("attestation type not specified")
    return entry


def ssh_from_text(text: str) -> dict[str, Any]:
    ident, _, paths = text.partition("=")
    return {"id": ident, "paths": paths.split(",") if paths else []}


def _string_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise EntryError(f"map of string required, but have {type_name(value)}")
    return {k: to_string(v) for k, v in value.items() if v is not None}


def decode(kind: str, value: Any) -> list[dict[str, Any]]:
    """The entries of one attribute value (a list of strings and objects)."""
    if not isinstance(value, list):
        want = (
            "list of map of string" if kind in ("cache", "output", "attest") else "list of object"
        )
        raise EntryError(f"{want} required, but have {type_name(value)}")
    out: list[dict[str, Any]] = []
    for item in value:
        if item is None or item == "":
            continue
        if isinstance(item, str):
            parsed = {
                "cache": cache_from_text,
                "output": lambda t: [output_from_text(t)],
                "secret": lambda t: [secret_from_text(t)],
                "attest": lambda t: [attest_from_text(t)],
                "ssh": lambda t: [ssh_from_text(t)],
            }[kind](item)
            for entry in parsed:  # the text as written, for views that show entries as text
                entry["text"] = item if len(parsed) == 1 else entry["attrs"]["ref"]
            out += parsed
            continue
        m = _string_map(item)
        if kind == "cache":
            kind_ = m.pop("type", "")
            if not kind_:
                raise EntryError(f"type required for {item!r}")
            out.append({"type": kind_, "attrs": m})
        elif kind == "output":
            out.append({"type": m.pop("type", ""), "dest": m.pop("dest", ""), "attrs": m})
        elif kind == "secret":
            out.append({"id": m.get("id", ""), "src": m.get("src", ""), "env": m.get("env", "")})
        elif kind == "attest":
            disabled = go_parse_bool(m.pop("disabled")) if "disabled" in m else False
            out.append({"type": m.pop("type", ""), "disabled": disabled, "attrs": m})
        else:
            out.append({"id": m.get("id", ""), "paths": item.get("paths") or []})
    return out


# -- merging ---------------------------------------------------------------------------------
def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal entries: the same fields, however they were written."""
    return {k: v for k, v in a.items() if k != "text"} == {
        k: v for k, v in b.items() if k != "text"
    }


def text(kind: str, entry: dict[str, Any]) -> str:
    """An entry as written in the file, or in bake's CSV form when it was an object."""
    if "text" in entry:
        return str(entry["text"])
    fields = to_json(kind, entry)
    head = [f"type={fields.pop('type')}"] if "type" in fields else []
    return ",".join(head + [f"{k}={v}" for k, v in fields.items()])


def remove_dupes(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """bake's dedupe of cache and output entries: walks backwards and swaps with the last."""
    s = list(items)
    for i in range(len(s) - 2, -1, -1):
        for j in range(i + 1, len(s)):
            if same(s[i], s[j]):
                s[j], s[-1] = s[-1], s[j]
                s.pop()
                break
    return s


def _dedupe_by(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Secrets by id and attests by type: a later entry replaces the earlier in place."""
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for item in items:
        if item[key] in seen:
            out[seen[item[key]]] = item
        else:
            seen[item[key]] = len(out)
            out.append(item)
    return out


def normalize(kind: str, items: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if not items:
        return None
    if kind == "secret":
        return _dedupe_by(items, "id")
    if kind == "attest":
        return _dedupe_by(items, "type")
    if kind == "ssh":
        return _dedupe_by(items, "id")
    return remove_dupes(items)


def merge(kind: str, a: list[dict[str, Any]] | None, b: list[dict[str, Any]] | None) -> Any:
    if b is None:
        return normalize(kind, a)
    if a is None:
        return normalize(kind, b)
    return normalize(kind, a + b)


# -- printing --------------------------------------------------------------------------------
def to_json(kind: str, entry: dict[str, Any]) -> dict[str, Any]:
    if kind == "secret":
        return {k: entry[k] for k in ("id", "src", "env") if entry[k]}
    if kind == "ssh":
        out: dict[str, Any] = {"id": entry["id"]} if entry["id"] else {}
        if entry["paths"]:
            out["paths"] = entry["paths"]
        return out
    m: dict[str, Any] = dict(entry["attrs"])
    m["type"] = entry["type"]
    if kind == "output" and entry["dest"]:
        m["dest"] = entry["dest"]
    if kind == "attest" and entry["disabled"]:
        m["disabled"] = True
    return dict(sorted(m.items()))
