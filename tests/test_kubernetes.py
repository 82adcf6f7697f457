"""deploy/kubernetes/: every manifest valid against the Kubernetes JSON schemas (bundled by
kubernetes-validate: offline, strict, so an unknown or misplaced field fails), and what the
schemas cannot know checked against the App itself: the probes' paths are its routes, the
environment is what it reads, the Secret holds the keys the pods take from it, the grace
period covers the drain, the replica count is said once."""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from bot import __version__
from bot.serve.app import DRAIN_SECONDS, create_app
from bot.serve.settings import Settings
from bot.serve.supervisor import STOP_GRACE_SECONDS
from bot.serve.worker import WorkerRole, is_reconcile_leader
from tests.keys import private_key_pem, rsa_key

__all__ = ["private_key_pem", "rsa_key"]

ROOT = Path(__file__).resolve().parents[1]
MANIFESTS = ROOT / "deploy" / "kubernetes"
# The oldest Kubernetes we promise (policy/v1 PodDisruptionBudget: 1.21), and the newest the
# validator bundles.
VERSIONS = ("1.27", kubernetes_validate.latest_version())
# Read by the replica settings another branch is adding (docs/operations.md); once they are
# read by Settings.from_env, this set can be emptied.
SECRET_SETTINGS = ("GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET")
MEASURED_CPU = 1.1  # cores, the whole process tree at 100 deliveries/s (bench/bench_load.py)
MEASURED_BYTES = 234 * 10**6
IMAGE_USER = 10001  # the Dockerfile's USER


def documents() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(MANIFESTS.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document is not None:
                yield path.name, document


def manifests() -> list[tuple[str, dict[str, Any]]]:
    return [(name, d) for name, d in documents() if d["kind"] != "Kustomization"]


def one(kind: str) -> dict[str, Any]:
    (found,) = [d for _, d in manifests() if d["kind"] == kind]
    return found


def container() -> dict[str, Any]:
    (only,) = one("StatefulSet")["spec"]["template"]["spec"]["containers"]
    return dict(only)


def env() -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container()["env"]}


def service(headless: bool) -> dict[str, Any]:
    (found,) = [
        d
        for _, d in manifests()
        if d["kind"] == "Service" and (d["spec"].get("clusterIP") == "None") == headless
    ]
    return found


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("name", "document"), manifests(), ids=[f"{n}:{d['kind']}" for n, d in manifests()]
)
def test_each_manifest_is_valid_for_kubernetes(
    name: str, document: dict[str, Any], version: str
) -> None:
    kubernetes_validate.validate(document, version, strict=True)


