"""Tests of bakegen.bakefile."""
