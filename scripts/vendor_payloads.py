"""Write the simulator's vendored webhook payloads from GitHub's real examples.

Usage: python scripts/vendor_payloads.py path/to/api.github.com/index.json

The input is ``api.github.com/index.json`` from the npm package
``@octokit/webhooks-examples`` (``npm pack @octokit/webhooks-examples``). One example is
kept per (event, action) the App handles, as ``sandbox/payloads/<event>.<action>.json``;
the simulator's ``event_*`` builders deep-copy them and overwrite the fields that must
match its state.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "sandbox" / "payloads"

Example = dict[str, Any]


def _any(_: Example) -> bool:
    return True


def _on_pull_request(example: Example) -> bool:
    return "pull_request" in example.get("issue", {}) and "installation" in example


def _in_org(example: Example) -> bool:
    return "organization" in example


def _installed_in_org(example: Example) -> bool:
    return "organization" in example and "installation" in example


# The examples package has no merged "closed" example; the simulator's builders set
# ``merged`` and friends from its state anyway.
# It has no pull_request "edited" nor pull_request_review "edited" example: those are
# derived from "opened" / "submitted" by setting the action and GitHub's documented
# ``changes`` object.
DERIVED: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("pull_request", "edited"): ("opened", {"changes": {"body": {"from": ""}}}),
    ("pull_request_review", "edited"): ("submitted", {"changes": {"body": {"from": ""}}}),
}

# (event, action or None, output stem, which example to prefer).
WANTED: tuple[tuple[str, str | None, str, Callable[[Example], bool]], ...] = (
    ("ping", None, "ping", _any),
    ("pull_request", "opened", "pull_request.opened", _in_org),
    ("pull_request", "synchronize", "pull_request.synchronize", _any),
    ("pull_request", "reopened", "pull_request.reopened", _any),
    ("pull_request", "edited", "pull_request.edited", _any),
    ("pull_request", "closed", "pull_request.closed", _in_org),
    ("pull_request", "ready_for_review", "pull_request.ready_for_review", _any),
    ("issue_comment", "created", "issue_comment.created", _on_pull_request),
    ("issue_comment", "edited", "issue_comment.edited", _any),
    ("pull_request_review", "submitted", "pull_request_review.submitted", _installed_in_org),
    ("pull_request_review", "edited", "pull_request_review.edited", _installed_in_org),
    ("pull_request_review", "dismissed", "pull_request_review.dismissed", _installed_in_org),
    ("check_run", "rerequested", "check_run.rerequested", _any),
    ("check_suite", "rerequested", "check_suite.rerequested", _any),
    ("installation", "created", "installation.created", _any),
    ("installation_repositories", "added", "installation_repositories.added", _any),
)


def pick(
    events: list[dict[str, Any]], name: str, action: str | None, prefer: Callable[[Example], bool]
) -> Example:
    """The first example of ``name``/``action`` that ``prefer`` accepts, else the first one."""
    examples = [
        example
        for event in events
        if event["name"] == name
        for example in event["examples"]
        if action is None or example.get("action") == action
    ]
    if not examples and action is not None and (name, action) in DERIVED:
        source_action, extra = DERIVED[(name, action)]
        base = pick(events, name, source_action, prefer)
        return {**base, "action": action, **extra}
    if not examples:
        raise SystemExit(f"no example for {name} {action or ''} in the input")
    return next((example for example in examples if prefer(example)), examples[0])


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    events = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    package = Path(argv[1]).resolve().parent.parent / "package.json"
    version = json.loads(package.read_text())["version"] if package.exists() else "unknown"
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, action, stem, prefer in WANTED:
        example = pick(events, name, action, prefer)
        target = OUTPUT_DIR / f"{stem}.json"
        target.write_text(json.dumps(example, indent=2) + "\n", encoding="utf-8")
    (OUTPUT_DIR / "SOURCE.json").write_text(
        json.dumps(
            {
                "package": "@octokit/webhooks-examples",
                "version": version,
                "file": "api.github.com/index.json",
                "derived": [f"{name}.{action}" for name, action in DERIVED],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {len(WANTED)} payloads to {OUTPUT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
