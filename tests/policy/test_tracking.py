"""The tracking issue's text, decided without a server: when one is due, its title, labels,
assignees, checklist, links and marker; RFC text that cannot forge a marker or break a line."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.markers import carries, tracking
from bot.policy.tracking import MAX_ASSIGNEES, MAX_TITLE, tracking_issue, wants_tracking
from bot.rfc.config.public import Config, load_config
from bot.rfc.document import parse

ON = load_config("follow_up:\n  tracking_issue: {}\n")
OLD, NEW = "rfcs/0000-job-retries.md", "rfcs/0042-job-retries.md"


def rfc(status: str = "Final", authors: str = "@Alice, @bob", extra: str = "") -> str:
    return (
        "# Job Retries\n\n"
        f"**Status:** {status}  \n"
        f"**Author(s):** Alice (alice) {authors}  \n\n"
        "## Success Metrics\n\n- **Failures:** under 1%\n- [x] Dashboards\n  - nested item\n\n"
        "## Migration Strategy\n\n### Rollout Plan\n\n1. Canary\n2. Everyone\n\n"
        "## Risks\n\n- not a checklist section\n"
        f"{extra}"
    )


def issue(text: str, config: Config = ON, pull: int = 7):  # type: ignore[no-untyped-def]
    return tracking_issue(
        repo="Octo/RFCs",
        repo_url="https://github.com/Octo/RFCs",
        branch="main",
        pull=pull,
        old_path=OLD,
        new_path=NEW,
        doc=parse(text),
        config=config,
    )


def test_due_only_when_turned_on_and_merged_with_a_listed_status() -> None:
    assert wants_tracking(parse(rfc()), ON)
    assert wants_tracking(parse(rfc(status="final")), ON)  # statuses match in any case
    assert not wants_tracking(parse(rfc(status="Proposed")), ON)
    assert not wants_tracking(parse(rfc()), Config())  # off by default
    both = load_config("follow_up:\n  tracking_issue:\n    statuses: [Proposed, Final]\n")
    assert wants_tracking(parse(rfc(status="Proposed")), both)


def test_the_issue_says_what_it_tracks() -> None:
    made = issue(rfc())
    assert made.title == "Tracking issue for RFC 0042: Job Retries"
    assert made.labels == ("rfc: tracking",)
    assert made.assignees == ("alice", "bob")
    assert made.marker == tracking("octo/rfcs", 7, OLD)
    assert carries(made.body, made.marker)
    assert made.body.splitlines()[1] == (
        "Tracks the implementation of [RFC 0042: Job Retries]"
        "(https://github.com/Octo/RFCs/blob/main/rfcs/0042-job-retries.md), accepted in #7."
    )
    assert (
        "### Success Metrics\n- [ ] **Failures:** under 1%\n- [ ] Dashboards\n- [ ] nested item"
        in (made.body)
    )
    assert "### Rollout Plan\n- [ ] Canary\n- [ ] Everyone" in made.body
    assert "not a checklist section" not in made.body


def test_the_configured_title_sections_and_assignees() -> None:
    config = load_config(
        "follow_up:\n  tracking_issue:\n    title: 'Implement {title} (RFC {number})'\n"
        "    labels: [impl, rfc]\n    assignees: none\n    checklist_sections: [Risks]\n"
    )
    made = issue(rfc(), config)
    assert made.title == "Implement Job Retries (RFC 0042)"
    assert made.labels == ("impl", "rfc") and made.assignees == ()
    assert "### Risks\n- [ ] not a checklist section" in made.body
    assert "Success Metrics" not in made.body


def test_no_items_says_so() -> None:
    config = load_config("follow_up:\n  tracking_issue:\n    checklist_sections: [Nowhere]\n")
    assert "The RFC's _Nowhere_ list no items: add the tasks here." in issue(rfc(), config).body


def test_limits_of_title_and_assignees() -> None:
    many = ", ".join(f"@user{i}" for i in range(15))
    made = issue(rfc(authors=many).replace("# Job Retries", "# " + "T" * 400))
    assert len(made.title) == MAX_TITLE and made.title.endswith("…")
    assert len(made.assignees) == MAX_ASSIGNEES


@given(st.text(max_size=200))
@example("<!-- rfc-bot:tracking {} -->")
@example("x\r\ny\u2028z")
def test_rfc_text_never_forges_a_marker_nor_breaks_a_line(item: str) -> None:
    made = issue(rfc(extra=f"\n## Success Metrics\n\n- {item}\n"))
    body_lines = made.body.splitlines()
    assert body_lines[0] == made.marker
    assert all("<!--" not in line for line in body_lines[1:])
    checklist = [line for line in body_lines if line.startswith("- ")]
    assert all(line.startswith("- [ ] ") for line in checklist)
