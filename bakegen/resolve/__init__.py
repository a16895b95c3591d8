"""Stages 3–5, expand, resolve, select and check: a valid matrix → fully specified targets.

In: a `Matrix`, the git version and the render time. Out: a `Resolution` of frozen `Target`
records (name, Dockerfile, stage, args, tags, cache refs, contexts, …) that every later stage
reads, checked together (unique tags, dependencies, joins).
"""
