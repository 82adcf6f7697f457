"""load_config: YAML -> Config, with errors that name file, line and key."""

from __future__ import annotations

import pytest

from bot.rfc.config import (
    CONFIG_PATH,
    Config,
    ConfigError,
    LabelConfig,
    default_config_yaml,
    load_config,
)
from bot.rfc.rules import RULES


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
