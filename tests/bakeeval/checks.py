"""The checks bake makes when it turns a resolved target into build options, which `--print`
runs too: platforms, shm-size, ulimits, annotations, secrets and ssh sources.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from tests.bakeeval.errors import BakeError
from tests.bakeeval.model import Target

_COMPONENT = re.compile(r"^[A-Za-z0-9_.-]+$")
_OS = re.compile(r"^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$")
_MEM = re.compile(r"^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$")
_ULIMITS = {"core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
            "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"}  # fmt: skip
_ANNOTATION_TYPE = re.compile(r"^([a-z-]+)(?:\[([A-Za-z0-9_/-]+)\])?$")


def _platform(spec: str) -> None:
    if spec == "local":
        return
    parts = spec.split("/", 2)
    if len(parts) == 3 and "/" in parts[2]:
        head, _, rest = parts[2].partition("/")
        parts = [parts[0], parts[1], head, rest]
    for part in parts[1:]:
        if not _COMPONENT.match(part):
            raise BakeError(
                f'"{part}" is an invalid component of "{spec}": platform specifier component '
                f'must match "^[A-Za-z0-9_.-]+$": invalid argument'
            )
    if len(parts) > 3:
        raise BakeError(f'"{parts[3]}" is an invalid component of "{spec}"')
    if not _OS.match(parts[0]):
        raise BakeError(f'"{parts[0]}" is an invalid OS component of "{spec}"')


def _ulimit(text: str) -> None:
    name, sep, values = text.partition("=")
    if not sep:
        raise BakeError(f"invalid ulimit argument: {text}")
    if name not in _ULIMITS:
        raise BakeError(f"invalid ulimit type: {name}")
    for v in values.split(":"):
        if not re.fullmatch(r"-?[0-9]+", v):
            raise BakeError(f"invalid ulimit value: {values}")


def _annotation(text: str) -> None:
    key, sep, _ = text.partition("=")
    if not sep:
        raise BakeError(f'invalid annotation "{text}", expected key=value')
    types, colon, _ = key.partition(":")
    if not colon:
        return
    for one in types.split(","):
        m = _ANNOTATION_TYPE.match(one)
        if not m:
            raise BakeError(
                f'invalid annotation type "{one}", expected type and optional platform in square brackets'
            )
        if m.group(1) not in ("index", "index-descriptor", "manifest", "manifest-descriptor"):
            raise BakeError(f'unknown annotation type "{m.group(1)}"')


def _is_remote(path: str) -> bool:
    return bool(re.match(r"^(https?://|git@|git://|github\.com/)", path))


def build_options(t: Target, env: dict[str, str], cwd: Path) -> None:
    f = t.f
    if f["context"] == "-":
        raise BakeError("context from stdin not allowed in bake")
    if f["dockerfile"] == "-":
        raise BakeError("dockerfile from stdin not allowed in bake")
    context = f["context"] or "."
    if not context.startswith("cwd://") and not _is_remote(context):
        context = posixpath.normpath(context)
    if context.startswith("cwd://"):
        context = posixpath.normpath(context.removeprefix("cwd://"))
    f["context"] = context
    if f["shm-size"] is not None and not _MEM.match(f["shm-size"]):
        raise BakeError(f"invalid value {f['shm-size']} for membytes key shm-size")
    for spec in f["platforms"] or []:
        _platform(spec)
    for s in f["secret"] or []:
        ident, src, env_name = s["id"], s["src"], s["env"]
        if not ident:
            raise BakeError("secret missing ID")
        if not src and not env_name:
            if ident in env:
                env_name = ident
            else:
                src = ident
        if src and not (cwd / src).exists():
            raise BakeError(f"failed to stat {src}: stat {src}: no such file or directory")
    for ssh in f["ssh"] or []:
        paths = ssh["paths"] or ([env["SSH_AUTH_SOCK"]] if env.get("SSH_AUTH_SOCK") else [])
        if not paths:
            raise BakeError("invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set")
        for p in paths:
            if not (cwd / p).exists():
                raise BakeError(f"stat {p}: no such file or directory")
    for text in f["annotations"] or []:
        _annotation(text)
    for text in f["ulimits"] or []:
        _ulimit(text)
