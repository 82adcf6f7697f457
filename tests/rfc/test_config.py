"""load_config: YAML -> Config, with errors that name file, line and key."""

from __future__ import annotations

import json
import pickle
import re
import string
from dataclasses import dataclass, fields
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType

import jsonschema
import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from bot.rfc.config.__main__ import main
from bot.rfc.config.collection_kinds import ListOf, MappingOf, TransitionKey
from bot.rfc.config.fields import PERMISSION_ROLES
from bot.rfc.config.kinds import Reading
from bot.rfc.config.problems import MAX_PROBLEMS, Problems
from bot.rfc.config.public import (
    CONFIG_PATH,
    Config,
    ConfigError,
    ConfigProblem,
    DecisionRule,
    LabelConfig,
    default_config_yaml,
    json_schema_text,
    keys_table,
    load_config,
)
from bot.rfc.config.scalar_kinds import Choice, Integer
from bot.rfc.config.sections import (
    Section,
    Setting,
    read_section,
    section_schema,
    setting,
    settings_of,
)
from bot.rfc.config.yaml_file import defaults_yaml, flow_yaml
from bot.rfc.rules import RULES

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "config.md"
SCHEMA = ROOT / "docs" / "rfc-bot.schema.json"


def error_for(text: str, source: str = CONFIG_PATH) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(text, source)
    return caught.value


def test_default_yaml_round_trips_to_the_defaults() -> None:
    assert load_config(default_config_yaml()) == Config()


def test_default_yaml_is_commented() -> None:
    lines = default_config_yaml().splitlines()
    assert sum(line.startswith("#") for line in lines) >= 10
    assert "rules: {}" in lines


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "~\n"])
def test_empty_file_means_defaults(text: str) -> None:
    assert load_config(text) == Config()


def test_every_key_is_read() -> None:
    config = load_config(
        """
rfc_dir: docs/rfcs/
number_width: 3
skip: [README.md]
statuses: [Draft, Accepted, Rejected]
initial_status: Draft
transitions:
  Draft: [Accepted, Rejected]
  Accepted:
  Rejected: []
target_apps: [web, cli]
required_sections: [Overview, Summary]
optional_sections: []
labels:
  rfc: proposal
  numbered: "proposal: numbered"
permissions:
  "Draft->Accepted": [maintainers]
maintainers: [octo-org/architects, mona]
numbering: pull-request
index_file: INDEX.md
"""
    )
    assert config.rfc_dir == "docs/rfcs"
    assert config.number_width == 3
    assert config.skip == ("README.md",)
    assert config.statuses == ("Draft", "Accepted", "Rejected")
    assert config.allowed_next("Draft") == ("Accepted", "Rejected")
    assert config.allowed_next("Accepted") == ()
    assert config.target_apps == ("web", "cli")
    assert config.required_sections == ("Overview", "Summary")
    assert config.optional_sections == ()
    assert config.labels == LabelConfig(rfc="proposal", numbered="proposal: numbered")
    assert dict(config.permissions) == {"Draft -> Accepted": ("maintainers",)}
    assert config.maintainers == ("octo-org/architects", "mona")
    assert config.numbering == "pull-request"
    assert config.index_path == "docs/rfcs/INDEX.md"


def test_required_sections_null_means_template() -> None:
    assert load_config("required_sections: null\n").required_sections is None


