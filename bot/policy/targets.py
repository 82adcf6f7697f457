"""Which RFC a command means: the one RFC file of the pull request that it names, or why none
is. Pure.

A command names an RFC by its path (``./`` and a leading ``/`` allowed) or by its file name;
without one it means the pull request's only RFC. Anything that matches no file, or more than
one, means none: the reply lists the choices.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from bot.policy.text import inline_text


def target_path(wanted: str | None, paths: Sequence[str]) -> str | None:
    """The one file of ``paths`` that ``wanted`` names (the whole path first, else the file
    name), or the only one when ``wanted`` is None; None when that is not exactly one."""
    if wanted is None:
        return paths[0] if len(paths) == 1 else None
    wanted = _normalised(wanted)
    matches = [p for p in paths if p == wanted] or [
        p for p in paths if posixpath.basename(p) == posixpath.basename(wanted)
    ]
    return matches[0] if len(matches) == 1 else None


def no_target_text(wanted: str | None, paths: Sequence[str], rfc_dir: str) -> str:
    """Why ``target_path`` found no file, with the pull request's RFC files to choose from."""
    if not paths:
        return f"this pull request changes no RFC file under `{rfc_dir}/`."
    if wanted is None:
        return (
            f"this pull request changes {len(paths)} RFCs, so name the one you mean, e.g. "
            f"`/rfc status <status> {paths[0]}`. Its RFC files:\n\n{_file_list(paths)}"
        )
    return (
        f"`{inline_text(_normalised(wanted))}` is not one of this pull request's RFC files:\n\n"
        f"{_file_list(paths)}"
    )


def _normalised(wanted: str) -> str:
    return wanted.strip().removeprefix("./").lstrip("/")


def _file_list(paths: Sequence[str]) -> str:
    return "\n".join(f"- `{inline_text(path)}`" for path in paths)
