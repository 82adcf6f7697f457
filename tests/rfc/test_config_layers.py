"""Config files in layers (``_extends``): the directive's grammar, the merge (mappings deep,
the nearer file winning, lists replaced), problems told in the file that holds them, and the
effective config with each value's origin."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from bot.rfc.config.extends import ExtendsSpec, ExtendsTarget, parse_extends
from bot.rfc.config.json_schema import EXTENDS_PATTERN
from bot.rfc.config.layers import (
    MAX_MERGE_ENTRIES,
    MERGED_LEVELS,
    merge,
    merge_layers,
    origins,
    parse_config_file,
)
from bot.rfc.config.public import (
    CONFIG_PATH,
    Config,
    ConfigError,
    effective_yaml,
    json_schema_text,
    load_config,
    load_layers,
)

ORG = "octo-org/.github:.github/rfc-bot.yml"


def node(data: Any, source: str = "f.yml") -> yaml.Node | None:
    return parse_config_file(yaml.safe_dump(data, sort_keys=False), source).root


def plain(root: yaml.Node | None) -> Any:
    return None if root is None else yaml.SafeLoader("").construct_document(root)


def model(base: Any, near: Any, level: int = 0) -> Any:
    """The merge as plain data: what users read in docs/config.md."""
    if level < MERGED_LEVELS and isinstance(base, dict) and isinstance(near, dict):
        merged = dict(base)
        for key, value in near.items():
            merged[key] = model(base[key], value, level + 1) if key in base else value
        return merged
    return near


KEYS = st.sampled_from(["a", "b", "c", "rules", "Proposed -> Final"])
LEAVES = st.none() | st.integers(-3, 3) | st.text("xyz", max_size=3)
DATA = st.recursive(
    LEAVES | st.lists(LEAVES, max_size=3),
    lambda children: st.dictionaries(KEYS, children, max_size=3),
    max_leaves=12,
)
DOCUMENTS = st.dictionaries(KEYS, DATA, max_size=4)


# --- the merge --------------------------------------------------------------------------------


@given(DOCUMENTS, DOCUMENTS)
@example({"a": {"b": [1, 2]}}, {"a": {"b": [3]}})  # a list is replaced, never appended to
@example({"a": {"b": {"c": {"x": 1}}}}, {"a": {"b": {"c": {"y": 2}}}})  # deeper: replaced
def test_merge_is_the_documented_deep_merge(base: Any, near: Any) -> None:
    assert plain(merge(node(base), node(near))) == model(base, near)


@given(DOCUMENTS, DOCUMENTS)
def test_the_nearer_files_keys_always_win(base: Any, near: Any) -> None:
    merged = plain(merge(node(base), node(near)))
    for key, value in near.items():
        if not (isinstance(value, dict) and isinstance(base.get(key), dict)):
            assert merged[key] == value
        else:
            for inner, inner_value in value.items():
                if not isinstance(inner_value, dict):
                    assert merged[key][inner] == inner_value
    for key in base.keys() - near.keys():
        assert merged[key] == base[key]


@given(DOCUMENTS, DOCUMENTS, DOCUMENTS)
# A mapping over a value that is not one hides what was below that value, grouped either way.
@example({"a": {}}, {"a": None}, {"a": {"a": None}})
@example({"a": {"b": {"c": 1}}}, {"a": {"b": [1]}}, {"a": {"b": {"d": 2}}})
def test_merge_is_associative_along_a_chain(a: Any, b: Any, c: Any) -> None:
    left = merge(merge(node(c), node(b)), node(a))
    right = merge(node(c), merge(node(b), node(a)))
    assert plain(left) == plain(right) == model(model(c, b), a)


def test_lists_are_replaced_whole() -> None:
    merged = merge(node({"statuses": ["Draft", "Final"]}), node({"statuses": ["New"]}))
    assert plain(merged) == {"statuses": ["New"]}


def test_an_empty_file_leaves_the_other_as_it_is() -> None:
    base = node({"a": 1})
    assert plain(merge(base, node(None))) == {"a": 1}
    assert plain(merge(node(None), base)) == {"a": 1}


def test_move_keys_match_however_the_arrow_is_spaced() -> None:
    base = node({"decisions": {"Proposed -> Final": {"approvals": 3, "comment_period": "1d"}}})
    near = node({"decisions": {"Proposed->Final": {"approvals": 1}}})
    decisions = plain(merge(base, near))["decisions"]
    assert decisions == {"Proposed->Final": {"approvals": 1, "comment_period": "1d"}}


def test_aliases_cannot_make_a_merge_explode() -> None:
    width = 200
    rule = "{" + ", ".join(f"k{i}: 1" for i in range(width)) + "}"
    moves = ", ".join(f'"S{i} -> T": *r' for i in range(width))
    text = f"decisions: {{a: &r {rule}, {moves}}}\n"
    files = [parse_config_file(text, "near.yml"), parse_config_file(text, "far.yml")]
    assert width * width > MAX_MERGE_ENTRIES
    with pytest.raises(ConfigError, match="more than 20,000 entries"):
        merge_layers(files)


# --- reading layers -------------------------------------------------------------------------


def layers(*texts: tuple[str, str]) -> list[Any]:
    return [parse_config_file(text, source) for source, text in texts]


def test_the_nearer_file_overrides_and_the_rest_comes_through() -> None:
    files = layers(
        (CONFIG_PATH, "_extends: .github\nrfc_dir: docs/rfcs\n"),
        (ORG, "rfc_dir: rfcs\ntarget_apps: [web, api]\nlabels: {rfc: proposal}\n"),
    )
    config = load_layers(files)
    assert (config.rfc_dir, config.target_apps) == ("docs/rfcs", ("web", "api"))
    assert config.labels.rfc == "proposal" and config.labels.numbered == "rfc: numbered"


def test_a_problem_is_told_in_the_file_and_at_the_line_that_holds_it() -> None:
    files = layers(
        (CONFIG_PATH, "_extends: .github\nnumber_width: 0\n"),
        (ORG, "# org defaults\nrfc_dir: rfcs\nnumbering: sometimes\n"),
    )
    with pytest.raises(ConfigError) as caught:
        load_layers(files)
    found = [(p.source, p.line, p.key) for p in caught.value.problems]
    assert found == [(CONFIG_PATH, 2, "number_width"), (ORG, 3, "numbering")]


def test_a_status_check_spans_the_files() -> None:
    files = layers(
        (CONFIG_PATH, "_extends: .github\ninitial_status: Idea\n"),
        (ORG, "statuses: [Idea, Done]\ntransitions: {Idea: [Done]}\npermissions: {}\n"),
    )
    assert load_layers(files).initial_status == "Idea"
    files = layers((CONFIG_PATH, "initial_status: Nope\n"), (ORG, "statuses: [Idea, Done]\n"))
    with pytest.raises(ConfigError) as caught:
        load_layers(files)
    assert (caught.value.source, caught.value.line, caught.value.key) == (
        CONFIG_PATH,
        1,
        "initial_status",
    )


def test_a_yaml_error_names_its_file() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config_file("rfc_dir: [\n", ORG)
    assert caught.value.source == ORG and caught.value.message.startswith("invalid YAML")


def test_a_file_over_the_limit_is_refused_when_a_limit_is_given() -> None:
    text = "rfc_dir: rfcs\n" + "#" * 100 + "\n"
    assert parse_config_file(text, ORG).root is not None
    with pytest.raises(ConfigError, match="at most 50"):
        parse_config_file(text, ORG, limit=50)


# --- the directives ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "spec"),
    [
        (".github", ExtendsSpec(None, ".github", None)),
        ("policy", ExtendsSpec(None, "policy", None)),
        ("octo-org/policy", ExtendsSpec("octo-org", "policy", None)),
        ("octo-org/policy:rfc/base.yaml", ExtendsSpec("octo-org", "policy", "rfc/base.yaml")),
        (" policy:base.yml ", ExtendsSpec(None, "policy", "base.yml")),
    ],
)
def test_extends_values_in_probots_forms(value: str, spec: ExtendsSpec) -> None:
    assert parse_extends(value) == spec


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("", "is not a repository"),
        ("a/b/c", "is not a GitHub account name"),
        ("-octo/policy", "is not a GitHub account name"),
        ("octo/..", "is not a repository"),
        ("octo/policy:../x.yml", "is not a file path"),
        ("octo/policy:/etc/x.yml", "is not a file path"),
        ("octo/policy:base.json", "is not a file path"),
        ("octo/pol icy", "is not a repository"),
        ("x" * 401, "is not a repository"),
    ],
)
def test_malformed_extends_values_say_how_to_write_one(value: str, says: str) -> None:
    problem = parse_extends(value)
    assert isinstance(problem, str) and says in problem


@given(st.text(max_size=60))
@example("a:b:c.yml")
@example("a/" * 1000)
def test_parse_extends_never_raises(value: str) -> None:
    parsed = parse_extends(value)
    assert isinstance(parsed, ExtendsSpec | str)


@given(st.from_regex(EXTENDS_PATTERN))
def test_what_the_schema_accepts_the_reader_accepts(value: str) -> None:
    assert isinstance(parse_extends(value), ExtendsSpec)


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("_extends: .github\n_extends_owners: [partner, other-org]\n", True),
        ("_extends: octo-org/policy:rfc/base.yml\n", True),
        ("_extends: a/b/c\n", False),
        ("_extends: octo/policy:../x.yml\n", False),
        ("_extends: [a]\n", False),
        ("_extends_owners: [-partner]\n", False),
    ],
)
def test_the_schema_knows_the_directives(text: str, valid: bool) -> None:
    schema = json.loads(json_schema_text())
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(yaml.safe_load(text)) is valid
    assert (not parse_config_file(text, CONFIG_PATH).problems) is valid


def test_relative_values_resolve_against_the_repository_being_read() -> None:
    spec = parse_extends(".github")
    assert isinstance(spec, ExtendsSpec)
    target = spec.resolve("Octo-Org", CONFIG_PATH)
    assert str(target) == "Octo-Org/.github:.github/rfc-bot.yml"
    assert target.identity == ExtendsTarget("octo-org", ".GitHub", CONFIG_PATH).identity


def test_directives_are_read_and_left_out_of_the_document() -> None:
    file = parse_config_file(
        "rfc_dir: x\n_extends: octo-org/policy\n_extends_owners: [partner]\n", CONFIG_PATH
    )
    assert file.extends == ExtendsSpec("octo-org", "policy", None)
    assert (file.directives.extends_line, file.directives.owners) == (2, ("partner",))
    assert file.problems == ()
    assert plain(file.root) == {"rfc_dir": "x"}


@pytest.mark.parametrize(
    ("text", "line", "key", "says"),
    [
        ("_extends: [a]\n", 1, "_extends", "expected a repository as a string"),
        ("rfc_dir: x\n_extends: 'a b'\n", 2, "_extends", "is not a repository"),
        ("_extends_owners: partner\n", 1, "_extends_owners", "expected a list"),
        ("_extends_owners:\n  - ok\n  - -bad\n", 3, "_extends_owners", "not a GitHub account"),
    ],
)
def test_malformed_directives_are_problems_at_their_line(
    text: str, line: int, key: str, says: str
) -> None:
    (problem,) = parse_config_file(text, CONFIG_PATH).problems
    assert (problem.line, problem.key) == (line, key) and says in problem.message
    with pytest.raises(ConfigError) as caught:
        load_config(text)
    assert caught.value.problems[0] == problem


def test_load_config_accepts_extends_and_reads_the_file_alone() -> None:
    assert load_config("_extends: .github\nrfc_dir: docs\n").rfc_dir == "docs"


def test_an_unknown_underscore_key_is_still_an_unknown_key() -> None:
    with pytest.raises(ConfigError, match="_extend: unknown key"):
        load_config("_extend: .github\n")


# --- provenance -------------------------------------------------------------------------------


def test_origins_name_the_file_and_line_of_each_key() -> None:
    files = layers(
        (CONFIG_PATH, "_extends: .github\ndecisions:\n  Proposed->Final: {approvals: 3}\n"),
        (ORG, "rfc_dir: rfcs\ndecisions:\n  Proposed -> Final:\n    approvers: [octo-org/arch]\n"),
    )
    found = origins(merge_layers(files))
    assert found[("rfc_dir",)] == f"{ORG}:1"
    assert found[("decisions", "Proposed -> Final", "approvals")] == f"{CONFIG_PATH}:3"
    assert found[("decisions", "Proposed -> Final", "approvers")] == f"{ORG}:4"


def test_the_effective_yaml_reads_back_as_the_same_config() -> None:
    files = layers(
        (CONFIG_PATH, "_extends: .github\nrfc_dir: docs/rfcs\nrules: {metadata-order: off}\n"),
        (ORG, "target_apps: [web]\ndecisions:\n  Proposed -> Final: {approvals: majority}\n"),
    )
    config = load_layers(files)
    text = effective_yaml(config, origins(merge_layers(files)), ["sources: a, b"])
    assert load_config(text) == config
    lines = text.splitlines()
    assert lines[0] == "# sources: a, b"
    assert f"rfc_dir: docs/rfcs  # {CONFIG_PATH}:2" in lines
    assert f"target_apps: [web]  # {ORG}:1" in lines
    assert f"    approvals: majority  # {ORG}:3" in lines
    assert "    comment_period: 7d  # default" in lines
    assert "number_width: 4  # default" in lines
    assert load_config(effective_yaml(Config(), {})) == Config()
