"""Dockerfiles as BuildKit reads them: parsing, args, stage graphs, .dockerignore, checks.

In: a Dockerfile path and a target's args, platforms and named contexts. Out: the stages a
build runs, the files and contexts they read, and BuildKit's own check findings. Used by
lint/ and ci/; knows nothing of the matrix.
"""
