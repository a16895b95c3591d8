"""The one rule for names that hold credentials (docs/matrix.md, "Credentials").

A credential reaches a build only as a secret: bake reads it from the environment at build
time and BuildKit mounts it for one RUN. Any other route (a bake variable read into an
attribute, a tag, a command line `manifest` or `ci` prints) copies it into the bake file, the
image, a registry or a log. So no template may read a credential-named variable, and the
matrix may not declare one as a bake variable.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bakegen.errors import KeyPath
from bakegen.matrix.model_features import Credentials
from bakegen.templating import placeholders

# Words (between '_') that name a credential wherever they stand: GITHUB_TOKEN, CI_JOB_JWT,
# REGISTRY_AUTH, DOCKER_AUTH_CONFIG, NPM_CONFIG__AUTH, DB_PASSWORD, GOOGLE_CREDENTIALS.
# Whole words only, so TOKENIZER_NAME, AUTHOR or PASSTHROUGH stay free.
CREDENTIAL_WORDS = frozenset(
    {
        "TOKEN",
        "TOKENS",
        "SECRET",
        "SECRETS",
        "PASSWORD",
        "PASSWORDS",
        "PASSWD",
        "PASSPHRASE",
        "CREDENTIAL",
        "CREDENTIALS",
        "CREDS",
        "JWT",
        "AUTH",
        "APIKEY",
        "PAT",
    }
)
# Keys are named by their last word (SIGNING_KEY, SSH_KEY) or by what kind they are
# (AWS_ACCESS_KEY_ID, HF_API_KEY_FILE); a KEY elsewhere is a plain word (KEYRING_VERSION,
# KEY_SERVER_URL are no credentials).
CREDENTIAL_PATTERNS = (
    "KEY",
    "*_KEY",
    "ACCESS_KEY*",
    "*_ACCESS_KEY*",
    "API_KEY*",
    "*_API_KEY*",
    "PRIVATE_KEY*",
    "*_PRIVATE_KEY*",
    "SECRET_KEY*",
    "*_SECRET_KEY*",
)


@lru_cache(maxsize=64)
def _pattern(globs: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(fnmatch.translate(g.upper()) for g in globs))


@dataclass(frozen=True)
class CredentialRule:
    """The built-in names, the matrix's own (`credentials.names`) and its exceptions
    (`credentials.allow`); names compare without regard to case."""

    more: tuple[str, ...] = ()
    allow: frozenset[str] = frozenset()

    @classmethod
    def of(cls, spec: Credentials) -> CredentialRule:
        return cls(tuple(spec.names), frozenset(n.upper() for n in spec.allow))

    def __call__(self, name: str) -> bool:
        upper = name.upper()
        if upper in self.allow:
            return False
        if any(word in CREDENTIAL_WORDS for word in upper.split("_")):
            return True
        return bool(_pattern((*CREDENTIAL_PATTERNS, *self.more)).fullmatch(upper))


DEFAULT_RULE = CredentialRule()

# What to do instead, said by every refusal.
SECRET_HINT = (
    "pass it as a secret (`secrets: [{{id: {id}, env: {name}}}]`) and mount it with "
    "RUN --mount=type=secret,id={id}"
)


def secret_hint(name: str) -> str:
    return SECRET_HINT.format(id=name.lower().replace("_", "-"), name=name)


# Parts of the matrix that are no templates: literal values and names.
_NOT_TEMPLATES = frozenset({"$schema", "extends", "variables", "credentials", "format"})


def credential_reads(data: Any, rule: CredentialRule) -> Iterator[tuple[KeyPath, str]]:
    """(Key path, variable) of every `{var.NAME}` in the file's templates whose NAME is a
    credential; keys count too (label keys are templates)."""

    def walk(node: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if not path and key in _NOT_TEMPLATES:
                    continue
                if isinstance(key, str):
                    yield from texts(key, (*path, key))
                yield from walk(value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, (*path, i))
        elif isinstance(node, str):
            yield from texts(node, path)

    def texts(text: str, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
        if "{" not in text:
            return
        for name in placeholders(text):
            if name.startswith("var.") and rule(name[4:]):
                yield path, name[4:]

    yield from walk(data, ())
