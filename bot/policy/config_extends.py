"""Following ``_extends``: which file comes next in a chain, or why the chain stops there; and
which of the files read are applied. Pure: values in, values out (the fetching is
``bot.features.config``'s).

- Only the repository's own owner is followed by default: a repository of another account
  (even one the App is installed on) may be controlled by someone else, and a typo in an
  owner's name could name an account anyone can register. Another owner is followed when a
  file of the repository's own owner in the chain lists it in ``_extends_owners``.
- A chain stops at a cycle, and after ``MAX_EXTENDS`` extended files.
- Whatever stops a chain is a problem told at the ``_extends`` line that named the target;
  the files read so far still apply. A file whose content has problems is left out (its
  problems told in it) and the others are applied; when none is left, the defaults are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.rfc.config.public import (
    CONFIG_PATH,
    EXTENDS_KEY,
    OWNERS_KEY,
    Config,
    ConfigError,
    ConfigFile,
    ConfigProblem,
    ExtendsTarget,
    load_layers,
)

MAX_EXTENDS = 5  # extended files in one chain, after the repository's own


@dataclass(frozen=True, slots=True)
class Home:
    """The repository whose config is read: relative ``_extends`` values resolve against it."""

    owner: str
    repo: str
    path: str = CONFIG_PATH

    @property
    def identity(self) -> tuple[str, str, str]:
        return ExtendsTarget(self.owner, self.repo, self.path).identity


@dataclass(frozen=True, slots=True)
class Link:
    """One file of a chain: the repository's own (``target`` None) or one it extends."""

    file: ConfigFile
    target: ExtendsTarget | None = None


def next_target(home: Home, chain: Sequence[Link]) -> ExtendsTarget | ConfigProblem | None:
    """The file the last link extends, the problem that stops the chain there, or None when
    it extends nothing (or its ``_extends`` was malformed: a problem of its own)."""
    last = chain[-1].file
    spec = last.extends
    if spec is None:
        return None
    target = spec.resolve(home.owner, home.path)
    seen = [home.identity, *(link.target.identity for link in chain if link.target)]
    if target.identity in seen:
        return _stop(last, f"{target}: a cycle ({_path(chain, target)}); remove one _extends")
    if len(chain) > MAX_EXTENDS:
        return _stop(
            last,
            f"{target}: not followed: a chain follows at most {MAX_EXTENDS} extended files; "
            "merge some of them",
        )
    if target.owner.lower() not in allowed_owners(home, chain):
        return _stop(
            last,
            f"{target}: not followed: it belongs to another account than {home.owner}; if "
            f"{target.owner} is trusted, list it in {OWNERS_KEY} in {home.owner}'s config",
        )
    return target


def allowed_owners(home: Home, chain: Sequence[Link]) -> set[str]:
    """The home owner, and the owners listed in ``_extends_owners`` by its own files (another
    owner's files cannot widen the trust they were given)."""
    allowed = {home.owner.lower()}
    for link in chain:
        owner = link.target.owner if link.target else home.owner
        if owner.lower() == home.owner.lower():
            allowed.update(name.lower() for name in link.file.directives.owners)
    return allowed


def unreadable(chain: Sequence[Link], target: ExtendsTarget, reason: str) -> ConfigProblem:
    """The problem of a target that could not be read, at the ``_extends`` that named it."""
    return _stop(chain[-1].file, f"{target}: {reason}")


def _stop(file: ConfigFile, message: str) -> ConfigProblem:
    return ConfigProblem(file.source, file.directives.extends_line, EXTENDS_KEY, message)


def _path(chain: Sequence[Link], target: ExtendsTarget) -> str:
    return " -> ".join([*(link.file.source for link in chain), str(target)])


@dataclass(frozen=True, slots=True)
class Settled:
    """What a chain comes to: the config, every problem, the files applied (nearest first;
    none: the defaults) and the files left out for their problems."""

    config: Config
    problems: tuple[ConfigProblem, ...] = ()
    applied: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()

    @property
    def error(self) -> ConfigError | None:
        return ConfigError.of(self.problems) if self.problems else None


def settle(files: Sequence[ConfigFile], problems: Sequence[ConfigProblem] = ()) -> Settled:
    """Merge and read ``files`` (nearest first); a file with problems is left out and the
    rest read again, until the rest reads cleanly or nothing is left."""
    kept = list(files)
    found = [*problems, *(problem for file in files for problem in file.problems)]
    left_out: list[str] = []
    while kept:
        try:
            config = load_layers(kept)
        except ConfigError as error:
            found += error.problems
            named = {problem.source for problem in error.problems}
            blamed = {file.source for file in kept if file.source in named} or {kept[0].source}
            left_out += [file.source for file in kept if file.source in blamed]
            kept = [file for file in kept if file.source not in blamed]
            continue
        return Settled(config, _unique(found), tuple(f.source for f in kept), tuple(left_out))
    return Settled(Config(), _unique(found), (), tuple(left_out))


def _unique(problems: Sequence[ConfigProblem]) -> tuple[ConfigProblem, ...]:
    return tuple(dict.fromkeys(problems))


def sources_sentence(applied: Sequence[str]) -> str:
    """``a`` extends ``b``, which extends ``c``: the files applied, nearest first."""
    if not applied:
        return "the defaults"
    first, *rest = (f"`{source}`" for source in applied)
    if not rest:
        return first
    return f"{first} extends " + ", which extends ".join(rest)
