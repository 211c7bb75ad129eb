"""The writer protocol and the draft it returns; number formats shared by writer and verifier."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Draft:
    headline: str
    dek: str
    sections: dict[
        str, Any
    ]  # analysis: [str], watch: [str], risks: [str], opportunities: [str], take: str
    tags: tuple[str, ...]
    writer: str
    notes: tuple[str, ...] = field(default=())

    def texts(self) -> list[str]:
        """Every sentence the verifier checks, in reading order."""
        out = [self.headline, self.dek]
        for key in ("analysis", "watch", "risks", "opportunities"):
            out.extend(self.sections.get(key, []))
        out.append(self.sections.get("take", ""))
        return [t for t in out if t]


class Writer(Protocol):
    name: str

    def write(self, facts: dict[str, Any]) -> Draft: ...


def fmt_price(value: float) -> str:
    """Prices: thousands separators, two decimals (``6,912.35``)."""
    return f"{value:,.2f}"


def fmt_pct(value: float) -> str:
    """Percentages: one decimal, no sign (the verb carries it): ``2.3%``."""
    return f"{abs(value):.1f}%"


def fmt_date(value: date | datetime | str) -> str:
    """Dates: ``Nov 23, 2026``."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return f"{value:%b} {value.day}, {value.year}"
