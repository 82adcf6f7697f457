"""Fixtures for the GitHub client's unit tests: a throwaway RSA key."""

from __future__ import annotations

from tests.keys import private_key_pem, rsa_key

__all__ = ["private_key_pem", "rsa_key"]
