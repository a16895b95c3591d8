"""From a configuration to what `--print` shows: requested names, groups, inheritance,
`--set`, `target:` links, and the checks bake makes before printing.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

from tests.bakeeval import checks, overrides
from tests.bakeeval.config import Config
from tests.bakeeval.errors import BakeError
from tests.bakeeval.model import Target


def _names(config: Config, pattern: str) -> list[str]:
    if not any(c in pattern for c in "*?[]"):
        return [pattern]
    found = [g.name for g in config.groups if fnmatch.fnmatchcase(g.name, pattern)]
    found += [t.name for t in config.targets if fnmatch.fnmatchcase(t.name, pattern)]
    if not found:
        raise BakeError(f'could not find any target matching "{pattern}"')
    return found


def expand_group(config: Config, name: str, visited: dict[str, Any]) -> tuple[list[str], list[str]]:
    if name in visited:
        return visited[name]
    group = config.group(name)
    if group is None:
        return [name], []
    visited[name] = ([], [])
    targets: list[str] = []
    groups = [name]
    for member in group.targets:
        member_targets, member_groups = expand_group(config, member, visited)
        targets += member_targets or [member]
        groups += member_groups
    visited[name] = (targets, groups)
    return targets, groups


class Resolver:
    def __init__(self, config: Config, sets: list[str], env: dict[str, str]) -> None:
        self.config = config
        self.overrides = overrides.parse(sets, [t.name for t in config.targets], env)

    def target(self, name: str, visited: dict[str, Target | None]) -> Target | None:
        if name in visited:
            return visited[name]
        visited[name] = None
        own = self.config.target(name)
        if own is None:
            raise BakeError(f"failed to find target {name}")
        parents = Target(name)
        for parent in own.f["inherits"] or []:
            resolved = self.target(parent, visited)
            if resolved is not None:
                parents.merge(resolved)
        merged = Target(name)
        merged.merge(parents)
        merged.merge(own)
        overrides.apply(merged, self.overrides.get(name, {}))
        merged.normalize()
        visited[name] = merged
        return merged

    def resolve(self, name: str) -> Target:
        t = self.target(name, {})
        assert t is not None
        t.f["inherits"] = None
        if t.f["context"] is None:
            t.f["context"] = "."
        if not t.f["dockerfile"]:
            t.f["dockerfile"] = "Dockerfile"
        return t

    def links(self, name: str, t: Target, found: dict[str, Target], visited: list[str]) -> None:
        visited = [*visited, name]
        for value in (t.f["contexts"] or {}).values():
            if not value.startswith("target:"):
                continue
            other = value.removeprefix("target:")
            if other == name:
                raise BakeError(f"target {other} cannot link to itself")
            if other in visited:
                raise BakeError(f"infinite loop from {name} to {other}")
            t2 = found.get(other)
            if t2 is None:
                t2 = self.resolve(other)
                t2.f["output"] = [{"type": "cacheonly", "attrs": {}, "dest": ""}]
                t2.linked = True
                found[other] = t2
            self.links(other, t2, found, visited)
            for ent in t2.f["entitlements"] or []:
                if ent not in (t.f["entitlements"] or []):
                    t.f["entitlements"] = [*(t.f["entitlements"] or []), ent]
            mine, theirs = t.f["platforms"] or [], t2.f["platforms"] or []
            if len(mine) > 1 and len(theirs) > 1 and not set(mine) <= set(theirs):
                raise BakeError(
                    f"target {other} can't be used by {name} because its platforms "
                    f"[{' '.join(mine)}] are not a subset of [{' '.join(theirs)}]"
                )


def read_targets(
    config: Config, requested: list[str], sets: list[str], env: dict[str, str]
) -> tuple[dict[str, Target], dict[str, dict[str, Any]]]:
    names: list[str] = []
    for pattern in requested:
        names += _names(config, pattern.replace(".", "_"))
    names = list(dict.fromkeys(names))
    resolver = Resolver(config, sets, env)
    targets: dict[str, Target] = {}
    groups: dict[str, dict[str, Any]] = {}
    for name in names:
        member_targets, member_groups = expand_group(config, name, {})
        for tname in dict.fromkeys(member_targets):
            targets[tname] = resolver.resolve(tname)
        for gname in dict.fromkeys(member_groups):
            group = config.group(gname)
            assert group is not None
            groups[gname] = {"description": group.description, "targets": list(group.targets)}
    for name in names:
        if "default" in groups and name == "default":
            continue
        groups.setdefault("default", {"description": "", "targets": []})["targets"].append(name)
    if "default" in groups:
        groups["default"]["targets"] = sorted(dict.fromkeys(groups["default"]["targets"]))
    for name in sorted(targets):
        resolver.links(name, targets[name], targets, [])
    return targets, groups


def bake_print(
    config: Config, requested: list[str], sets: list[str], env: dict[str, str], cwd: Path
) -> dict[str, Any]:
    """What `docker buildx bake --print` writes, as parsed JSON."""
    targets, groups = read_targets(config, requested, sets, env)
    epoch = env.get("SOURCE_DATE_EPOCH", "")
    for t in targets.values():
        if "SOURCE_DATE_EPOCH" not in (t.f["args"] or {}) and epoch:
            t.f["args"] = {**(t.f["args"] or {}), "SOURCE_DATE_EPOCH": epoch}
    for t in targets.values():
        checks.build_options(t, env, cwd)
    out: dict[str, Any] = {}
    if groups:
        out["group"] = {
            name: ({"description": g["description"]} if g["description"] else {})
            | {"targets": g["targets"]}
            for name, g in sorted(groups.items())
        }
    out["target"] = {name: targets[name].to_json() for name in sorted(targets)}
    return out
