"""The screenshots docs/site.md shows are committed PNGs (no browser needed)."""

from __future__ import annotations

import re
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXPECTED = {"site-index.png", "site-rfc.png", "site-index-phone.png"}
MAX_BYTES = 200_000  # viewport shots, not whole pages: the repository stays small


def referenced(doc: Path) -> list[str]:
    return re.findall(r"\]\((screenshots/[A-Za-z0-9._-]+\.png)\)", doc.read_text(encoding="utf-8"))


def test_the_site_docs_show_the_screenshots_and_they_are_pngs() -> None:
    paths = referenced(DOCS / "site.md")
    assert {Path(path).name for path in paths} >= EXPECTED
    for path in paths:
        data = (DOCS / path).read_bytes()
        assert data.startswith(PNG_SIGNATURE), path
        assert data[12:16] == b"IHDR"
        width, height = struct.unpack(">II", data[16:24])
        assert 300 <= width <= 1400 and 300 <= height <= 1000, (path, width, height)
        assert len(data) <= MAX_BYTES, path