@pytest.mark.parametrize(
    ("text", "line", "key", "fragment"),
    [
        ("rfc_dir: rfcs\nfoo: 1\n", 2, "foo", "unknown key"),
        ("number_width: -2\n", 1, "number_width", "between 1 and 9"),
        ("number_width: four\n", 1, "number_width", "expected an integer"),
        ("number_width: 4.5\n", 1, "number_width", "expected an integer"),
        ("rfc_dir: [a]\n", 1, "rfc_dir", "expected a string"),
        ("rfc_dir: {a: b}\n", 1, "rfc_dir", "got a mapping"),
        ("rfc_dir:\n", 1, "rfc_dir", "got null"),
        ("skip: ['  ']\n", 1, "skip", "non-empty one-line string"),
        ("transitions: [Draft]\n", 1, "transitions", "expected a mapping"),
        ("labels: rfc\n", 1, "labels", "expected a mapping"),
        ("rfc_dir: ../elsewhere\n", 1, "rfc_dir", "inside the repository"),
        ("skip: README.md\n", 1, "skip", "expected a list"),
        ("skip:\n  - a.md\n  - a.md\n", 3, "skip", "listed twice"),
        ("target_apps: [api, 3]\n", 1, "target_apps", "expected a string"),
        ("\n\ntransitions:\n  Draft: [Nope]\n", 3, "transitions", "unknown status 'Nope'"),
        ("transitions:\n  Limbo: []\n", 1, "transitions", "unknown status 'Limbo'"),
        ("initial_status: Final-ish\n", 1, "initial_status", "unknown status"),
        ("statuses: []\n", 1, "statuses", "at least one"),
        ("statuses: [New, Done]\n", 1, "statuses", "set initial_status too"),
        ("numbering: random\n", 1, "numbering", "sequential, pull-request"),
        ("labels:\n  colour: red\n", 2, "labels.colour", "unknown key"),
        ("labels:\n  rfc: ''\n", 2, "labels.rfc", "1 to 50"),
        ("permissions:\n  Draft: [author]\n", 2, "permissions", "From -> To"),
        (
            "permissions:\n  Draft -> Proposed: [anyone]\n",
            2,
            "permissions.Draft -> Proposed",
            "'anyone' is not one of",
        ),
        ("permissions:\n  Draft -> Nowhere: [author]\n", 1, "permissions", "unknown status"),
        ("index_file: sub/README.md\n", 1, "index_file", "without '/'"),
        ("rfc_dir: a\nrfc_dir: b\n", 2, "rfc_dir", "duplicate key"),
        ("- rfc_dir\n", 1, None, "expected a mapping"),
        ("rfc_dir: !!python/name:os.system x\n", 1, "rfc_dir", "expected a string"),
    ],
)
def test_bad_values_name_line_and_key(text: str, line: int, key: str | None, fragment: str) -> None:
    error = error_for(text, "cfg.yml")
    assert (error.source, error.line, error.key) == ("cfg.yml", line, key)
    assert fragment in error.message
    assert str(error).startswith(f"cfg.yml:{line}: ")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("rfc_dir: rfcs\nskip: [a, b\n", 3),
        ("a: b: c\n", 1),
        ("rfc_dir: 'open\n", 2),
        ("\tx: 1\n", 1),
    ],
)
def test_yaml_syntax_errors_have_a_line(text: str, line: int) -> None:
    error = error_for(text)
    assert error.line == line
    assert error.message.startswith("invalid YAML")


def test_unreadable_characters_are_a_yaml_error() -> None:
    error = error_for("rfc_dir: \x07\n")
    assert (error.line, error.key) == (None, None)
    assert error.message.startswith("invalid YAML: unacceptable character")


def test_rule_overrides_are_checked_against_the_registry() -> None:
    rule_id = RULES[0].id
    config = load_config(f"rules:\n  {rule_id}: off\n  index-outdated: error\n")
    assert config.rules == {rule_id: "off", "index-outdated": "error"}
    error = error_for("rules:\n  no-such-rule: error\n")
    assert (error.line, error.key) == (2, "rules.no-such-rule")
    error = error_for(f"rules:\n  {rule_id}: loud\n")
    assert (error.line, error.key) == (2, f"rules.{rule_id}")


def test_yes_is_not_a_string() -> None:
    # YAML 1.1 reads `off` as a boolean; rule settings must be quoted or spelled out.
    assert error_for("numbering: yes\n").message.startswith("expected a string")


# --- Every problem at once --------------------------------------------------------------------


def test_every_problem_is_reported_in_file_order() -> None:
    error = error_for(
        "numbering: random\n"  # 1
        "rfc_dir: [a]\n"  # 2
        "labels:\n"  # 3
        "  rfc: ''\n"  # 4
        "  colour: red\n"  # 5
        "target_apps: [api, 3, 4]\n"  # 6
        "number_width: 12\n",  # 7
        "cfg.yml",
    )
    assert [(p.line, p.key) for p in error.problems] == [
        (1, "numbering"),
        (2, "rfc_dir"),
        (4, "labels.rfc"),
        (5, "labels.colour"),
        (6, "target_apps"),
        (6, "target_apps"),
        (7, "number_width"),
    ]
    assert str(error).splitlines() == [str(problem) for problem in error.problems]
    assert str(error).splitlines()[0] == (
        "cfg.yml:1: numbering: 'random' is not one of: sequential, pull-request"
    )
    # The error's own fields are the first problem's, for callers with room for one line.
    assert (error.line, error.key) == (1, "numbering")


