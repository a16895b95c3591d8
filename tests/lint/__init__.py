"""Tests of bakegen.lint."""
