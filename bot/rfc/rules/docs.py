"""docs/rules.md, generated from the registry: ``python3 -m bot.rfc.rules.docs > docs/rules.md``."""

from __future__ import annotations

from bot.rfc.rules.registry import RULES, Rule

_FAMILY_TITLES = {
    "file": "File",
    "structure": "Title and sections",
    "metadata": "Metadata block",
    "supersession": "Supersession",
    "prompts": "Template prompts",
    "tables": "Risks, metrics and changelog",
    "changes": "Change rules (old version vs new version)",
}

_INTRO = """\
# Lint rules

<!-- Generated from bot/rfc/rules by `python3 -m bot.rfc.rules.docs > docs/rules.md`;
     a test fails when this file is out of date. -->

Every rule has a stable id, a default severity and a fix. A repository changes severities or
turns rules off in `.github/rfc-bot.yml`:

```yaml
rules:
  metadata-order: off
  status-case: error
```

Diagnostics point at the line to change. Change rules only run when the linter is given the old
version of the file (the pull request's base), or is told the file is new.

| id | default | checks |
| --- | --- | --- |
"""


def _index_row(rule: Rule) -> str:
    return f"| [`{rule.id}`](#{rule.id}) | {rule.severity.value} | {rule.summary} |"


def _section(rule: Rule) -> str:
    return "\n".join(
        [
            f"### {rule.id}",
            "",
            f"**Default severity:** {rule.severity.value}",
            "",
            rule.doc,
            "",
            "Fails:",
            "",
            "```markdown",
            rule.bad,
            "```",
            "",
            "Passes:",
            "",
            "```markdown",
            rule.good,
            "```",
            "",
            f"**Fix:** {rule.fix}",
            "",
        ]
    )


def render() -> str:
    parts = [_INTRO + "\n".join(_index_row(rule) for rule in RULES) + "\n"]
    family = None
    for rule in RULES:
        if rule.family != family:
            family = rule.family
            parts.append(f"## {_FAMILY_TITLES.get(family, family)}\n")
        parts.append(_section(rule))
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
