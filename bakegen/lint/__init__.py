"""`bakegen lint`: the matrix, the bake targets and the Dockerfiles agree.

In: a compiled matrix and the Dockerfiles it names. Out: findings (rule, location, hint) as
text or JSON.
"""
