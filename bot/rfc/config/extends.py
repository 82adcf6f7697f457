"""``_extends``: the directive that makes a config file start from another repository's file.

Probot's convention (``@probot/octokit-plugin-config``): ``_extends: .github`` names the file
of the same path in the owner's ``.github`` repository; ``_extends: REPO``, ``OWNER/REPO`` and
``OWNER/REPO:PATH.yml`` name others. A name without an owner, and a target without a path,
are relative to the repository whose config is being read (its owner, and
``.github/rfc-bot.yml``), at every link of a chain, as Probot resolves them.

``_extends_owners`` lists the other owners whose files the chain may reach (see
``bot.policy.config_extends``). Pure: text in, values out. The grammar is checked without
backtracking (plain string splits and bounded, unambiguous patterns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from bot.rfc.config.kinds import STR_TAG, describe
from bot.rfc.config.problems import ConfigProblem, source_of

EXTENDS_KEY = "_extends"
OWNERS_KEY = "_extends_owners"
DIRECTIVES = (EXTENDS_KEY, OWNERS_KEY)
MAX_VALUE_LENGTH = 400
MAX_OWNERS = 50

# GitHub's login rule: 1-39 letters, digits and single hyphens, no hyphen at either end.
_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_REPO = re.compile(r"[A-Za-z0-9._-]{1,100}")
_SEGMENT = re.compile(r"[A-Za-z0-9._-]{1,100}")
_FORMS = "write .github, REPO, OWNER/REPO or OWNER/REPO:PATH.yml"


@dataclass(frozen=True, slots=True)
class ExtendsSpec:
    """An ``_extends`` value as written: the parts left out are filled in by ``resolve``."""

    owner: str | None
    repo: str
    path: str | None

    def resolve(self, home_owner: str, home_path: str) -> ExtendsTarget:
        return ExtendsTarget(self.owner or home_owner, self.repo, self.path or home_path)

    def __str__(self) -> str:
        owner = f"{self.owner}/" if self.owner else ""
        path = f":{self.path}" if self.path else ""
        return f"{owner}{self.repo}{path}"


@dataclass(frozen=True, slots=True)
class ExtendsTarget:
    """One file on the default branch of one repository: ``owner/repo:path``."""

    owner: str
    repo: str
    path: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"

    @property
    def identity(self) -> tuple[str, str, str]:
        """Owner and repository names are case-insensitive on GitHub; paths are not."""
        return (self.owner.lower(), self.repo.lower(), self.path)

    def __str__(self) -> str:
        return f"{self.owner}/{self.repo}:{self.path}"


def parse_extends(value: str) -> ExtendsSpec | str:
    """The spec, or why the value is not one (a sentence saying how to write it)."""
    text = value.strip()
    if not text or len(text) > MAX_VALUE_LENGTH:
        return f"{_shown(text)} is not a repository: {_FORMS}"
    repository, colon, path = text.partition(":")
    owner, slash, repo = repository.rpartition("/")
    if slash and not is_owner(owner):
        return f"{owner!r} is not a GitHub account name ({_FORMS})"
    if not _REPO.fullmatch(repo) or repo in (".", ".."):
        return f"{_shown(repository)} is not a repository: {_FORMS}"
    if colon and not _is_config_path(path):
        return (
            f"{_shown(path)} is not a file path ending in .yml or .yaml "
            "(relative to the repository root, no '..')"
        )
    return ExtendsSpec(owner if slash else None, repo, path if colon else None)


def is_owner(text: str) -> bool:
    return bool(_OWNER.fullmatch(text))


def _is_config_path(path: str) -> bool:
    segments = path.split("/")
    return (
        path.endswith((".yml", ".yaml"))
        and len(segments) <= 20
        and all(_SEGMENT.fullmatch(part) and part not in (".", "..") for part in segments)
    )


def _shown(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


@dataclass(frozen=True, slots=True)
class Directives:
    """What a file's directives say: what it extends, and the owners it allows."""

    extends: ExtendsSpec | None = None
    extends_line: int | None = None
    owners: tuple[str, ...] = ()
    problems: tuple[ConfigProblem, ...] = ()


def split_directives(root: yaml.Node | None, source: str) -> tuple[yaml.Node | None, Directives]:
    """The document without its directive entries, and what those entries say."""
    if not isinstance(root, yaml.MappingNode):
        return root, Directives()
    kept, found = [], {}
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value in DIRECTIVES and key.value not in found:
            found[key.value] = (key, value)
        else:
            kept.append((key, value))
    if not found:
        return root, Directives()
    cleaned = yaml.MappingNode(root.tag, kept, root.start_mark, root.end_mark, root.flow_style)
    problems: list[ConfigProblem] = []
    extends, line = _read_extends(found.get(EXTENDS_KEY), source, problems)
    owners = _read_owners(found.get(OWNERS_KEY), source, problems)
    return cleaned, Directives(extends, line, owners, tuple(problems))


Entry = tuple[yaml.Node, yaml.Node]


def _read_extends(
    entry: Entry | None, source: str, problems: list[ConfigProblem]
) -> tuple[ExtendsSpec | None, int | None]:
    if entry is None:
        return None, None
    key, value = entry
    line = key.start_mark.line + 1
    if not (isinstance(value, yaml.ScalarNode) and value.tag == STR_TAG):
        message = f"expected a repository as a string ({_FORMS}), got {describe(value)}"
        problems.append(ConfigProblem(source_of(key, source), line, EXTENDS_KEY, message))
        return None, line
    spec = parse_extends(value.value)
    if isinstance(spec, str):
        problems.append(ConfigProblem(source_of(key, source), line, EXTENDS_KEY, spec))
        return None, line
    return spec, line


def _read_owners(
    entry: Entry | None, source: str, problems: list[ConfigProblem]
) -> tuple[str, ...]:
    if entry is None:
        return ()
    key, value = entry

    def fail(node: yaml.Node, message: str) -> None:
        line = node.start_mark.line + 1
        problems.append(ConfigProblem(source_of(node, source), line, OWNERS_KEY, message))

    if not isinstance(value, yaml.SequenceNode) or len(value.value) > MAX_OWNERS:
        fail(key, f"expected a list of at most {MAX_OWNERS} GitHub account names")
        return ()
    owners: list[str] = []
    for item in value.value:
        if isinstance(item, yaml.ScalarNode) and item.tag == STR_TAG and is_owner(item.value):
            owners.append(item.value)
        else:
            fail(item, f"{describe(item)} is not a GitHub account name")
    return tuple(owners)
