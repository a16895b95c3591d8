"""BuildKit's own Dockerfile checks in `bakegen lint`: those of the whole file, those of the
stages a target builds, and the check options (`# check=` or BUILDKIT_DOCKERFILE_CHECK)
that choose which run and whether they are errors."""

from __future__ import annotations

from pathlib import Path

from bakegen.dockerfiles.buildkit_build_checks import BuildChecks, IgnoreRules, ignore_rules
from bakegen.dockerfiles.buildkit_checks import COMMENT_RULES, Hit, file_checks, from_checks, url
from bakegen.dockerfiles.check_directive import (
    CHECK_ARG,
    CheckConfig,
    comment_directive,
    header_directive,
    parse_options,
)
from bakegen.dockerfiles.parse import DockerfileInfo
from bakegen.errors import CheckOptionError
from bakegen.lint.findings import Report, Severity
from bakegen.lint.matrix_rules import TargetBuild
from bakegen.templating import evaluate, plain


class BuildkitRules:
    """Runs BuildKit's checks on target builds, each file and build checked once."""

    def __init__(self, root: Path, variables: dict[str, str]) -> None:
        self.root = root
        self.variables = variables
        self._file_hits: dict[Path, list[Hit]] = {}
        self._build_hits: dict[tuple[Path, frozenset[int], frozenset[str], str], list[Hit]] = {}
        self._ignores: dict[tuple[Path, Path], IgnoreRules] = {}
        self._comment_configs: dict[Path, dict[int, CheckConfig | None]] = {}

    def run(self, report: Report, tb: TargetBuild) -> None:
        """Add what BuildKit's checks report for the build of `tb` (after its check options)."""
        info, target = tb.info, tb.target
        config = self.check_config(report, tb)
        if config is None:
            return
        if info.path not in self._file_hits:
            self._file_hits[info.path] = file_checks(info) + from_checks(info)
        context = self.root / plain(target.context)
        key = (
            info.path,
            frozenset(s.index for s in tb.checked.stages),
            frozenset(tb.checked.contexts),
            str(context),
        )
        if key not in self._build_hits:
            where = (info.path, context)
            if where not in self._ignores:
                self._ignores[where] = ignore_rules(info.path, context)
            self._build_hits[key] = BuildChecks(info, tb.checked, self._ignores[where]).run()
        severity: Severity = "error" if config.error else "warning"
        for hit in (*self._file_hits[info.path], *self._build_hits[key]):
            rule_config = config
            if hit.rule in COMMENT_RULES:
                extra = self.comment_config(info, hit.line)
                rule_config = config.merged(extra) if extra else config
            if rule_config.runs(hit.rule):
                report.at_file(
                    target,
                    Path(relative(info.path, self.root)),
                    hit.line,
                    severity,
                    hit.rule,
                    hit.message,
                    url(hit.rule),
                )

    def check_config(self, report: Report, tb: TargetBuild) -> CheckConfig | None:
        """The target's check options: its BUILDKIT_DOCKERFILE_CHECK arg, else the file's
        `# check=` directive. None (after reporting) when they do not parse."""
        args = {key: evaluate(text, self.variables) for key, text in tb.target.args}
        found = header_directive(tb.info.lines)
        text, line = (args[CHECK_ARG], None) if CHECK_ARG in args else found or ("", None)
        try:
            return parse_options(text)
        except CheckOptionError as exc:
            report.at_file(
                tb.target,
                Path(relative(tb.info.path, self.root)),
                line,
                "error",
                "dockerfile-invalid",
                f"the check options do not parse: {exc}",
                "write `# check=skip=RuleA,RuleB` or `# check=skip=all;error=true`",
            )
            return None

    def comment_config(self, info: DockerfileInfo, line: int) -> CheckConfig | None:
        if info.path not in self._comment_configs:
            starts = [(c.start_line, c.end_line) for c in info.prelude]
            for stage in info.stages:
                if stage.header is not None:
                    starts.append((stage.header.start_line, stage.header.end_line))
                starts += [(c.start_line, c.end_line) for c in stage.commands]
            starts.sort()
            configs: dict[int, CheckConfig | None] = {}
            previous = 0
            for start, end in starts:
                configs[start] = comment_directive(info.lines, start, previous)
                previous = end
            self._comment_configs[info.path] = configs
        return self._comment_configs[info.path].get(line)


def relative(path: Path, root: Path) -> str:
    """`path` relative to `root` when it is under it (as findings name files), else as is."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
