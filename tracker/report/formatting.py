"""Number formatting shared by the text and HTML renderings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

DASH = "-"

FAMILY_NAMES = {
    "data_scientist": "Data scientist",
    "ml_engineer": "ML engineer",
    "ai_engineer": "AI engineer",
    "applied_scientist": "Applied scientist",
    "data_analyst": "Data analyst",
    "data_engineer": "Data engineer",
    "other": "Other",
}


def family_name(family: str) -> str:
    """A family id as a readable name."""
    return FAMILY_NAMES.get(family, family.replace("_", " ").capitalize())


def money(value: Any, currency: str = "", signed: bool = False) -> str:
    """12345.6 -> '12,346 USD' ('-' when missing)."""
    if value is None:
        return DASH
    text = f"{value:+,.0f}" if signed else f"{value:,.0f}"
    return f"{text} {currency}".strip()


def pct(value: Any, signed: bool = True, digits: int = 1) -> str:
    """12.34 -> '+12.3 %' ('-' when missing)."""
    if value is None:
        return DASH
    return f"{value:+.{digits}f} %" if signed else f"{value:.{digits}f} %"


def pp(value: Any, digits: int = 1, unit: str = "pp") -> str:
    """A signed change in percentage points: 1.234 -> '+1.2 pp'."""
    return DASH if value is None else f"{value:+.{digits}f} {unit}"


def share(value: Any) -> str:
    """0.4567 -> '45.7 %'."""
    return DASH if value is None else f"{value * 100:.1f} %"


def number(value: Any, digits: int = 0) -> str:
    """A count or a decimal ('-' when missing)."""
    if value is None:
        return DASH
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def ci(pair: Sequence[Any] | None, unit: str = "%") -> str:
    """[1.2, 3.4] -> '+1.2 .. +3.4 %'."""
    if not pair or pair[0] is None or pair[1] is None:
        return DASH
    return f"{pair[0]:+.1f} .. {pair[1]:+.1f}{(' ' + unit) if unit else ''}"


def p_value(value: Any) -> str:
    """A p-value: '< 0.001' below a thousandth."""
    if value is None:
        return DASH
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def window(win: dict[str, Any] | None) -> str:
    """{'from': 'W44', 'to': 'W47'} -> '2026-W44..2026-W47'."""
    if not win:
        return DASH
    return win["to"] if win.get("weeks", 1) == 1 else f"{win['from']}..{win['to']}"


FILTERS = {
    "family_name": family_name,
    "money": money,
    "pct": pct,
    "share": share,
    "pp": pp,
    "number": number,
    "ci": ci,
    "p_value": p_value,
    "window": window,
}
