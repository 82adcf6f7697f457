"""The labels a check run implies, recorded in its external_id: one digest per set of labels,
read back only from a run that carries one, compared with the labels the check decides."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.check_labels import implied_digest, labelled_run_id, labels_digest, owned_now
from bot.rfc.config.public import Config

LABEL_NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=50)


def test_one_digest_per_set_of_labels_whatever_the_order_or_case() -> None:
    assert labels_digest(["rfc", "app: api"]) == labels_digest(["APP: api", "rfc", "rfc"])
    assert labels_digest(["rfc"]) != labels_digest(["rfc", "rfc: draft"])
    assert labels_digest([]) != labels_digest(["rfc"])
    assert len(labels_digest(["rfc"])) == 16


@given(st.text(max_size=40), st.sets(LABEL_NAMES, max_size=12))
@example(" labels:0123456789abcdef", {"rfc"})  # a nonce that looks like a record
def test_a_run_id_carries_the_digest_of_its_labels(nonce: str, labels: set[str]) -> None:
    assert implied_digest(labelled_run_id(nonce, labels)) == labels_digest(labels)


def test_a_run_without_a_record_says_nothing() -> None:
    assert implied_digest("3f2a9c0d4b5e6f708192a3b4c5d6e7f8") is None  # an older release's
    assert implied_digest(None) is None and implied_digest(12) is None
    assert implied_digest("x labels:") is None
    assert implied_digest("x labels:0123456789ABCDEF") is None  # not as the App writes it
    assert implied_digest("x labels:0123456789abcdeg") is None
    assert implied_digest("x labels:0123456789abcdef0") is None


def test_the_check_decides_its_own_labels_only() -> None:
    config = Config()
    labels = [
        "rfc",
        "rfc: draft",
        "app: api",
        "rfc: decision",  # the decisions feature's
        "rfc: final-comment-period",  # the decisions feature's
        "rfc: numbered",  # only ever added, by numbering
        "app: nowhere",  # not a configured application: a person's label
        "good first issue",
    ]
    assert owned_now(config, labels) == {"rfc", "rfc: draft", "app: api"}
