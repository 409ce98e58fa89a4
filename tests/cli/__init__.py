"""Tests of the detente command line."""