def test_the_validator_refuses_a_misplaced_field() -> None:
    broken = copy.deepcopy(one("StatefulSet"))
    broken["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["path"] = "/healthz"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, VERSIONS[-1], strict=True)


def test_kustomization_applies_everything_but_the_example_secret() -> None:
    (kustomization,) = [d for _, d in documents() if d["kind"] == "Kustomization"]
    files = {p.name for p in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files - {"secret.example.yaml"}


def routes(settings: Settings) -> set[str]:
    app = create_app(settings)
    return {
        route.resource.canonical
        for route in app.router.routes()
        if route.method == "GET" and route.resource is not None
    }


def test_the_probes_ask_the_apps_own_routes_on_its_port(private_key_pem: str) -> None:
    settings = Settings(app_id="1", private_key=private_key_pem, webhook_secret="x" * 16)
    served = routes(settings)
    spec = container()
    probes = {kind: spec[kind]["httpGet"] for kind in ("startupProbe", "livenessProbe")}
    probes["readinessProbe"] = spec["readinessProbe"]["httpGet"]
    assert {kind: probe["path"] for kind, probe in probes.items()} == {
        "startupProbe": "/healthz",
        "livenessProbe": "/healthz",
        "readinessProbe": "/readyz",
    }
    assert {probe["path"] for probe in probes.values()} <= served
    (port,) = spec["ports"]
    assert {probe["port"] for probe in probes.values()} == {port["name"]}
    assert str(port["containerPort"]) == env()["PORT"]["value"]
    # /readyz answers within 2 s (bot.serve.readiness): the probe waits longer than that.
    assert spec["readinessProbe"]["timeoutSeconds"] > 2


class Reading(dict[str, str]):
    """An environment that notes every name read from it."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


def names_the_app_reads(private_key_pem: str) -> set[str]:
    environ = Reading(
        {
            "GITHUB_APP_ID": "1",
            "GITHUB_PRIVATE_KEY": private_key_pem,
            "GITHUB_WEBHOOK_SECRET": "x" * 16,
        }
    )
    Settings.from_env(environ)
    WorkerRole.from_env(environ)
    is_reconcile_leader(environ)
    return environ.read


def test_every_variable_is_one_the_app_reads(private_key_pem: str) -> None:
    read = names_the_app_reads(private_key_pem)
    assert "GITHUB_PRIVATE_KEY" in read and "WEB_CONCURRENCY" in read  # the reading works
    unknown = set(env()) - read
    assert not unknown, f"the App reads no such variable: {sorted(unknown)}"


def test_the_credentials_come_from_the_secret_and_it_holds_them() -> None:
    secret = one("Secret")
    for name in SECRET_SETTINGS:
        reference = env()[name]["valueFrom"]["secretKeyRef"]
        assert reference["name"] == secret["metadata"]["name"]
        assert reference["key"] in secret["stringData"]
    assert all("value" not in env()[name] for name in SECRET_SETTINGS)


def test_the_replica_count_is_said_once_and_peers_are_found_by_ordinal() -> None:
    statefulset = one("StatefulSet")
    variables = env()
    assert statefulset["spec"]["replicas"] == int(variables["REPLICAS"]["value"]) == 3
    assert "REPLICA_INDEX" not in variables  # each pod's from its name's ordinal
    headless = service(headless=True)
    assert statefulset["spec"]["serviceName"] == headless["metadata"]["name"]
    assert headless["spec"]["publishNotReadyAddresses"] is True  # peers see unready replicas
    peer = variables["REPLICA_PEER_URL"]["value"]
    port = container()["ports"][0]["containerPort"]
    name, service_name = statefulset["metadata"]["name"], headless["metadata"]["name"]
    assert peer == f"http://{name}-{{index}}.{service_name}:{port}/healthz"
    assert statefulset["spec"]["podManagementPolicy"] == "Parallel"


def test_every_selector_picks_the_pods() -> None:
    labels = one("StatefulSet")["spec"]["template"]["metadata"]["labels"]
    selectors = [one("StatefulSet")["spec"]["selector"]["matchLabels"]]
    selectors += [service(h)["spec"]["selector"] for h in (True, False)]
    selectors.append(one("PodDisruptionBudget")["spec"]["selector"]["matchLabels"])
    assert all(selector.items() <= labels.items() for selector in selectors)
    for headless in (True, False):
        assert {p["targetPort"] for p in service(headless)["spec"]["ports"]} == {"http"}
    assert one("PodDisruptionBudget")["spec"]["maxUnavailable"] == 1


def test_the_grace_period_covers_the_drain() -> None:
    pod = one("StatefulSet")["spec"]["template"]["spec"]
    pre_stop = container()["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    waited = float(pre_stop[1])
    assert DRAIN_SECONDS < STOP_GRACE_SECONDS
    assert pod["terminationGracePeriodSeconds"] >= waited + STOP_GRACE_SECONDS


def quantity(text: str) -> float:
    """A Kubernetes quantity as a number (cores, or bytes)."""
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    found = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(text))
    assert found is not None, f"not a quantity: {text!r}"
    return float(found[1]) * units.get(found[2], 1)


def test_resources_fit_what_was_measured() -> None:
    resources = container()["resources"]
    requests, limits = resources["requests"], resources["limits"]
    assert quantity(requests["cpu"]) >= MEASURED_CPU
    assert quantity(requests["memory"]) >= MEASURED_BYTES
    assert quantity(limits["memory"]) >= 2 * quantity(requests["memory"])
    # A container sees the node's CPUs: the serving processes are set to fit the limit.
    assert int(env()["WEB_CONCURRENCY"]["value"]) <= math.ceil(quantity(limits["cpu"]))


def test_the_pods_run_as_the_images_user_without_privileges() -> None:
    pod = one("StatefulSet")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == IMAGE_USER
    assert f"USER {IMAGE_USER}:{IMAGE_USER}" in (ROOT / "Dockerfile").read_text(encoding="utf-8")
    context = container()["securityContext"]
    assert context["allowPrivilegeEscalation"] is False
    assert context["readOnlyRootFilesystem"] is True
    assert context["capabilities"]["drop"] == ["ALL"]
    # Read-only root: the workers' socket directory (tempfile) needs a writable /tmp.
    assert {m["mountPath"] for m in container()["volumeMounts"]} == {"/tmp"}
    assert pod["automountServiceAccountToken"] is False


def test_the_image_is_this_version() -> None:
    assert container()["image"].endswith(f"rfc-bot:{__version__}")