def test_one_bad_value_leaves_the_other_keys_checked() -> None:
    error = error_for("transitions:\n  Draft: [3]\n  Final: [Nowhere]\nnumber_width: 0\n")
    assert [(p.line, p.key) for p in error.problems] == [
        (2, "transitions.Draft"),
        (4, "number_width"),
    ]


def test_unreadable_statuses_do_not_fail_every_status_check() -> None:
    error = error_for("statuses: Draft\ninitial_status: Elsewhere\n")
    assert [(p.line, p.key) for p in error.problems] == [(1, "statuses")]


def test_each_key_naming_unknown_statuses_is_one_problem() -> None:
    error = error_for(
        "statuses: [Open, Done]\n"
        "initial_status: Open\n"
        "transitions: {Open: [Shut, Closed], Closed: [Open]}\n"
        "permissions: {}\n"
    )
    assert len(error.problems) == 1
    assert error.problems[0].message == (
        "unknown statuses 'Shut', 'Closed'; statuses are: Open, Done"
    )


def test_a_syntax_error_is_the_only_problem() -> None:
    error = error_for("number_width: 0\nskip: [a\n")
    assert len(error.problems) == 1
    assert error.message.startswith("invalid YAML")


def test_problems_stop_at_a_bound() -> None:
    text = "".join(f"key{index}: 1\n" for index in range(10_000))
    error = error_for(text)
    assert len(error.problems) == MAX_PROBLEMS + 1
    assert error.problems[-1].message == f"stopped after {MAX_PROBLEMS} problems"
    assert error.problems[MAX_PROBLEMS - 1].line == MAX_PROBLEMS


def test_an_unusable_key_is_a_problem_and_reading_goes_on() -> None:
    error = error_for("? [a, b]\n: 1\n3: x\nnumber_width: 0\n")
    assert [(p.line, p.key) for p in error.problems] == [
        (1, "(top level)"),
        (3, "(top level)"),
        (4, "number_width"),
    ]


@pytest.mark.parametrize(
    ("text", "key", "hint"),
    [
        ("rfc-dir: x\n", "rfc-dir", "did you mean 'rfc_dir'?"),
        ("Number_Width: 3\n", "Number_Width", "did you mean 'number_width'?"),
        ("labels:\n  numberd: x\n", "labels.numberd", "did you mean 'numbered'?"),
        ("rules:\n  index-outdate: off\n", "rules.index-outdate", "did you mean 'index-outdated'?"),
        ("numbering: pull_request\n", "numbering", "did you mean 'pull-request'?"),
        ("permissions:\n  A -> B: [autor]\n", "permissions.A -> B", "did you mean 'author'?"),
        ("initial_status: Drafts\n", "initial_status", "did you mean 'Draft'?"),
    ],
)
def test_near_misses_get_a_suggestion(text: str, key: str, hint: str) -> None:
    problem = error_for(text).problems[0]
    assert problem.key == key
    assert hint in problem.message


def test_a_far_miss_lists_what_is_known_without_guessing() -> None:
    message = error_for("colour: red\n").message
    assert "did you mean" not in message
    assert "known keys: rfc_dir, number_width" in message


def test_config_error_keeps_its_single_problem_form() -> None:
    error = ConfigError("cfg.yml", 3, "numbering", "bad")
    assert str(error) == "cfg.yml:3: numbering: bad"
    assert error.problems == (ConfigProblem("cfg.yml", 3, "numbering", "bad"),)
    assert str(ConfigError("cfg.yml", None, None, "bad")) == "cfg.yml: bad"


def test_config_error_survives_pickling() -> None:
    error = error_for("number_width: 0\nnumbering: x\n")
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, ConfigError)
    assert copy.problems == error.problems
    assert str(copy) == str(error)


def test_duplicate_normalised_keys_are_duplicates() -> None:
    error = error_for("permissions:\n  Draft->Final: [author]\n  Draft -> Final: [maintainers]\n")
    assert (error.line, error.key, error.message) == (
        3,
        "permissions.Draft -> Final",
        "duplicate key",
    )


