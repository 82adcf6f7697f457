"""RFC texts and an HTML reader for the site tests."""

from __future__ import annotations

from html.parser import HTMLParser


def rfc_text(
    title: str,
    *,
    status: str = "Draft",
    authors: str = "Alice Example (@alice)",
    apps: str = "api",
    created: str = "2024-05-01",
    updated: str = "2024-05-02",
    extra: str = "",
    body: str = "Retry failed jobs with backoff.",
) -> str:
    return (
        f"# {title}\n\n**Status:** {status}  \n**Target Application(s):** {apps}  \n"
        f"**RFC Number:** [TBD]  \n**Created:** {created}  \n"
        f"**Last Updated:** {updated}  \n**Author(s):** {authors}  \n{extra}\n"
        f"## Overview\n\n### Summary\n{body}\n\n## Proposal\n\nDetails.\n"
    )


class Page(HTMLParser):
    """Every start tag with its attributes, the text, and the scripts' sources."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        key = {name.replace("_", "-").rstrip("-"): value for name, value in wanted.items()}
        return [
            attrs
            for name, attrs in self.tags
            if name == tag
            and all(
                wanted_value in attrs.get(k, "").split() or attrs.get(k) == wanted_value
                for k, wanted_value in key.items()
            )
        ]

    @property
    def all_text(self) -> str:
        return "".join(self.text)
