"""GitHub Actions expressions (``${{ ... }}``), evaluated as the runner evaluates them.

No library on PyPI evaluates them (actionlint checks them, ``act`` runs whole workflows in
Docker), so this is a small evaluator of the documented language
(docs.github.com: "Evaluate expressions in workflows and actions"):

- literals: ``null``, ``true``, ``false``, numbers, ``'strings'`` (``''`` is a quote);
- contexts and their properties: ``github.event.pull_request.base.sha``, ``steps.x.outputs
  ['a-b']``, ``steps.*.outputs`` (property names ignore case; a missing one is ``null``; an
  unknown context is an error, as "Unrecognized named-value" is);
- operators ``( ) [ ] . ! < <= > >= == != && ||``, where ``&&`` and ``||`` return an operand,
  not a boolean (``inputs.base || github.event.pull_request.base.sha``), strings compare
  ignoring case and mixed types compare as numbers;
- functions: ``contains``, ``startsWith``, ``endsWith``, ``format``, ``join``, ``toJSON``,
  ``fromJSON``, ``hashFiles`` (given by the caller: it reads the workspace) and the status
  checks ``success``, ``failure``, ``always``, ``cancelled``.

An ``if:`` without a status check means ``success() && (...)``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Value = Any  # None, bool, float, str, list, dict
Function = Callable[..., Value]

STATUS_FUNCTIONS = frozenset({"success", "failure", "always", "cancelled"})

# One token at a time from a position: no alternative overlaps another's first character
# except numbers and names, tried in that order, so the scan is linear.
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<number>-?(?:0x[0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?))
    | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()\[\],.*])
    | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
    )""",
    re.X,
)
_INTERPOLATION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_KEYWORDS: Mapping[str, Value] = {
    "null": None,
    "true": True,
    "false": False,
    "NaN": math.nan,
    "Infinity": math.inf,
}


class ExpressionError(Exception):
    """An expression the runner would refuse (the workflow fails before the step)."""


@dataclass(frozen=True)
class Token:
    kind: str  # string, number, op, name, end
    text: str


def tokens(source: str) -> Iterator[Token]:
    position = 0
    while position < len(source):
        if source[position:].strip() == "":
            break
        match = _TOKEN.match(source, position)
        if match is None or match.lastgroup is None:
            raise ExpressionError(f"unexpected symbol at {position}: {source[position:]!r}")
        yield Token(match.lastgroup, match[match.lastgroup])
        position = match.end()
    yield Token("end", "")


