"""The Atom feed of new and changed RFCs, newest first (dates from Last Updated, else Created).

Deterministic: the feed's ``updated`` is the newest entry's date, so an unchanged tree gives
the same bytes and the incremental build leaves the file alone.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from xml.sax.saxutils import escape as escape_markup
from xml.sax.saxutils import quoteattr as quoteattr_markup

from bot.site.model import SiteRfc

FEED_LIMIT = 50
EPOCH = "1970-01-01"
# Characters XML 1.0 forbids anywhere (C0 controls but tab, newline and carriage return; lone
# surrogates; U+FFFE and U+FFFF): one in an RFC's title would make the whole feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", text)


def escape(text: str) -> str:
    return escape_markup(xml_text(text))


def quoteattr(text: str) -> str:
    return quoteattr_markup(xml_text(text))


def _id(site_url: str | None, rfc: SiteRfc) -> str:
    if site_url:
        return f"{site_url.rstrip('/')}/{rfc.page}"
    # A stable IRI without a site address: the same path always gives the same URN.
    return uuid.uuid5(uuid.NAMESPACE_URL, f"rfc-bot:{rfc.path}").urn


def atom_feed(rfcs: Sequence[SiteRfc], *, site_url: str | None = None) -> str:
    dated = sorted((rfc for rfc in rfcs if rfc.changed), key=lambda r: (r.changed, r.path))
    newest = list(reversed(dated))[:FEED_LIMIT]
    updated = newest[0].changed if newest else EPOCH
    base = site_url.rstrip("/") + "/" if site_url else ""
    entries = "".join(_entry(rfc, base, _id(site_url, rfc)) for rfc in newest)
    feed_id = site_url or uuid.uuid5(uuid.NAMESPACE_URL, "rfc-bot:feed").urn
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "<title>RFCs: new and changed</title>\n"
        f"<id>{escape(feed_id)}</id>\n<updated>{updated}T00:00:00Z</updated>\n"
        f"<link href={quoteattr(base + 'index.html')}/>\n"
        f"{entries}</feed>\n"
    )


def _entry(rfc: SiteRfc, base: str, entry_id: str) -> str:
    new = not rfc.last_updated or rfc.last_updated == rfc.created
    what = "New" if new else "Updated"
    authors = (
        "".join(f"<author><name>{escape(login)}</name></author>" for login in rfc.authors)
        or "<author><name>unknown</name></author>"
    )
    title = f"{rfc.label}: {rfc.title} ({what}, {rfc.status or 'no status'})"
    return (
        "<entry>\n"
        f"<title>{escape(title)}</title>\n"
        f"<id>{escape(entry_id)}</id>\n<updated>{rfc.changed}T00:00:00Z</updated>\n"
        f"{f'<published>{rfc.created}T00:00:00Z</published>{chr(10)}' if rfc.created else ''}"
        f"<link href={quoteattr(base + rfc.page)}/>\n{authors}\n"
        f"<summary>{escape(rfc.summary)}</summary>\n</entry>\n"
    )
