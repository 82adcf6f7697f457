"""Write the simulator's vendored subset of GitHub's official REST description.

Usage: python scripts/vendor_openapi.py path/to/api.github.com.json

The input is ``generated/api.github.com.json`` from the npm package ``@octokit/openapi``
(``npm pack @octokit/openapi``). Only the operations the App uses are kept, with their
parameters and request bodies; response schemas and examples are dropped (the contract
checker validates requests, not responses). Every ``$ref`` those keep is carried along in
``components`` so the subset is self-contained.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "sandbox" / "openapi" / "github-subset.json"

# (method, path template): every REST operation the App (and the simulator) knows.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("post", "/app/installations/{installation_id}/access_tokens"),
    ("get", "/app"),
    ("get", "/repos/{owner}/{repo}"),
    ("get", "/repos/{owner}/{repo}/branches/{branch}"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/files"),
    ("get", "/repos/{owner}/{repo}/pulls"),
    ("get", "/repos/{owner}/{repo}/contents/{path}"),
    ("put", "/repos/{owner}/{repo}/contents/{path}"),
    ("post", "/repos/{owner}/{repo}/check-runs"),
    ("patch", "/repos/{owner}/{repo}/check-runs/{check_run_id}"),
    ("get", "/repos/{owner}/{repo}/check-runs/{check_run_id}"),
    ("get", "/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations"),
    ("get", "/repos/{owner}/{repo}/commits/{ref}/check-runs"),
    ("get", "/repos/{owner}/{repo}/labels/{name}"),
    ("post", "/repos/{owner}/{repo}/labels"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("delete", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("post", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions"),
    ("get", "/repos/{owner}/{repo}/collaborators/{username}/permission"),
    ("get", "/orgs/{org}/teams/{team_slug}/memberships/{username}"),
    ("get", "/repos/{owner}/{repo}/collaborators"),
    ("get", "/orgs/{org}/teams/{team_slug}/members"),
    ("get", "/repos/{owner}/{repo}/git/ref/{ref}"),
    ("patch", "/repos/{owner}/{repo}/git/refs/{ref}"),
    ("get", "/repos/{owner}/{repo}/git/commits/{commit_sha}"),
    ("post", "/repos/{owner}/{repo}/git/commits"),
    ("post", "/repos/{owner}/{repo}/git/blobs"),
    ("get", "/repos/{owner}/{repo}/git/trees/{tree_sha}"),
    ("post", "/repos/{owner}/{repo}/git/trees"),
    ("get", "/repos/{owner}/{repo}/commits"),
    ("get", "/repos/{owner}/{repo}/commits/{ref}"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/commits"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"),
    ("get", "/repos/{owner}/{repo}/issues/comments"),
    ("get", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions"),
    ("get", "/app/installations"),
    ("get", "/installation/repositories"),
    ("post", "/app-manifests/{code}/conversions"),  # `rfc-bot register` (no auth)
    ("get", "/user"),  # the dashboard's sign-in: who holds this user access token
    # Tracking issues on acceptance, and the Rendered link of a numbered pull request
    ("post", "/repos/{owner}/{repo}/issues"),
    ("get", "/repos/{owner}/{repo}/issues"),
    ("patch", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("get", "/repos/{owner}/{repo}/assignees/{assignee}"),
    ("patch", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    # The stale reminder's claim is the App's reaction to the pull request, given back when
    # activity resumes
    ("delete", "/repos/{owner}/{repo}/issues/{issue_number}/reactions/{reaction_id}"),
    ("post", "/repos/{owner}/{repo}/git/refs"),  # the claim on a merge's tracking issues
    ("get", "/apps/{app_slug}"),  # which App a bot user (``<slug>[bot]``) is
)

# Operation keys worth keeping; descriptions and responses are dropped to keep the file small.
KEPT_OPERATION_KEYS = ("operationId", "summary", "parameters", "requestBody")
DROPPED_SCHEMA_KEYS = ("description", "example", "examples", "externalDocs")


def resolve_ref(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def strip_docs(node: Any) -> Any:
    """The node without prose and examples (which the validator never reads)."""
    if isinstance(node, dict):
        return {
            key: strip_properties(value) if key == "properties" else strip_docs(value)
            for key, value in node.items()
            if key not in DROPPED_SCHEMA_KEYS
        }
    if isinstance(node, list):
        return [strip_docs(item) for item in node]
    return node


def strip_properties(properties: Any) -> Any:
    # Property names are data, not keywords: a property called "description" stays.
    if not isinstance(properties, dict):
        return strip_docs(properties)
    return {name: strip_docs(schema) for name, schema in properties.items()}


def collect_refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref)
        for value in node.values():
            collect_refs(value, found)
    elif isinstance(node, list):
        for item in node:
            collect_refs(item, found)


def carry_components(spec: dict[str, Any], roots: Any) -> dict[str, dict[str, Any]]:
    """Every component reachable from ``roots``, transitively, with docs stripped."""
    components: dict[str, dict[str, Any]] = {}
    pending: set[str] = set()
    collect_refs(roots, pending)
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, _, kind, name = ref.split("/", 3)
        node = strip_docs(resolve_ref(spec, ref))
        components.setdefault(kind, {})[name] = node
        collect_refs(node, pending)
    return {kind: dict(sorted(items.items())) for kind, items in sorted(components.items())}


def subset(spec: dict[str, Any]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for method, template in OPERATIONS:
        operation = spec["paths"][template][method]
        kept = {key: operation[key] for key in KEPT_OPERATION_KEYS if key in operation}
        paths.setdefault(template, {})[method] = strip_docs(kept)
    version = spec.get("info", {}).get("version", "unknown")
    return {
        "openapi": spec["openapi"],
        "info": {
            "title": "GitHub REST API subset used by rfc-bot's simulator",
            "version": version,
            "x-source": f"npm @octokit/openapi {version}, generated/api.github.com.json",
        },
        "paths": paths,
        "components": carry_components(spec, paths),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    OUTPUT.write_text(json.dumps(subset(spec), indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
