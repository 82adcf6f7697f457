"""Every route the simulator serves, in one table, and the aiohttp application built from it.

Two kinds of route:

- :data:`PAGES`: github.com's web pages and forms (the App-manifest form, the OAuth sign-in,
  a pull request's and a check run's pages), each an aiohttp route of its own;
- :data:`API_ROUTES`: the REST operations, by method, path template and GitHub's
  ``operationId``. They share one entry point, :data:`REST_ENTRY`, because every API request,
  documented or not, goes through the server's pipeline (sandbox/server/pipeline.py): it is
  recorded and checked against GitHub's REST description, whose match names the operation
  and so the handler in :data:`HANDLERS`. An undocumented request answers 404 there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from aiohttp import web

from sandbox.github import GitHub
from sandbox.routes import (
    apps,
    checks,
    git,
    issues,
    manifests,
    oauth,
    plain_issues,
    pulls,
    repos,
    teams,
    web_pages,
)
from sandbox.routes.call import Handler

PageHandler = Callable[[GitHub, web.Request], Awaitable[web.StreamResponse]]
RestEntry = Callable[[web.Request], Awaitable[web.StreamResponse]]
REST_ENTRY = "/{tail:.*}"  # matched last: whatever no page took
MAX_REQUEST_BODY = 16 * 1024 * 1024


@dataclass(frozen=True)
class Page:
    method: str
    path: str
    handler: PageHandler


@dataclass(frozen=True)
class ApiRoute:
    method: str
    template: str  # as in GitHub's REST description
    operation_id: str
    handler: Handler


PAGES: tuple[Page, ...] = (
    Page("POST", "/settings/apps/new", manifests.new_app_form),
    Page("POST", "/organizations/{org}/settings/apps/new", manifests.new_app_form),
    Page("GET", "/login/oauth/authorize", oauth.authorize_get),
    Page("POST", "/login/oauth/authorize", oauth.authorize_post),
    Page("POST", "/login/oauth/access_token", oauth.access_token),
    Page("GET", web_pages.PULL_PAGE, web_pages.pull_page),
    Page("GET", web_pages.RUN_PAGE, web_pages.run_page),
)

REPO = "/repos/{owner}/{repo}"  # the prefix of most templates
API_ROUTES: tuple[ApiRoute, ...] = (
    # Apps and installations
    ApiRoute("GET", "/app", "apps/get-authenticated", apps.get_app),
    ApiRoute("GET", "/apps/{app_slug}", "apps/get-by-slug", apps.get_app_by_slug),
    ApiRoute("GET", "/app/installations", "apps/list-installations", apps.list_installations),
    ApiRoute(
        "POST",
        "/app/installations/{installation_id}/access_tokens",
        "apps/create-installation-access-token",
        apps.create_token,
    ),
    ApiRoute(
        "GET",
        "/installation/repositories",
        "apps/list-repos-accessible-to-installation",
        apps.list_installation_repos,
    ),
    ApiRoute(
        "POST",
        "/app-manifests/{code}/conversions",
        "apps/create-from-manifest",
        manifests.create_from_manifest,
    ),
    ApiRoute("GET", "/user", "users/get-authenticated", oauth.get_authenticated_user),
    # Repositories: the repository, branches, contents, commits
    ApiRoute("GET", REPO, "repos/get", repos.get_repo),
    ApiRoute("GET", REPO + "/branches/{branch}", "repos/get-branch", repos.get_branch),
    ApiRoute("GET", REPO + "/contents/{path}", "repos/get-content", repos.get_content),
    ApiRoute(
        "PUT",
        REPO + "/contents/{path}",
        "repos/create-or-update-file-contents",
        repos.put_content,
    ),
    ApiRoute("GET", REPO + "/commits", "repos/list-commits", repos.list_commits),
    ApiRoute("GET", REPO + "/commits/{ref}", "repos/get-commit", repos.get_commit),
    # Git data
    ApiRoute("GET", REPO + "/git/ref/{ref}", "git/get-ref", git.get_ref),
    ApiRoute("PATCH", REPO + "/git/refs/{ref}", "git/update-ref", git.update_ref),
    ApiRoute("POST", REPO + "/git/refs", "git/create-ref", git.create_ref),
    ApiRoute("GET", REPO + "/git/commits/{commit_sha}", "git/get-commit", git.get_git_commit),
    ApiRoute("POST", REPO + "/git/commits", "git/create-commit", git.create_git_commit),
    ApiRoute("POST", REPO + "/git/blobs", "git/create-blob", git.create_blob),
    ApiRoute("GET", REPO + "/git/trees/{tree_sha}", "git/get-tree", git.get_tree),
    ApiRoute("POST", REPO + "/git/trees", "git/create-tree", git.create_tree),
    # Pull requests
    ApiRoute("GET", REPO + "/pulls", "pulls/list", pulls.list_pulls),
    ApiRoute("GET", REPO + "/pulls/{pull_number}", "pulls/get", pulls.get_pull),
    ApiRoute("PATCH", REPO + "/pulls/{pull_number}", "pulls/update", pulls.update_pull),
    ApiRoute("GET", REPO + "/pulls/{pull_number}/files", "pulls/list-files", pulls.list_pull_files),
    ApiRoute(
        "GET",
        REPO + "/pulls/{pull_number}/commits",
        "pulls/list-commits",
        pulls.list_pull_commits,
    ),
    ApiRoute(
        "GET", REPO + "/pulls/{pull_number}/reviews", "pulls/list-reviews", pulls.list_reviews
    ),
    # Issues: comments, reactions, labels
    ApiRoute(
        "GET",
        REPO + "/issues/{issue_number}/comments",
        "issues/list-comments",
        issues.list_comments,
    ),
    ApiRoute(
        "POST",
        REPO + "/issues/{issue_number}/comments",
        "issues/create-comment",
        issues.create_comment,
    ),
    ApiRoute(
        "GET",
        REPO + "/issues/comments",
        "issues/list-comments-for-repo",
        issues.list_repo_comments,
    ),
    ApiRoute(
        "PATCH",
        REPO + "/issues/comments/{comment_id}",
        "issues/update-comment",
        issues.update_comment,
    ),
    ApiRoute(
        "GET",
        REPO + "/issues/comments/{comment_id}/reactions",
        "reactions/list-for-issue-comment",
        issues.list_comment_reactions,
    ),
    ApiRoute(
        "POST",
        REPO + "/issues/comments/{comment_id}/reactions",
        "reactions/create-for-issue-comment",
        issues.create_reaction,
    ),
    ApiRoute("GET", REPO + "/labels/{name}", "issues/get-label", issues.get_label),
    ApiRoute("POST", REPO + "/labels", "issues/create-label", issues.create_label),
    ApiRoute(
        "GET",
        REPO + "/issues/{issue_number}/labels",
        "issues/list-labels-on-issue",
        issues.list_issue_labels,
    ),
    ApiRoute(
        "POST",
        REPO + "/issues/{issue_number}/labels",
        "issues/add-labels",
        issues.add_issue_labels,
    ),
    ApiRoute(
        "DELETE",
        REPO + "/issues/{issue_number}/labels/{name}",
        "issues/remove-label",
        issues.remove_issue_label,
    ),
    # Issues that are not pull requests (tracking issues), and reactions to an issue itself
    ApiRoute("POST", REPO + "/issues", "issues/create", plain_issues.create_issue),
    ApiRoute("GET", REPO + "/issues", "issues/list-for-repo", plain_issues.list_issues),
    ApiRoute("PATCH", REPO + "/issues/{issue_number}", "issues/update", plain_issues.update_issue),
    ApiRoute(
        "GET",
        REPO + "/assignees/{assignee}",
        "issues/check-user-can-be-assigned",
        plain_issues.check_assignee,
    ),
    ApiRoute(
        "POST",
        REPO + "/issues/{issue_number}/reactions",
        "reactions/create-for-issue",
        plain_issues.create_issue_reaction,
    ),
    ApiRoute(
        "DELETE",
        REPO + "/issues/{issue_number}/reactions/{reaction_id}",
        "reactions/delete-for-issue",
        plain_issues.delete_issue_reaction,
    ),
    # Check runs
    ApiRoute("POST", REPO + "/check-runs", "checks/create", checks.create_check_run),
    ApiRoute("GET", REPO + "/check-runs/{check_run_id}", "checks/get", checks.get_check_run),
    ApiRoute(
        "PATCH", REPO + "/check-runs/{check_run_id}", "checks/update", checks.update_check_run
    ),
    ApiRoute(
        "GET",
        REPO + "/check-runs/{check_run_id}/annotations",
        "checks/list-annotations",
        checks.list_annotations,
    ),
    ApiRoute(
        "GET",
        REPO + "/commits/{ref}/check-runs",
        "checks/list-for-ref",
        checks.list_check_runs_for_ref,
    ),
    # Permissions and teams
    ApiRoute(
        "GET",
        REPO + "/collaborators/{username}/permission",
        "repos/get-collaborator-permission-level",
        teams.get_permission,
    ),
    ApiRoute("GET", REPO + "/collaborators", "repos/list-collaborators", teams.list_collaborators),
    ApiRoute(
        "GET",
        "/orgs/{org}/teams/{team_slug}/memberships/{username}",
        "teams/get-membership-for-user-in-org",
        teams.get_team_membership,
    ),
    ApiRoute(
        "GET",
        "/orgs/{org}/teams/{team_slug}/members",
        "teams/list-members-in-org",
        teams.list_team_members,
    ),
)

HANDLERS: dict[str, Handler] = {route.operation_id: route.handler for route in API_ROUTES}


def application(sim: GitHub, answer_rest: RestEntry) -> web.Application:
    """The pages bound to ``sim``, then the REST entry point for every other request."""
    app = web.Application(client_max_size=MAX_REQUEST_BODY)
    for page in PAGES:
        handler = partial(page.handler, sim)
        if page.method == "GET":
            app.router.add_get(page.path, handler)  # aiohttp's GET answers HEAD too
        else:
            app.router.add_route(page.method, page.path, handler)
    app.router.add_route("*", REST_ENTRY, answer_rest)
    return app
