"""Tests of bakegen.ci."""
