# rfc-bot: the GitHub App's webhook server (`rfc-bot serve`), runtime dependencies only.
# Build: docker build -t rfc-bot .   Run: docker run --env-file .env -p 8000:8000 rfc-bot
# docs/deploy.md ("Container") says what to set; tests/test_dockerfile.py checks this file.
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8000

# The server never needs root: a system user with no login and no password. Numeric in USER,
# so a platform that demands a non-root user (runAsNonRoot) can tell without /etc/passwd.
RUN groupadd --system --gid 10001 rfcbot \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin rfcbot

WORKDIR /src
# The package and what its metadata reads; no tests, simulator or dev tools (.dockerignore).
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install . && rm -rf /src

WORKDIR /
USER 10001:10001
EXPOSE 8000

# No curl in the slim image: Python's urllib asks /healthz (any non-2xx or no answer fails).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

# SIGTERM (docker stop) drains accepted deliveries; give it `--stop-timeout 40`.
CMD ["rfc-bot", "serve"]
