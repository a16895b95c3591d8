"""BuildKit's checks on the instructions a target really runs: its stages, minus those a named
context replaces (bakegen.dockerfiles.buildgraph), with what each stage inherits from the stages it is
built on (ENV and ARG names, SHELL, an absolute WORKDIR).

A stage built on an image or a named context inherits that image's environment, which is not
here to read. UndefinedVar then reports only what is surely a mistake: a name that the
Dockerfile declares as an ARG elsewhere (so it was meant to be in scope) or a near miss of a
defined name (a typo). On a stage chain that starts from `scratch` it reports every unknown name.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

import dockerfile

from bakegen.dockerfiles.buildgraph import Build
from bakegen.dockerfiles.buildkit_checks import Hit, command_hits
from bakegen.dockerfiles.dockerignore import DockerIgnore
from bakegen.dockerfiles.parse import DockerfileInfo, Stage
from bakegen.dockerfiles.shellwords import expand

# Instructions whose words BuildKit expands itself (the others go to a shell, or not at all).
_EXPANDED = frozenset({"ENV", "LABEL", "COPY", "ADD", "WORKDIR", "USER", "VOLUME", "STOPSIGNAL"})
_EXPANDED_FLAGS = ("--chown=", "--chmod=", "--checksum=")
# The .dockerignore rules and whether they leave out the whole context.
IgnoreRules = tuple[DockerIgnore, bool] | None


@dataclass
class _State:
    """What a stage has after its instructions ran: the names defined (None: unknown, the
    stage starts from an image or a context), a SHELL, an absolute WORKDIR."""

    names: set[str] | None
    shell: bool | None
    workdir: bool = False
    declared: set[str] = field(default_factory=set)


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit."""
    a, b = a.lower(), b.lower()
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def suggestion(name: str, options: set[str]) -> str | None:
    best = min(options, key=lambda o: (_distance(name, o), o), default=None)
    if best is None or best == name:
        return None
    return best if _distance(name, best) <= max(1, len(name) // 3) else None


class BuildChecks:
    """Runs the per-build checks for one target's Build of one Dockerfile."""

    def __init__(self, info: DockerfileInfo, build: Build, ignore: IgnoreRules) -> None:
        self.info = info
        self.build = build
        self.built = {s.index for s in build.stages}
        self.states: dict[int, _State] = {}
        self.file_args = set(info.global_args) | {a for s in info.stages for a in s.args}
        self.ignore = ignore
        self.hits: list[Hit] = []

    def run(self) -> list[Hit]:
        for stage in self.build.stages:
            self._state(stage)
        return sorted(set(self.hits), key=lambda h: (h.line, h.rule, h.message))

    def _root(self, stage: Stage) -> _State:
        parent = self.build.parent(stage)
        if parent is not None:
            done = self._state(parent)
            names = None if done.names is None else set(done.names)
            return _State(names, done.shell, done.workdir, set(done.declared))
        edge = next(e for e in self.build.edges if e.stage is stage and e.use is stage.base)
        if edge.kind == "scratch":
            return _State({"PATH"}, False)
        return _State(None, False if edge.kind == "image" else None)

    def _state(self, stage: Stage) -> _State:
        if stage.index in self.states:
            return self.states[stage.index]
        state = self._root(stage)
        for cmd in stage.commands:
            self._command(cmd, state)
        self.states[stage.index] = state
        return state

    def _command(self, cmd: dockerfile.Command, state: _State) -> None:
        keyword = cmd.cmd.upper()
        self.hits.extend(command_hits(cmd, has_shell=state.shell is not False))
        for word in _expanded_words(cmd, keyword):
            self._undefined(cmd.start_line, word, state)
        if keyword == "WORKDIR" and cmd.value:
            path = expand(cmd.value[0], dict.fromkeys(state.names or (), "x")).result
            if not state.workdir and not path.startswith("/"):
                self.hits.append(
                    Hit(
                        "WorkdirRelativePath",
                        cmd.start_line,
                        f"WORKDIR {cmd.value[0]} is relative to the base image's working "
                        "directory, which may change: start from an absolute WORKDIR",
                    )
                )
            state.workdir = True
        if keyword in ("COPY", "ADD"):
            self._copy_ignored(cmd, keyword)
        if keyword == "SHELL":
            state.shell = True
        if keyword == "ARG":
            for item in cmd.value:
                self._undefined(cmd.start_line, item.partition("=")[2], state)
                state.declared.add(item.partition("=")[0])
                if state.names is not None:
                    state.names.add(item.partition("=")[0])
        if keyword == "ENV":
            state.declared.update(cmd.value[0::2])
            if state.names is not None:
                state.names.update(cmd.value[0::2])

    def _undefined(self, line: int, word: str, state: _State) -> None:
        known = (state.names or set()) | state.declared | {"PATH"}
        for name in sorted(expand(word, dict.fromkeys(known, "x")).unmatched):
            near = suggestion(name, known)
            if state.names is None and name not in self.file_args and near is None:
                continue  # it may come from the base image's environment
            hint = f" (did you mean ${near}?)" if near else ""
            self.hits.append(
                Hit("UndefinedVar", line, f"${name} is not defined at this point{hint}")
            )

    def _copy_ignored(self, cmd: dockerfile.Command, keyword: str) -> None:
        if self.ignore is None or any(f.startswith("--from=") for f in cmd.flags) or cmd.heredocs:
            return
        rules, root_ignored = self.ignore
        for source in cmd.value[:-1]:
            if "://" in source or "$" in source:
                continue
            path = posixpath.normpath(source).lstrip("/") or "."
            if (path == "." and root_ignored) or (path != "." and rules.excluded(path)):
                self.hits.append(
                    Hit(
                        "CopyIgnoredFile",
                        cmd.start_line,
                        f"{keyword} {source}: the .dockerignore leaves it out of the context",
                    )
                )


def _expanded_words(cmd: dockerfile.Command, keyword: str) -> list[str]:
    words: list[str] = []
    if keyword in _EXPANDED:
        words += [v for v in cmd.value if not v.startswith("<<")]
        words += [f.split("=", 1)[1] for f in cmd.flags if f.startswith(_EXPANDED_FLAGS)]
    if keyword == "RUN":
        words += [f.split("=", 1)[1] for f in cmd.flags if f.startswith("--mount=")]
    return words


def ignore_rules(path: Path, context: Path) -> IgnoreRules:
    """The .dockerignore BuildKit applies (the Dockerfile's own `<name>.dockerignore` first),
    and whether it leaves out the whole context; None when there is none, or when it has `!`
    rules (BuildKit does not check then: a re-included file may be under an ignored folder)."""
    own = path.parent / f"{path.name}.dockerignore"
    for candidate in (own, context / ".dockerignore"):
        try:
            text = candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        rules = DockerIgnore.parse(text)
        if not rules.rules or any(keep for keep, _ in rules.rules):
            return None
        lines = {line.strip() for line in text.splitlines()}
        return rules, bool(lines & {"*", "**", "**/*"})
    return None
