"""The screenshots docs/site.md and docs/dashboard.md show are committed PNGs (no browser
needed)."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXPECTED = {
    "site.md": {"site-index.png", "site-rfc.png", "site-index-phone.png"},
    "dashboard.md": {"dashboard.png", "dashboard-phone.png"},
}
MAX_BYTES = 200_000  # viewport shots, not whole pages: the repository stays small


def referenced(doc: Path) -> list[str]:
    return re.findall(r"\]\((screenshots/[A-Za-z0-9._-]+\.png)\)", doc.read_text(encoding="utf-8"))


@pytest.mark.parametrize("doc", sorted(EXPECTED))
def test_the_docs_show_their_screenshots_and_they_are_pngs(doc: str) -> None:
    paths = referenced(DOCS / doc)
    assert {Path(path).name for path in paths} >= EXPECTED[doc]
    for path in paths:
        data = (DOCS / path).read_bytes()
        assert data.startswith(PNG_SIGNATURE), path
        assert data[12:16] == b"IHDR"
        width, height = struct.unpack(">II", data[16:24])
        assert 300 <= width <= 1400 and 300 <= height <= 1000, (path, width, height)
        assert len(data) <= MAX_BYTES, path
