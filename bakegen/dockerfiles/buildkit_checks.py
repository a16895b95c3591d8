"""BuildKit's own Dockerfile checks (the ones `docker build --check` runs), under BuildKit's rule
names, written from its documentation of each rule.

Two kinds, as in BuildKit: checks on the whole file (the parser and the stage table see every
stage), and checks on the instructions that really run, which depend on the target: its stage,
its args and the named contexts that replace stages (see bakegen.dockerfiles.buildgraph).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import dockerfile

from bakegen.dockerfiles.buildgraph import RESERVED_NAMES
from bakegen.dockerfiles.imagerefs import is_valid
from bakegen.dockerfiles.parse import PLATFORM_ARGS, DockerfileInfo
from bakegen.dockerfiles.shellwords import expand

# Rule → what it finds (BuildKit's names; the docs live at docs.docker.com/go/dockerfile/rule/).
BUILDKIT_RULES: dict[str, str] = {
    "ConsistentInstructionCasing": "an instruction keyword is cased unlike the file's majority",
    "CopyIgnoredFile": "COPY or ADD names a file the .dockerignore leaves out of the context",
    "DuplicateStageName": "two stages have the same name",
    "FromAsCasing": "the AS keyword is cased unlike its FROM",
    "InvalidDefaultArgInFrom": "with only the ARG defaults, a FROM gives no valid image name",
    "JSONArgsRecommended": "CMD or ENTRYPOINT in shell form, with no SHELL set",
    "LegacyKeyValueFormat": "ENV or LABEL written as `key value` instead of `key=value`",
    "MaintainerDeprecated": "the deprecated MAINTAINER instruction",
    "RedundantTargetPlatform": "FROM --platform=$TARGETPLATFORM, which is the default anyway",
    "ReservedStageName": "a stage named `scratch` or `context`",
    "SecretsUsedInArgOrEnv": "an ARG or ENV whose name says it holds a secret",
    "StageNameCasing": "a stage name with upper-case letters",
    "UndefinedArgInFrom": "FROM reads an ARG that no global ARG declares",
    "UndefinedVar": "an instruction reads a variable nothing defined",
    "WorkdirRelativePath": "a relative WORKDIR before any absolute one",
}

# The checks that a `# check=` comment above an instruction can skip: all but those BuildKit
# runs on the whole stage table and the file's casing.
COMMENT_RULES = frozenset(BUILDKIT_RULES) - {
    "ConsistentInstructionCasing",
    "DuplicateStageName",
    "InvalidDefaultArgInFrom",
    "ReservedStageName",
}

_SECRET_WORD = re.compile(
    r"(?:_|^)(?:apikey|auth|credentials?|key|password|pword|passwd|secret|token)(?:_|$)",
    re.IGNORECASE,
)
_NOT_SECRET_WORD = re.compile(r"(?:_|^)(?:public|file|version)(?:_|$)", re.IGNORECASE)
# Args BuildKit defines in the global scope (usable in FROM without an ARG).
_FROM_PREDEFINED = PLATFORM_ARGS | {"BUILDOSVERSION", "TARGETOSVERSION", "TARGETSTAGE"}


@dataclass(frozen=True)
class Hit:
    rule: str
    line: int
    message: str


def url(rule: str) -> str:
    slug = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", rule).lower()
    return f"https://docs.docker.com/go/dockerfile/rule/{slug}/"


def looks_secret(name: str) -> bool:
    return bool(_SECRET_WORD.search(name)) and not _NOT_SECRET_WORD.search(name)


def _is_cased(word: str) -> bool:
    return word in (word.lower(), word.upper())


def file_checks(info: DockerfileInfo) -> list[Hit]:
    """The checks on the whole Dockerfile, whatever the target builds."""
    hits: list[Hit] = []
    keywords = [s.header.cmd for s in info.stages if s.header] + [
        c.cmd for s in info.stages for c in s.commands
    ]
    majority_lower = sum(k == k.lower() for k in keywords if _is_cased(k)) > sum(
        k == k.upper() for k in keywords if _is_cased(k) and k != k.lower()
    )
    seen: set[str] = set()
    for stage in info.stages:
        header = stage.header
        assert header is not None
        words = list(header.value)
        if len(words) == 3:
            as_word, name = words[1], words[2]
            if name != name.lower():
                hits.append(Hit("StageNameCasing", stage.line, f"stage {name!r}: use lower case"))
            from_word = header.cmd
            if _is_cased(from_word) and as_word != (
                as_word.lower() if from_word == from_word.lower() else as_word.upper()
            ):
                hits.append(
                    Hit("FromAsCasing", stage.line, f"{from_word!r} and {as_word!r} differ in case")
                )
        key = stage.key
        if key is not None:
            if key in RESERVED_NAMES:
                hits.append(
                    Hit("ReservedStageName", stage.line, f"{key!r} is reserved: rename the stage")
                )
            if key in seen:
                hits.append(
                    Hit("DuplicateStageName", stage.line, f"stage {key!r} is defined twice")
                )
            seen.add(key)
        for cmd in (header, *stage.commands):
            word = cmd.cmd
            wrong = word != word.lower() if majority_lower else word != word.upper()
            if wrong:
                case = "lower case" if majority_lower else "upper case"
                hits.append(
                    Hit(
                        "ConsistentInstructionCasing",
                        cmd.start_line,
                        f"{word!r}: most instructions here are in {case}",
                    )
                )
            if word.upper() == "MAINTAINER":
                hits.append(
                    Hit(
                        "MaintainerDeprecated",
                        cmd.start_line,
                        "MAINTAINER is deprecated: set the label org.opencontainers.image.authors",
                    )
                )
    hits.extend(_default_args_in_from(info))
    return sorted(hits, key=lambda h: (h.line, h.rule))


def _default_args_in_from(info: DockerfileInfo) -> list[Hit]:
    defaults: dict[str, str | None] = dict.fromkeys(_FROM_PREDEFINED, "")
    defaults.update({"TARGETPLATFORM": "linux/amd64", "TARGETOS": "linux", "TARGETARCH": "amd64"})
    for key, (_, default) in info.global_args.items():
        defaults[key] = expand(default, defaults).result if default is not None else ""
    hits = []
    for stage in info.stages:
        result = expand(stage.base.ref, defaults).result
        if "$" in stage.base.ref and not is_valid(result):
            hits.append(
                Hit(
                    "InvalidDefaultArgInFrom",
                    stage.line,
                    f"FROM {stage.base.ref}: with the ARG defaults alone the image name is "
                    f"{result!r}, which is not valid",
                )
            )
    return hits


def from_checks(info: DockerfileInfo) -> list[Hit]:
    """The checks BuildKit runs on each FROM line while reading the stage table."""
    declared = set(info.global_args) | _FROM_PREDEFINED
    hits = []
    for stage in info.stages:
        header = stage.header
        assert header is not None
        platform = next(
            (f.split("=", 1)[1] for f in header.flags if f.startswith("--platform=")), ""
        )
        for word in (stage.base.ref, platform):
            for name in sorted(expand(word, {}).unmatched - declared):
                hits.append(
                    Hit(
                        "UndefinedArgInFrom",
                        stage.line,
                        f"FROM reads ${name}, which no ARG declares",
                    )
                )
        if platform in ("$TARGETPLATFORM", "${TARGETPLATFORM}"):
            hits.append(
                Hit(
                    "RedundantTargetPlatform",
                    stage.line,
                    f"--platform={platform} is what FROM uses anyway: drop the flag",
                )
            )
    return hits


def _legacy_form(cmd: dockerfile.Command) -> bool:
    """`ENV key value` rather than `ENV key=value` (the first word has no `=`)."""
    words = cmd.original.split(None, 2)
    return len(words) >= 2 and "=" not in words[1]


def command_hits(cmd: dockerfile.Command, has_shell: bool) -> list[Hit]:
    """The checks on one instruction that need nothing but the instruction (and whether a
    SHELL instruction ran before it in the stage or the stages it is built on)."""
    keyword = cmd.cmd.upper()
    line = cmd.start_line
    hits = []
    if keyword in ("ENV", "LABEL") and _legacy_form(cmd):
        hits.append(
            Hit("LegacyKeyValueFormat", line, f"write {keyword} key=value, not {keyword} key value")
        )
    if keyword in ("ENV", "ARG"):
        keys = cmd.value[0::2] if keyword == "ENV" else [v.split("=", 1)[0] for v in cmd.value]
        for key in keys:
            if looks_secret(key):
                hits.append(
                    Hit(
                        "SecretsUsedInArgOrEnv",
                        line,
                        f"{keyword} {key}: its name says it holds a secret, and {keyword} values "
                        "stay in the image; mount secrets with RUN --mount=type=secret",
                    )
                )
    if keyword in ("CMD", "ENTRYPOINT") and not cmd.json and not has_shell:
        hits.append(
            Hit(
                "JSONArgsRecommended",
                line,
                f"{keyword} in shell form runs under /bin/sh, which does not pass signals on: "
                f'use the JSON form {keyword} ["…"]',
            )
        )
    return hits
