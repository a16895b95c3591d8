"""bakegen: compile a YAML build matrix into one docker-bake.hcl."""

__version__ = "0.1.0"
