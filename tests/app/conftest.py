"""Shared fixtures for the App's unit tests: a throwaway RSA key and settings."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.serve.settings import Settings


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def private_key_pem(rsa_key: rsa.RSAPrivateKey) -> str:
    return rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def settings(private_key_pem: str) -> Settings:
    return Settings(
        app_id="4242",
        private_key=private_key_pem,
        webhook_secret="s3cret-webhook-value",
        api_url="http://127.0.0.1:9",  # never reached: tests use routers that make no calls
        max_concurrency=4,
        event_budget_seconds=5.0,
        lint_workers=0,
    )