def test_statuses_differing_in_case_only_are_one_status() -> None:
    error = error_for("statuses: [Draft, Proposed, Final, Deprecated, 'final ']\n")
    assert error.message == "'final' is listed twice (as 'Final'; case and spaces do not count)"
    assert error_for("target_apps: [api, API]\n").key == "target_apps"


# --- The canonical matcher --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Proposed", "Proposed"),
        (" proposed ", "Proposed"),
        ("PROPOSED", "Proposed"),
        ("[Draft]", None),
        ("", None),
        ("Propose", None),
        (None, None),
    ],
)
def test_canonical_status(text: str | None, expected: str | None) -> None:
    assert Config().canonical_status(text) == expected


def test_canonical_status_folds_inner_spacing_and_unicode_case() -> None:
    config = load_config(
        "statuses: [In Review, Straße]\ninitial_status: In Review\n"
        "transitions: {}\npermissions: {}\n"
    )
    assert config.canonical_status("in   review") == "In Review"
    assert config.canonical_status("IN\tREVIEW") == "In Review"
    assert config.canonical_status("STRASSE") == "Straße"
    assert config.canonical_status("InReview") is None


def test_canonical_app() -> None:
    config = Config()
    assert config.canonical_app(" API ") == "api"
    assert config.canonical_app("Jobmaster-GUI") == "jobmaster-gui"
    assert config.canonical_app("jobmaster gui") is None
    assert config.canonical_app(None) is None


def test_the_matcher_is_not_part_of_equality() -> None:
    used, fresh = Config(), Config()
    used.canonical_status("draft")
    assert used == fresh


_SPACES = st.text(" \t", max_size=3)


@given(
    statuses=st.lists(
        st.text(string.ascii_letters + " -", min_size=1, max_size=12).filter(str.strip),
        min_size=1,
        max_size=6,
        unique_by=lambda s: " ".join(s.split()).casefold(),
    ),
    pick=st.integers(min_value=0),
    before=_SPACES,
    after=_SPACES,
    upper=st.booleans(),
)
@example(statuses=["A  b"], pick=0, before="", after="", upper=False)
def test_any_casing_or_spacing_of_a_status_finds_it(
    statuses: list[str], pick: int, before: str, after: str, upper: bool
) -> None:
    names = [" ".join(status.split()) for status in statuses]
    config = Config(statuses=tuple(names))
    chosen = names[pick % len(names)]
    written = before + (chosen.upper() if upper else chosen.lower()).replace(" ", "  ") + after
    assert config.canonical_status(written) == chosen
    assert config.canonical_status(written + "x") in (None, *names)


# --- The field table drives everything --------------------------------------------------------


def test_every_field_is_a_row_of_the_table() -> None:
    for table in (Config, LabelConfig):
        rows = dict(settings_of(table))
        assert [field.name for field in fields(table)] == list(rows)
        for name, row in rows.items():
            assert isinstance(row, Setting)
            assert row.doc and row.doc == " ".join(row.doc.split())
            assert getattr(table(), name) == row.default


def test_default_yaml_names_every_key_with_its_doc() -> None:
    text = default_config_yaml()
    for name, row in settings_of(Config):
        assert re.search(rf"^{name}:", text, re.MULTILINE), name
        assert row.doc.split()[0] in text


def test_default_yaml_survives_a_field_added_later() -> None:
    # The reader and writer walk the table: a config with every default written back reads the same.
    assert yaml.safe_load(default_config_yaml())["labels"] == {
        "rfc": "rfc",
        "status_prefix": "rfc: ",
        "app_prefix": "app: ",
        "numbered": "rfc: numbered",
        "decision": "rfc: decision",
        "comment_period": "rfc: final-comment-period",
        "stale": "rfc: stale",
        "keep": "rfc: keep",
        "digest": "rfc: digest",
    }


# A nested key of the shape issue 11 will add (decisions: {"From -> To": {...}}) is one
# declaration; reading, every problem, defaults and schema come with it.


@dataclass(frozen=True)
class _Decision:
    approvals: int = setting(Integer(1, 9), 2, "Approvals needed.")
    approvers: tuple[str, ...] = setting(
        ListOf(Choice(PERMISSION_ROLES)), ("maintainers",), "Who may approve."
    )


