"""Tests of the command line (bakegen.cli, bakegen.commands) and the features it runs."""
