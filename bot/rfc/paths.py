"""RFC file names: `NNNN-kebab-slug.md`, where NNNN is zero (unassigned) until merge."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from bot.rfc.config.fields import Config

_NAME = re.compile(r"^(?P<number>\d+)-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")


@dataclass(frozen=True, slots=True)
class RfcName:
    number: int  # 0 means unassigned
    slug: str
    width: int  # digits as written

    @property
    def assigned(self) -> bool:
        return self.number != 0


def parse_name(path: str) -> RfcName | None:
    """Parse the file name part of ``path``; None when it is not NNNN-slug.md."""
    match = _NAME.match(posixpath.basename(path))
    if match is None:
        return None
    digits = match["number"]
    return RfcName(int(digits), match["slug"], len(digits))


def numbered_path(path: str, number: int, width: int) -> str:
    """``rfcs/0000-slug.md`` -> ``rfcs/0042-slug.md``."""
    name = parse_name(path)
    if name is None:
        raise ValueError(f"not an RFC file name: {path}")
    return posixpath.join(posixpath.dirname(path), f"{number:0{width}d}-{name.slug}.md")


def is_rfc_path(path: str, config: Config) -> bool:
    """True for markdown files directly inside the RFC directory that are not skipped."""
    directory, name = posixpath.split(path)
    if directory != config.rfc_dir.strip("/") or not name.endswith(".md"):
        return False
    return name not in config.skip


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug or "rfc"
