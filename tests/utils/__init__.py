"""Helpers of the test suite: run lesson scripts as a student does, and read the servers.

Fixtures live in tests/conftest.py; everything else the tests share lives here.
"""
