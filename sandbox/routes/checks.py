"""REST routes of check runs: create and update with GitHub's limits, read one, its
annotations, and the runs for a ref."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox import sim_render as render
from sandbox.github import GitHub
from sandbox.routes.call import Call, Reply, body_of, paginate, repo_of
from sandbox.sim_state import ApiError, CheckRun, not_found

MAX_OUTPUT_TEXT = 65535  # documented: characters; GitHub also refuses over 65535 UTF-8 bytes
MAX_OUTPUT_TITLE = 255  # undocumented: our choice, see docs/simulator.md
MAX_ANNOTATIONS_PER_REQUEST = 50


def create_check_run(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    body = body_of(call)
    head_sha = body.get("head_sha", "")
    if head_sha not in repo.objects.commits:
        raise ApiError(422, "No commit found for SHA: " + head_sha)
    suite = repo.check_suites.setdefault(head_sha, sim.next_id())
    run = CheckRun(
        sim.next_id(),
        body["name"],
        head_sha,
        "queued",
        None,
        None,
        None,
        {},
        body.get("external_id"),
        body.get("details_url"),
        suite,
        int(sim.app_id),
    )
    apply_check_update(run, body, sim.clock.now())
    repo.check_runs[run.id] = run
    return Reply(201, render.check_run_json(repo, run, call.base, sim.app_json(run.app_id)))


def update_check_run(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call, write=True)
    run = repo.check_runs.get(int(call.params["check_run_id"]))
    if run is None:
        raise not_found()
    if run.app_id != int(sim.app_id):
        # GitHub: only the App that created a check run may change it.
        raise ApiError(
            403, f"Invalid app_id `{sim.app_id}` - check run can only be modified by its creator"
        )
    apply_check_update(run, body_of(call), sim.clock.now())
    return Reply(200, render.check_run_json(repo, run, call.base, sim.app_json(run.app_id)))


def check_run_invalid(field_name: str, message: str) -> ApiError:
    return ApiError(
        422,
        "Validation Failed",
        [{"resource": "CheckRun", "code": "custom", "field": field_name, "message": message}],
    )


def apply_check_update(run: CheckRun, body: dict[str, Any], moment: datetime) -> None:
    """GitHub's create/update semantics; annotations accumulate across requests."""
    output = body.get("output") or {}
    annotations = output.get("annotations") or []
    if len(annotations) > MAX_ANNOTATIONS_PER_REQUEST:
        raise ApiError(422, "Invalid request.\n\nOnly 50 annotations are allowed per request.")
    for key in ("summary", "text"):
        if len(output.get(key) or "") > MAX_OUTPUT_TEXT:
            raise ApiError(
                422,
                f"Invalid request.\n\nOutput {key} exceeds the maximum size "
                f"of {MAX_OUTPUT_TEXT} characters.",
            )
        if len(str(output.get(key) or "").encode()) > MAX_OUTPUT_TEXT:
            # Within the documented characters but not in bytes (github/docs#35252).
            raise check_run_invalid(key, f"{key} exceeds a maximum bytesize of {MAX_OUTPUT_TEXT}")
    if len(str(output.get("title") or "")) > MAX_OUTPUT_TITLE:
        raise check_run_invalid(
            "title", f"title is too long (maximum is {MAX_OUTPUT_TITLE} characters)"
        )
    status = body.get("status")
    conclusion = body.get("conclusion")
    if status == "completed" and not conclusion and run.conclusion is None:
        raise ApiError(
            422, 'Invalid request.\n\n"conclusion" is required when "status" is "completed".'
        )
    for key in ("name", "external_id", "details_url"):
        if key in body:
            setattr(run, key, body[key])
    if status:
        run.status = status
    if status == "in_progress" or body.get("started_at"):
        run.started_at = run.started_at or moment
    if conclusion:
        run.conclusion = conclusion
        run.status = "completed"  # giving a conclusion completes the run
    if run.status == "completed":
        run.completed_at = run.completed_at or moment
        run.started_at = run.started_at or run.completed_at
    run.output.update({k: output[k] for k in ("title", "summary", "text") if k in output})
    run.annotations.extend(dict(a) for a in annotations)


def get_check_run(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    run = repo.check_runs.get(int(call.params["check_run_id"]))
    if run is None:
        raise not_found()
    return Reply(200, render.check_run_json(repo, run, call.base, sim.app_json(run.app_id)))


def list_annotations(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    run = repo.check_runs.get(int(call.params["check_run_id"]))
    if run is None:
        raise not_found()
    rendered = [
        {
            **a,
            "blob_href": f"{repo.web_url}/{repo.full_name}/blob/{run.head_sha}/{a.get('path')}",
            "start_column": a.get("start_column"),
            "end_column": a.get("end_column"),
            "title": a.get("title"),
            "raw_details": a.get("raw_details"),
        }
        for a in run.annotations
    ]
    return paginate(call, rendered)


def list_check_runs_for_ref(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    sha = repo.resolve(call.params["ref"])
    runs = sorted((r for r in repo.check_runs.values() if r.head_sha == sha), key=lambda r: r.id)
    if "check_name" in call.query:
        runs = [r for r in runs if r.name == call.query["check_name"]]
    if "app_id" in call.query:
        runs = [r for r in runs if r.app_id == int(call.query["app_id"])]
    if call.query.get("filter", "latest") == "latest":
        latest: dict[tuple[int, str], CheckRun] = {}
        for run in runs:
            latest[(run.app_id, run.name)] = run  # later ids win: each App's latest per name
        runs = list(latest.values())
    if "status" in call.query:
        runs = [r for r in runs if r.status == call.query["status"]]
    runs.sort(key=lambda r: r.id, reverse=True)
    rendered = [render.check_run_json(repo, r, call.base, sim.app_json(r.app_id)) for r in runs]
    page = paginate(call, rendered)
    page.body = {"total_count": len(runs), "check_runs": page.body}
    return page
