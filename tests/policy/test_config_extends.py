"""Following ``_extends``: the next file, or why the chain stops (a cycle, too long, another
account's file); and what is applied when files have problems."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.policy.config_extends import (
    MAX_EXTENDS,
    Home,
    Link,
    allowed_owners,
    next_target,
    settle,
    sources_sentence,
    unreadable,
)
from bot.rfc.config.public import (
    CONFIG_PATH,
    Config,
    ConfigProblem,
    ExtendsTarget,
    parse_config_file,
)

HOME = Home("octo-org", "rfcs")
ORG_GITHUB = ExtendsTarget("octo-org", ".github", CONFIG_PATH)


def local(text: str) -> Link:
    return Link(parse_config_file(text, CONFIG_PATH))


def extended(target: ExtendsTarget, text: str) -> Link:
    return Link(parse_config_file(text, str(target)), target)


def problem(found: object) -> ConfigProblem:
    assert isinstance(found, ConfigProblem), found
    return found


def test_nothing_to_follow() -> None:
    assert next_target(HOME, [local("rfc_dir: x\n")]) is None
    # A malformed value is the file's own problem; nothing is followed.
    assert next_target(HOME, [local("_extends: 'a b'\n")]) is None


def test_dot_github_is_the_owners_github_repository_at_the_same_path() -> None:
    assert next_target(HOME, [local("_extends: .github\n")]) == ORG_GITHUB


def test_relative_names_resolve_against_the_home_repository_at_every_link() -> None:
    partner = ExtendsTarget("partner", "policy", CONFIG_PATH)
    chain = [
        local("_extends: partner/policy\n_extends_owners: [partner]\n"),
        extended(partner, "_extends: base\n"),
    ]
    assert next_target(HOME, chain) == ExtendsTarget("octo-org", "base", CONFIG_PATH)


def test_another_account_is_refused_by_default() -> None:
    found = problem(next_target(HOME, [local("rfc_dir: x\n_extends: other-org/.github\n")]))
    assert (found.source, found.line, found.key) == (CONFIG_PATH, 2, "_extends")
    assert "belongs to another account than octo-org" in found.message
    assert "list it in _extends_owners" in found.message


def test_an_owner_listed_by_a_file_of_the_home_owner_is_followed() -> None:
    chain = [local("_extends: .github\n"), extended(ORG_GITHUB, "_extends: partner/p\n")]
    assert isinstance(next_target(HOME, chain), ConfigProblem)
    chain[1] = extended(ORG_GITHUB, "_extends: Partner/p\n_extends_owners: [partner]\n")
    assert next_target(HOME, chain) == ExtendsTarget("Partner", "p", CONFIG_PATH)


def test_another_accounts_file_cannot_widen_the_trust() -> None:
    partner = ExtendsTarget("partner", "p", CONFIG_PATH)
    chain = [
        local("_extends: partner/p\n_extends_owners: [partner]\n"),
        extended(partner, "_extends: evil/x\n_extends_owners: [evil]\n"),
    ]
    assert allowed_owners(HOME, chain) == {"octo-org", "partner"}
    assert "another account" in problem(next_target(HOME, chain)).message


def test_a_cycle_stops_the_chain_where_it_closes() -> None:
    back_home = [local("_extends: .github\n"), extended(ORG_GITHUB, "_extends: rfcs\n")]
    found = problem(next_target(HOME, back_home))
    assert (found.source, found.line) == (str(ORG_GITHUB), 1)
    assert "a cycle" in found.message and "remove one _extends" in found.message
    itself = problem(next_target(HOME, [local("_extends: RFCS\n")]))
    assert "a cycle" in itself.message


def test_a_chain_stops_after_the_limit() -> None:
    chain = [local("_extends: c1\n")]
    for index in range(1, MAX_EXTENDS + 1):
        target = ExtendsTarget("octo-org", f"c{index}", CONFIG_PATH)
        assert next_target(HOME, chain) == target
        chain.append(extended(target, f"_extends: c{index + 1}\n"))
    found = problem(next_target(HOME, chain))
    assert f"at most {MAX_EXTENDS} extended files" in found.message


@given(st.lists(st.sampled_from(["a", "b", "c", "rfcs", ".github"]), min_size=1, max_size=12))
def test_a_chain_never_visits_a_file_twice_nor_grows_past_the_limit(names: list[str]) -> None:
    chain = [local(f"_extends: {names[0]}\n")]
    for following in [*names[1:], None]:
        target = next_target(HOME, chain)
        if not isinstance(target, ExtendsTarget):
            break
        text = f"_extends: {following}\n" if following else "rfc_dir: x\n"
        chain.append(extended(target, text))
    identities = [HOME.identity, *(link.target.identity for link in chain if link.target)]
    assert len(identities) == len(set(identities))
    assert len(chain) <= MAX_EXTENDS + 1


def test_an_unreadable_target_is_told_at_the_extends_that_named_it() -> None:
    chain = [local("rfc_dir: x\n_extends: .github\n")]
    found = unreadable(chain, ORG_GITHUB, "not found")
    assert (found.source, found.line, found.key) == (CONFIG_PATH, 2, "_extends")
    assert found.message == f"{ORG_GITHUB}: not found"


# --- what is applied --------------------------------------------------------------------------


def test_clean_files_are_all_applied() -> None:
    mine = local("_extends: .github\nrfc_dir: x\n").file
    settled = settle([mine, extended(ORG_GITHUB, "rfc_dir: y\n").file])
    assert settled.config.rfc_dir == "x" and settled.error is None
    assert settled.applied == (CONFIG_PATH, str(ORG_GITHUB)) and settled.left_out == ()


def test_an_extended_file_with_problems_is_left_out_and_the_local_one_applies() -> None:
    mine = local("_extends: .github\ntarget_apps: [web]\n").file
    org = extended(ORG_GITHUB, "numbering: sometimes\nrfc_dir: org\n").file
    settled = settle([mine, org])
    assert settled.config.target_apps == ("web",) and settled.config.rfc_dir == "rfcs"
    assert (settled.applied, settled.left_out) == ((CONFIG_PATH,), (str(ORG_GITHUB),))
    assert [p.source for p in settled.problems] == [str(ORG_GITHUB)]


def test_a_broken_local_file_leaves_the_organisation_policy_in_force() -> None:
    mine = local("_extends: .github\nnumber_width: 0\n").file
    org = extended(ORG_GITHUB, "target_apps: [web]\n").file
    settled = settle([mine, org])
    assert settled.config.target_apps == ("web",)
    assert settled.applied == (str(ORG_GITHUB),) and settled.left_out == (CONFIG_PATH,)


def test_nothing_clean_means_the_defaults_and_every_problem() -> None:
    mine = local("number_width: 0\n").file
    settled = settle([mine], [unreadable([Link(mine)], ORG_GITHUB, "gone")])
    assert settled.config == Config() and settled.applied == ()
    assert [p.key for p in settled.problems] == ["_extends", "number_width"]


def test_directive_problems_are_reported_but_do_not_leave_the_file_out() -> None:
    mine = local("_extends: 'not a repo'\nrfc_dir: mine\n").file
    settled = settle([mine])
    assert settled.config.rfc_dir == "mine" and settled.applied == (CONFIG_PATH,)
    assert [p.key for p in settled.problems] == ["_extends"]


def test_sources_read_nearest_first() -> None:
    assert sources_sentence([]) == "the defaults"
    assert sources_sentence(["a"]) == "`a`"
    assert sources_sentence(["a", "b", "c"]) == "`a` extends `b`, which extends `c`"
