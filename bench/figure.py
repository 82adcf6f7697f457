"""What every benchmark returns: named figures, each with an optional baseline and target."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """``value`` (or ``value / baseline`` when ``on_ratio``) must be ``<=`` or ``>=`` bound."""

    bound: float
    at_most: bool
    on_ratio: bool = False

    def __str__(self) -> str:
        subject = "ratio " if self.on_ratio else ""
        return f"{subject}{'<=' if self.at_most else '>='} {self.bound:g}"


@dataclass(frozen=True)
class Figure:
    """One measured number; ``baseline`` is what it is compared to, in the same unit."""

    name: str
    value: float
    unit: str
    baseline: float | None = None
    target: Target | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

    @property
    def met(self) -> bool | None:
        """Whether the target is met; None when there is no target (or no ratio to judge)."""
        if self.target is None:
            return None
        subject = self.ratio if self.target.on_ratio else self.value
        if subject is None:
            return None
        return subject <= self.target.bound if self.target.at_most else subject >= self.target.bound


def at_least(bound: float, *, on_ratio: bool = False) -> Target:
    return Target(bound, at_most=False, on_ratio=on_ratio)


def at_most(bound: float, *, on_ratio: bool = False) -> Target:
    return Target(bound, at_most=True, on_ratio=on_ratio)


def number(value: float | None) -> str:
    """A figure's value for a table: three significant digits, thousands kept whole."""
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def table(figures: list[Figure]) -> str:
    """A Markdown table: figure, value, baseline, ratio, target, met?"""
    rows = [("figure", "value", "baseline", "ratio", "target", "met?")]
    for figure in figures:
        unit = f" {figure.unit}" if figure.unit else ""
        met = {True: "yes", False: "NO", None: "-"}[figure.met]
        rows.append(
            (
                figure.name,
                number(figure.value) + unit,
                number(figure.baseline) + (unit if figure.baseline is not None else ""),
                f"{figure.ratio:.2f}x" if figure.ratio is not None else "-",
                str(figure.target) if figure.target else "-",
                met,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
             for row in rows]  # fmt: skip
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)


def print_figures(figures: list[Figure]) -> None:
    """The table, then each figure's note (what exactly was measured)."""
    print(table(figures))
    notes = [f"- {f.name}: {f.note}" for f in figures if f.note]
    if notes:
        print()
        print("\n".join(notes))
