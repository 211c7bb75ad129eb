"""Facts a news-led or situation-led brief needs, measured from the fact sheet's own bars (pure).

Added to the fact sheet (so the verifier grounds every number the writer takes from them):

- ``asset``: the asset class the brief is written for (``newsroom.assets``), its quote unit and,
  for a yield, the yield in % (``yield_pct``) and its moves in basis points (``change_bp``,
  ``change20_bp``, ``change60_bp``);
- ``tape``: the run of closes in one direction (``streak_days``, ``streak_pct``), the 20-session
  closing range (``range20_high``/``range20_low``/``range20_position_pct``, 0 at the low, 100 at
  the high), and the day's move in ATRs (``move_atr``);
- per news source: the close before the item was published (``since_close`` on
  ``since_bar_date``) and the move since (``move_since_pct``; a yield's also in basis points,
  ``move_since_bp``), when a bar before it is stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tapewire.newsroom import assets

RANGE_DAYS = 20


def add_tape_facts(facts: dict[str, Any]) -> None:
    """Adds ``asset`` and ``tape`` and the sources' moves since publication, in place."""
    inst, price = facts["instrument"], facts["price"]
    cls = assets.classify(inst["symbol"], inst["asset_class"], inst["name"])
    close = price.get("close")
    asset: dict[str, Any] = {
        "class": cls.key,
        "label": cls.label,
        "unit": assets.quote_unit(inst["symbol"], cls),
        "decimals": assets.price_decimals(cls, float(close or 0.0)),
        "hours": cls.hours,
        "trades_weekends": cls.trades_weekends,
        "components": list(cls.components),
    }
    if cls is assets.YIELD and close is not None:
        asset["yield_pct"] = float(close)
        if price.get("prev_close") is not None:
            asset["change_bp"] = round(
                assets.bp_change(float(close), float(price["prev_close"])), 1
            )
    facts["asset"] = asset
    chart = facts.get("chart") or {}
    dates = [date.fromisoformat(d) for d in chart.get("dates", [])]
    closes = [float(c) for c in chart.get("closes", [])]
    if cls is assets.YIELD:  # a yield's 20- and 60-session change in basis points
        for days in (20, 60):
            if len(closes) > days:
                asset[f"change{days}_bp"] = round(
                    assets.bp_change(closes[-1], closes[-1 - days]), 1
                )
    facts["tape"] = _tape(closes, price)
    for source in facts.get("news", []):
        source.update(_since(source["published_at"], dates, closes))
        if cls is assets.YIELD and source.get("move_since_pct") is not None:  # yields move in bp
            source["move_since_bp"] = round(assets.bp_change(closes[-1], source["since_close"]), 1)


def _tape(closes: list[float], price: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if len(closes) >= 2:
        up = closes[-1] > closes[-2]
        n = 0
        for a, b in zip(reversed(closes[:-1]), reversed(closes[1:]), strict=True):
            if (b > a) != up or b == a:
                break
            n += 1
        if n:
            out["streak_days"] = n
            out["streak_direction"] = "up" if up else "down"
            out["streak_pct"] = (closes[-1] / closes[-1 - n] - 1.0) * 100.0
    if len(closes) >= RANGE_DAYS:
        window = closes[-RANGE_DAYS:]
        hi, lo = max(window), min(window)
        out["range_days"] = RANGE_DAYS  # "20-session high/low/range" claims name this window
        out["range20_high"], out["range20_low"] = hi, lo
        if hi > lo:
            out["range20_position_pct"] = (closes[-1] - lo) / (hi - lo) * 100.0
    atr, close, change = price.get("atr14"), price.get("close"), price.get("change_pct")
    if atr and close and change is not None:
        out["move_atr"] = round(abs(change) / 100.0 * float(close) / float(atr), 2)
    return out


def _since(published_at: str, dates: list[date], closes: list[float]) -> dict[str, Any]:
    """The last close before the item's day and the move from it to the latest close."""
    day = datetime.fromisoformat(published_at).date()
    before = [i for i, d in enumerate(dates) if d < day]
    if not before:
        return {}
    i = before[-1]
    if i == len(closes) - 1:  # published after the latest bar: no close since
        return {"since_bar_date": dates[i].isoformat(), "since_close": closes[i]}
    return {
        "since_bar_date": dates[i].isoformat(),
        "since_close": closes[i],
        "move_since_pct": (closes[-1] / closes[i] - 1.0) * 100.0,
        "sessions_since": len(closes) - 1 - i,
    }