@dataclass(frozen=True)
class _WithDecisions:
    decisions: MappingProxyType[str, _Decision] = setting(
        MappingOf(TransitionKey(), Section(_Decision)),
        MappingProxyType({"Proposed -> Final": _Decision()}),
        "What a transition needs before it happens.",
    )


def _read_table(table: type, text: str) -> tuple[dict[str, object], list[ConfigProblem]]:
    problems = Problems("cfg.yml")
    read = read_section(table, yaml.compose(text), None, Reading(problems, ()))
    return read.values, problems.found


def test_a_nested_table_is_one_declaration() -> None:
    values, problems = _read_table(
        _WithDecisions,
        "decisions:\n  Proposed->Final: {approvals: 3}\n  Draft -> Final: {approvers: [author]}\n",
    )
    assert problems == []
    assert values["decisions"] == {
        "Proposed -> Final": _Decision(approvals=3),
        "Draft -> Final": _Decision(approvers=("author",)),
    }
    _, problems = _read_table(
        _WithDecisions,
        "decisions:\n  Draft -> Final:\n    aprovals: 1\n    approvers: [anyone]\n  Final: {}\n",
    )
    assert [(p.line, p.key, p.message.split(";")[0]) for p in problems] == [
        (3, "decisions.Draft -> Final.aprovals", "unknown key (did you mean 'approvals'?)"),
        (4, "decisions.Draft -> Final.approvers", "'anyone' is not one of: author, maintainers"),
        (5, "decisions", "'Final' should read 'From -> To'"),
    ]


def test_a_nested_table_writes_its_defaults_and_schema() -> None:
    text = "\n".join(defaults_yaml(_WithDecisions)) + "\n"
    assert text == (
        "# What a transition needs before it happens.\n"
        "decisions:\n"
        '  "Proposed -> Final":\n'
        "    # Approvals needed.\n"
        "    approvals: 2\n"
        "    # Who may approve.\n"
        "    approvers: [maintainers]\n"
    )
    assert _read_table(_WithDecisions, text) == ({"decisions": _WithDecisions().decisions}, [])
    schema = section_schema(_WithDecisions, {})
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(yaml.safe_load(text))
    assert not validator.is_valid({"decisions": {"A -> B": {"approvals": 0}}})


def test_published_schema_is_generated_from_the_table() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == json_schema_text(), (
        "regenerate: python3 -m bot.rfc.config schema > docs/rfc-bot.schema.json"
    )


def test_docs_key_table_is_generated_from_the_table() -> None:
    assert keys_table() in DOCS.read_text(encoding="utf-8"), (
        "regenerate: python3 -m bot.rfc.config keys, and paste it into docs/config.md"
    )


def test_docs_show_the_schema_modeline() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=" in docs
    assert "docs/rfc-bot.schema.json" in docs


