"""Stage 2, validate: the matrix format — its models, JSON Schema and validation.

In: the plain data and `Source` of load/. Out: a checked, frozen `Matrix` (or a MatrixError
that lists every problem at its file:line:column).
"""