# --- the syntax tree: tuples, evaluated by ``_eval`` ------------------------------------------


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = list(tokens(source))
        self.at = 0

    def parse(self) -> tuple[Any, ...]:
        tree = self.binary(0)
        if self.peek().kind != "end":
            raise ExpressionError(f"unexpected {self.peek().text!r} in {self.source!r}")
        return tree

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self, text: str | None = None) -> Token:
        token = self.tokens[self.at]
        if text is not None and token.text != text:
            raise ExpressionError(f"expected {text!r}, found {token.text!r} in {self.source!r}")
        self.at += 1
        return token

    LEVELS = (("||",), ("&&",), ("==", "!="), ("<", "<=", ">", ">="))

    def binary(self, level: int) -> tuple[Any, ...]:
        if level == len(self.LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek().kind == "op" and self.peek().text in self.LEVELS[level]:
            operator = self.take().text
            left = ("op", operator, left, self.binary(level + 1))
        return left

    def unary(self) -> tuple[Any, ...]:
        if self.peek().text == "!" and self.peek().kind == "op":
            self.take()
            return ("not", self.unary())
        return self.postfix(self.primary())

    def primary(self) -> tuple[Any, ...]:
        token = self.take()
        if token.kind == "string":
            return ("literal", token.text[1:-1].replace("''", "'"))
        if token.kind == "number":
            return ("literal", _number(token.text))
        if token.kind == "op" and token.text == "(":
            inner = self.binary(0)
            self.take(")")
            return inner
        if token.kind == "name":
            if token.text in _KEYWORDS:
                return ("literal", _KEYWORDS[token.text])
            if self.peek().text == "(":
                return ("call", token.text, self.arguments())
            return ("context", token.text)
        raise ExpressionError(f"unexpected {token.text!r} in {self.source!r}")

    def arguments(self) -> list[tuple[Any, ...]]:
        self.take("(")
        found: list[tuple[Any, ...]] = []
        while self.peek().text != ")":
            found.append(self.binary(0))
            if self.peek().text != ")":
                self.take(",")
        self.take(")")
        return found

    def postfix(self, tree: tuple[Any, ...]) -> tuple[Any, ...]:
        while self.peek().kind == "op" and self.peek().text in (".", "["):
            if self.take().text == ".":
                name = self.take()
                if name.kind == "op" and name.text == "*":
                    tree = ("star", tree)
                elif name.kind == "name":
                    tree = ("index", tree, ("literal", name.text))
                else:
                    raise ExpressionError(f"a property name after '.' in {self.source!r}")
            else:
                key = self.binary(0)
                self.take("]")
                tree = ("index", tree, key)
        return tree


def parse(source: str) -> tuple[Any, ...]:
    return _Parser(source).parse()


def calls_status_function(tree: tuple[Any, ...]) -> bool:
    if tree[0] == "call" and tree[1].lower() in STATUS_FUNCTIONS:
        return True
    return any(
        calls_status_function(part)
        for part in (*tree[1:], *(tree[2] if tree[0] == "call" else ()))
        if isinstance(part, tuple)
    )


# --- values ---------------------------------------------------------------------------------


def _number(text: str) -> float:
    text = text.strip()
    if text == "":
        return 0.0
    try:
        return float(int(text, 16)) if text.lower().lstrip("-").startswith("0x") else float(text)
    except ValueError:
        return math.nan


def to_number(value: Value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return _number(value)
    return math.nan


def truthy(value: Value) -> bool:
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return value is not None and value is not False and value != 0


def to_string(value: Value) -> str:
    """A value as interpolation writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2)


def _kind(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "string" if isinstance(value, str) else "object"


def loosely_equal(left: Value, right: Value) -> bool:
    kinds = (_kind(left), _kind(right))
    if kinds == ("string", "string"):
        return str(left).casefold() == str(right).casefold()
    if kinds[0] == kinds[1] and kinds[0] in ("null", "bool"):
        return bool(left == right)
    if "object" in kinds:
        return left is right
    return to_number(left) == to_number(right)


def _compare(operator: str, left: Value, right: Value) -> bool:
    if (_kind(left), _kind(right)) == ("string", "string"):
        a: Any = str(left).casefold()
        b: Any = str(right).casefold()
    else:
        a, b = to_number(left), to_number(right)
        if math.isnan(a) or math.isnan(b):
            return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[operator]


class Filtered(list[Value]):
    """The result of ``.*``: a property of it is that property of each of its items."""


def _property(value: Value, key: Value) -> Value:
    if isinstance(value, Filtered):
        picked = (_property(item, key) for item in value)
        return Filtered(item for item in picked if item is not None)
    if isinstance(value, dict):
        if isinstance(key, str):
            wanted = key.casefold()
            return next((v for k, v in value.items() if str(k).casefold() == wanted), None)
        return None
    if isinstance(value, list) and not isinstance(key, str):
        index = to_number(key)
        if index.is_integer() and 0 <= index < len(value):
            return value[int(index)]
    return None


def _format(template: str, *arguments: Value) -> str:
    def replace(match: re.Match[str]) -> str:
        if match[0] in ("{{", "}}"):
            return match[0][0]
        index = int(match[1])
        if index >= len(arguments):
            raise ExpressionError(f"format: no argument {index} for {template!r}")
        return to_string(arguments[index])

    return re.sub(r"\{\{|\}\}|\{(\d+)\}", replace, template)


def _contains(search: Value, item: Value) -> bool:
    if isinstance(search, list):
        return any(loosely_equal(element, item) for element in search)
    return to_string(item).casefold() in to_string(search).casefold()


BUILTINS: Mapping[str, Function] = {
    "contains": _contains,
    "startswith": lambda s, p: to_string(s).casefold().startswith(to_string(p).casefold()),
    "endswith": lambda s, p: to_string(s).casefold().endswith(to_string(p).casefold()),
    "format": lambda template, *args: _format(to_string(template), *args),
    "join": lambda array, sep=",": (
        to_string(sep).join(to_string(v) for v in array)
        if isinstance(array, list)
        else to_string(array)
    ),
    "tojson": lambda value: json.dumps(value, indent=2),
    "fromjson": lambda text: json.loads(to_string(text)),
}


@dataclass(frozen=True)
class Scope:
    """What an expression can see: its contexts and the functions of its place."""

    contexts: Mapping[str, Value]
    functions: Mapping[str, Function]

    def evaluate(self, source: str) -> Value:
        return self.run(parse(source))

    def run(self, tree: tuple[Any, ...]) -> Value:
        kind = tree[0]
        if kind == "literal":
            return tree[1]
        if kind == "context":
            name = tree[1].casefold()
            found = {key.casefold(): value for key, value in self.contexts.items()}
            if name not in found:
                raise ExpressionError(f"Unrecognized named-value: '{tree[1]}'")
            return found[name]
        if kind == "index":
            return _property(self.run(tree[1]), self.run(tree[2]))
        if kind == "star":
            value = self.run(tree[1])
            items = value.values() if isinstance(value, dict) else value
            return Filtered(items) if isinstance(value, dict | list) else Filtered()
        if kind == "not":
            return not truthy(self.run(tree[1]))
        if kind == "call":
            return self._call(tree[1], [self.run(argument) for argument in tree[2]])
        return self._operator(tree[1], tree[2], tree[3])

    def _operator(self, operator: str, left_tree: Any, right_tree: Any) -> Value:
        left = self.run(left_tree)
        if operator == "&&":
            return self.run(right_tree) if truthy(left) else left
        if operator == "||":
            return left if truthy(left) else self.run(right_tree)
        right = self.run(right_tree)
        if operator == "==":
            return loosely_equal(left, right)
        if operator == "!=":
            return not loosely_equal(left, right)
        return _compare(operator, left, right)

    def _call(self, name: str, arguments: list[Value]) -> Value:
        functions = {**BUILTINS, **{key.lower(): f for key, f in self.functions.items()}}
        function = functions.get(name.lower())
        if function is None:
            raise ExpressionError(f"Unrecognized function: '{name}'")
        return function(*arguments)

    def interpolate(self, text: str) -> str:
        """Every ``${{ ... }}`` in ``text`` replaced by its value as a string."""
        return _INTERPOLATION.sub(lambda match: to_string(self.evaluate(match[1])), text)

    def value_of(self, text: str) -> Value:
        """A YAML value: one whole ``${{ ... }}`` keeps its type, anything else is a string."""
        whole = _INTERPOLATION.fullmatch(text.strip())
        return self.evaluate(whole[1]) if whole else self.interpolate(text)

    def condition(self, text: str | bool | None) -> bool:
        """An ``if:``: with or without ``${{ }}``; no status check means ``success() && ...``."""
        if text is None or text == "":
            return truthy(self.run(("call", "success", [])))
        if isinstance(text, bool):
            text = "true" if text else "false"
        source = text.strip()
        whole = _INTERPOLATION.fullmatch(source)
        if whole:
            source = whole[1]
        elif "${{" in source:
            source = "'" + self.interpolate(text.strip()).replace("'", "''") + "'"
        tree = parse(source)
        if not calls_status_function(tree):
            tree = ("op", "&&", ("call", "success", []), tree)
        return truthy(self.run(tree))
