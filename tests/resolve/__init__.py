"""Tests of bakegen.resolve."""
