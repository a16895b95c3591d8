"""Tests of bakegen.matrix."""
