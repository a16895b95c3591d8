"""Tests of bakegen.dockerfiles."""