def _schema_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(json_schema_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _docs_yaml_blocks() -> list[str]:
    docs = DOCS.read_text(encoding="utf-8")
    return re.findall(r"^```yaml\n(.*?)^```", docs, re.MULTILINE | re.DOTALL)


def test_the_defaults_validate_against_the_schema() -> None:
    _schema_validator().validate(yaml.safe_load(default_config_yaml()))


GOOD_CONFIGS = [
    "",
    "rfc_dir: docs/rfcs/\nnumber_width: 3\nrequired_sections: null\n",
    "rules:\n  metadata-order: off\n  status-case: error\n",
    "transitions:\n  Draft: [Proposed]\n  Proposed:\n  Final: []\n  Deprecated: []\n",
    "permissions:\n  Draft->Proposed: [author]\n",
    "labels:\n  rfc: proposal\n  numbered: 'proposal: numbered'\n",
]


@pytest.mark.parametrize("text", GOOD_CONFIGS + _docs_yaml_blocks()[:-1])
def test_example_configs_pass_the_schema_and_the_reader(text: str) -> None:
    load_config(text)
    _schema_validator().validate(yaml.safe_load(text))


def test_the_broken_example_in_the_docs_reads_as_documented() -> None:
    broken = _docs_yaml_blocks()[-1]
    docs = DOCS.read_text(encoding="utf-8")
    # The block after it is `rfc-bot config --check` run on it (tests/doc_examples.py).
    shown = docs.split(broken, 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    printed = [line.removeprefix("rfc-bot: ") for line in shown.splitlines()[1:]]
    assert printed == str(error_for(broken)).splitlines()
    assert not _schema_validator().is_valid(yaml.safe_load(broken))


@pytest.mark.parametrize(
    "text",
    [
        "number_width: 0\n",
        "number_width: '4'\n",
        "rfc_dir: ../up\n",
        "rfc_dir: a\\\\b\n",
        "skip: [a, a]\n",
        "statuses: []\n",
        "numbering: random\n",
        "rules:\n  no-such-rule: error\n",
        "rules:\n  status-case: loud\n",
        "labels:\n  colour: red\n",
        "labels:\n  rfc: ''\n",
        f"labels:\n  rfc: {'x' * 51}\n",
        "permissions:\n  Draft: [author]\n",
        "permissions:\n  Draft -> Final: [anyone]\n",
        "index_file: sub/README.md\n",
        "colour: red\n",
    ],
)
def test_what_the_schema_refuses_the_reader_refuses(text: str) -> None:
    assert not _schema_validator().is_valid(yaml.safe_load(text))
    error_for(text)


def test_the_schema_offers_every_rule_id() -> None:
    rules = json.loads(json_schema_text())["properties"]["rules"]
    assert list(rules["properties"]) == [rule.id for rule in RULES]
    assert rules["additionalProperties"] is False


@pytest.mark.parametrize(("argv", "start"), [(["schema"], "{"), (["keys"], "| key |")])
def test_module_prints_the_published_files(
    argv: list[str], start: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith(start)


def test_module_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frob"]) == 2
    assert "usage" in capsys.readouterr().err


# --- decisions (issue 11) -----------------------------------------------------------------


def test_decisions_default_to_two_maintainers_and_a_week() -> None:
    rule = Config().decision_rule("Proposed", "Final")
    assert rule == DecisionRule()
    assert (rule.approvals, rule.approvers, rule.comment_period) == (
        2,
        ("maintainers",),
        timedelta(days=7),
    )
    assert (rule.remind_after, rule.dismiss_on_change) == (None, False)
    assert Config().decision_rule("Draft", "Proposed") is None
    assert Config().decision_rule(" proposed ", "FINAL") == rule  # as people write statuses


def test_decisions_read_every_value_kind() -> None:
    config = load_config(
        "decisions:\n"
        "  Proposed->Final:\n"
        "    approvals: majority\n"
        "    approvers: [maintainers, octo-org/architects, '@Jdoe']\n"
        "    comment_period: 90M\n"
        "    remind_after: 3d\n"
        "    dismiss_on_change: true\n"
        '  "Final -> Deprecated": {approvals: all, comment_period: 0}\n'
        '  "Draft -> Proposed": {approvals: 1, comment_period: "0", remind_after: null}\n'
    )
    rule = config.decision_rule("Proposed", "Final")
    assert rule == DecisionRule(
        approvals="majority",
        approvers=("maintainers", "octo-org/architects", "Jdoe"),
        comment_period=timedelta(minutes=90),
        remind_after=timedelta(days=3),
        dismiss_on_change=True,
    )
    deprecate = config.decision_rule("Final", "Deprecated")
    assert deprecate == DecisionRule(approvals="all", comment_period=timedelta(0))
    assert config.decision_rule("Draft", "Proposed") == DecisionRule(
        approvals=1, comment_period=timedelta(0)
    )


def test_an_empty_decisions_mapping_turns_every_decision_off() -> None:
    assert load_config("decisions: {}\n").decision_rule("Proposed", "Final") is None


def test_decision_problems_name_line_and_key_with_a_hint() -> None:
    error = error_for(
        "decisions:\n"
        "  Proposed -> Final:\n"
        "    aprovals: 2\n"
        "    approvals: most\n"
        "    approvers: [maintainer, 'not a login', -bad-]\n"
        "    comment_period: 7 days\n"
        "    remind_after: 7\n"
        "    dismiss_on_change: sometimes\n"
        "  Proposed -> Finale: {}\n"
        "  Final -> Deprecated: {approvals: 0, approvers: [], comment_period: 400d}\n"
    )
    found = [(p.line, p.key, p.message) for p in error.problems]
    where = "decisions.Proposed -> Final"
    assert found[:9] == [
        (3, f"{where}.aprovals", found[0][2]),
        (4, f"{where}.approvals", "'most' is not a number, majority or all"),
        (
            5,
            f"{where}.approvers",
            "'maintainer' is not a group (did you mean 'maintainers'?); write @maintainer for a "
            "login",
        ),
        (
            5,
            f"{where}.approvers",
            "'not a login' is not maintainers, an org/team or a GitHub login",
        ),
        (5, f"{where}.approvers", "'-bad-' is not maintainers, an org/team or a GitHub login"),
        (
            6,
            f"{where}.comment_period",
            "'7 days' is not a duration: write a number and a unit s, m, h or d",
        ),
        (7, f"{where}.remind_after", "expected a duration such as 7d, got integer '7'"),
        (8, f"{where}.dismiss_on_change", "expected true or false, got string 'sometimes'"),
        (10, "decisions.Final -> Deprecated.approvals", "must be between 1 and 99, got 0"),
    ]
    assert found[0][2].startswith("unknown key (did you mean 'approvals'?)")
    assert (10, "decisions.Final -> Deprecated.approvers", "needs at least one approver") in found
    assert (
        10,
        "decisions.Final -> Deprecated.comment_period",
        "'400d' is longer than a year",
    ) in found
    [unknown] = error_for("decisions:\n  Proposed -> Finale: {}\n").problems
    assert (unknown.line, unknown.key) == (1, "decisions")
    assert unknown.message.startswith("unknown status 'Finale' (did you mean 'Final'?)")


def test_default_decisions_do_not_fail_a_config_that_renames_statuses() -> None:
    renamed = "statuses: [Idea, Accepted]\ninitial_status: Idea\ntransitions: {Idea: [Accepted]}\n"
    config = load_config(renamed + "permissions: {}\n")
    assert config.decision_rule("Idea", "Accepted") is None
    with pytest.raises(ConfigError, match="unknown status 'Final'"):
        load_config(renamed + "permissions: {}\ndecisions: {Idea -> Final: {}}\n")


@given(st.integers(0, 999_999), st.sampled_from(["s", "m", "h", "d"]))
@example(0, "d")
@example(60, "s")
@example(24, "h")
def test_a_duration_written_back_reads_the_same(count: int, unit: str) -> None:
    written = f"decisions:\n  Proposed -> Final: {{comment_period: {count}{unit}}}\n"
    try:
        rule = load_config(written).decision_rule("Proposed", "Final")
    except ConfigError as error:
        assert "longer than a year" in str(error)
        return
    assert rule is not None
    again = flow_yaml(rule.comment_period)
    reread = load_config(f"decisions:\n  Proposed -> Final: {{comment_period: {again}}}\n")
    assert reread.decision_rule("Proposed", "Final") == rule


def test_decisions_in_the_schema_accept_what_the_reader_accepts() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(json_schema_text()))
    good = {
        "decisions": {
            "Proposed -> Final": {
                "approvals": "majority",
                "approvers": ["maintainers", "octo-org/architects", "jdoe"],
                "comment_period": "7d",
                "remind_after": None,
                "dismiss_on_change": True,
            },
            "Final -> Deprecated": {"approvals": 1, "comment_period": 0},
        }
    }
    assert validator.is_valid(good)
    assert load_config(yaml.safe_dump(good)).decision_rule("final", "deprecated") is not None
    for bad in (
        {"approvals": 0},
        {"approvals": "most"},
        {"approvers": []},
        {"approvers": ["not a login"]},
        {"comment_period": "7 days"},
        {"dismiss_on_change": "yes"},
        {"quorum": 2},
    ):
        assert not validator.is_valid({"decisions": {"Proposed -> Final": bad}}), bad


def test_decision_values_of_the_wrong_shape() -> None:
    error = error_for(
        "decisions:\n  Proposed -> Final:\n"
        "    {approvals: [2], approvers: [[a]], comment_period: [1d]}\n"
    )
    assert [p.message for p in error.problems] == [
        "expected a number, majority or all, got a list",
        "expected a string, got a list",
        "expected a duration such as 7d, got a list",
    ]
    assert "| `decisions.<From -> To>.approvals` | integer 1–99, `majority` or `all` | `2` |" in (
        keys_table()
    )
