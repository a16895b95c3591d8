"""CI fan-out: jobs in dependency layers, change detection, and the multi-arch join.

In: a compiled matrix (and git, for `--changed-since`). Out: job plans for GitHub Actions,
GitLab or JSON, the targets a change affects, and the `imagetools create` commands of the join.
"""
