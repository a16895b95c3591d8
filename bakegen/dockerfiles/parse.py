"""Dockerfiles as the linter sees them, read with BuildKit's own parser (PyPI `dockerfile`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import dockerfile

from bakegen.errors import DockerfileError

# `$NAME` or `${NAME…}`: the variables an instruction reads (shell or Dockerfile expansion).
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")
_ESCAPED_DOLLAR = re.compile(r"\\\$")

# Args BuildKit defines itself; passing them needs no ARG.
PREDEFINED_ARGS = frozenset(
    {
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "FTP_PROXY",
        "ftp_proxy",
        "NO_PROXY",
        "no_proxy",
        "ALL_PROXY",
        "all_proxy",
        "BUILDKIT_INLINE_CACHE",
        "BUILDKIT_CONTEXT_KEEP_GIT_DIR",
        "BUILDKIT_SYNTAX",
        "BUILDKIT_MULTI_PLATFORM",
        "BUILDKIT_SANDBOX_HOSTNAME",
        "SOURCE_DATE_EPOCH",
    }
)
PLATFORM_ARGS = frozenset(
    {
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
    }
)


@dataclass(frozen=True)
class Use:
    """A reference from a stage to something outside its own instructions."""

    ref: str
    line: int
    how: str  # "FROM", "COPY --from", "RUN --mount from"
    linked: bool = False  # COPY --from … --link


@dataclass
class Stage:
    name: str | None
    index: int
    line: int
    base: Use
    args: dict[str, int] = field(default_factory=dict)
    env: set[str] = field(default_factory=set)
    uses: list[Use] = field(default_factory=list)
    reads: list[tuple[str, int]] = field(default_factory=list)
    secrets: list[tuple[str, int]] = field(default_factory=list)
    required_secrets: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)
    # Where the stage reads the build context other than by `COPY --link`: (how, line).
    # Such reads keep a registry cache from matching on a fresh builder (docs/ci.md).
    unlinked: list[tuple[str, int]] = field(default_factory=list)
    # The FROM instruction and every instruction of the stage, as BuildKit's parser read them
    # (the keyword keeps the case it was written in).
    header: dockerfile.Command | None = None
    commands: list[dockerfile.Command] = field(default_factory=list)

    @property
    def key(self) -> str | None:
        """The name BuildKit knows the stage by: lower-cased as it parses `AS name`."""
        return self.name.lower() if self.name else None


@dataclass
class DockerfileInfo:
    path: Path
    global_args: dict[str, tuple[int, str | None]]
    stages: list[Stage]
    # The raw lines (for directives and comments) and the instructions before the first FROM.
    lines: list[str] = field(default_factory=list)
    prelude: list[dockerfile.Command] = field(default_factory=list)

    def stage(self, ref: str) -> Stage | None:
        """A stage by name (case-insensitive, as BuildKit matches them) or by index."""
        for stage in self.stages:
            if stage.name is not None and stage.name.lower() == ref.lower():
                return stage
        if ref.isdigit() and int(ref) < len(self.stages):
            return self.stages[int(ref)]
        return None

    def resolve(self, ref: str, values: Mapping[str, str | None]) -> str | None:
        """A reference with `$X`/`${X}` expanded; None when a variable has no value."""
        return substitute(ref, values) if "$" in ref else ref


_EXPANSION = re.compile(
    r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)"
)


def substitute(ref: str, values: Mapping[str, str | None]) -> str | None:
    """Expand `$X`/`${X}` in a reference; None when a variable has no value."""
    missing = False

    def one(match: re.Match[str]) -> str:
        nonlocal missing
        value = values.get(match.group(1) or match.group(2))
        if value is None:
            missing = True
            return ""
        return value

    out = _EXPANSION.sub(one, ref)
    return None if missing else out


def _reads(text: str) -> set[str]:
    text = _ESCAPED_DOLLAR.sub("", text)
    return {a or b for a, b in _VARIABLE.findall(text)}


def _flag(flags: tuple[str, ...], name: str) -> str | None:
    for item in flags:
        if item.startswith(f"--{name}="):
            return item.split("=", 1)[1]
    return None


def _linked(flags: tuple[str, ...]) -> bool:
    """`COPY --link` (or `--link=true`), without `--chmod`: BuildKit makes a linked copy
    with `--chmod` an ordinary one."""
    linked = any(f == "--link" or f.lower() == "--link=true" for f in flags)
    return linked and not any(f.startswith("--chmod") for f in flags)


def mounts(flags: tuple[str, ...]) -> list[dict[str, str]]:
    out = []
    for item in flags:
        if item.startswith("--mount="):
            fields: dict[str, str] = {}
            for part in item.removeprefix("--mount=").split(","):
                key, _, value = part.partition("=")
                fields[key] = value
            out.append(fields)
    return out


def parse(path: Path) -> DockerfileInfo:
    """Read a Dockerfile: its global ARGs and, per stage, its ARGs, ENVs, references to other
    stages or contexts, the variables it reads and the secrets it mounts."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise DockerfileError(f"cannot read: {exc.strerror or exc}") from None
    return parse_text(text, path)


