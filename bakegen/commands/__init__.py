"""The subcommands of `bakegen`, one module per family."""
