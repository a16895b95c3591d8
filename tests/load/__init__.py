"""Tests of bakegen.load."""