def parse_text(text: str, path: Path) -> DockerfileInfo:
    """`parse` for a Dockerfile's text (as git shows an earlier version of it)."""
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        raise DockerfileError(f"cannot parse: {exc}") from None
    global_args: dict[str, tuple[int, str | None]] = {}
    stages: list[Stage] = []
    prelude: list[dockerfile.Command] = []
    for cmd in commands:
        line = cmd.start_line
        keyword = cmd.cmd.upper()
        if keyword == "FROM":
            words = list(cmd.value)
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            base = Use(words[0], line, "FROM") if words else Use("", line, "FROM")
            stages.append(Stage(name=name, index=len(stages), line=line, base=base, header=cmd))
            continue
        if not stages:
            prelude.append(cmd)
            if keyword == "ARG":
                for item in cmd.value:
                    key, _, default = item.partition("=")
                    global_args[key] = (line, default if "=" in item else None)
            continue
        stage = stages[-1]
        stage.commands.append(cmd)
        if keyword == "ARG":
            for item in cmd.value:
                stage.args.setdefault(item.partition("=")[0], line)
                stage.reads.extend((v, line) for v in _reads(item.partition("=")[2]))
            continue
        if keyword == "ENV":
            values = list(cmd.value)
            stage.env.update(values[0::2])
            stage.reads.extend((v, line) for text in values[1::2] for v in _reads(text))
            continue
        source = _flag(cmd.flags, "from")
        if source is not None and keyword in ("COPY", "ADD"):
            stage.uses.append(Use(source, line, "COPY --from", _linked(cmd.flags)))
        elif keyword in ("COPY", "ADD") and not cmd.heredocs:
            # Every word but the last is a source in the build context (URLs are not).
            stage.sources.extend(v for v in cmd.value[:-1] if "://" not in v)
            if not _linked(cmd.flags) and any("://" not in v for v in cmd.value[:-1]):
                chmod = any(f.startswith("--chmod") for f in cmd.flags)
                stage.unlinked.append((f"{keyword} --chmod" if chmod else keyword, line))
        for mount in mounts(cmd.flags):
            if mount.get("from"):
                stage.uses.append(Use(mount["from"], line, "RUN --mount from"))
            elif mount.get("type") == "bind":
                # A bind mount without `from` reads the build context, like COPY does.
                stage.sources.append(mount.get("source") or mount.get("src") or ".")
                stage.unlinked.append(("RUN --mount=type=bind", line))
            if mount.get("type") == "secret":
                secret = mount.get("id") or mount.get("target", "")
                stage.secrets.append((secret, line))
                if mount.get("required", "false").lower() in ("true", "1", ""):
                    stage.required_secrets.add(secret)
        texts = [*cmd.value, *(f for f in cmd.flags if not f.startswith("--mount="))]
        texts += [heredoc.content for heredoc in cmd.heredocs]
        stage.reads.extend((v, line) for text in texts for v in _reads(text))
    if not stages:
        raise DockerfileError("has no FROM instruction")
    return DockerfileInfo(
        path=path,
        global_args=global_args,
        stages=stages,
        lines=text.splitlines(),
        prelude=prelude,
    )
