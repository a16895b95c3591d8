"""Tests of bakegen.render."""
