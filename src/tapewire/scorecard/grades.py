"""Grades (pure, numpy): every figure beside baselines on the same calls, with a 90% interval.

Input: graded calls (``Graded``: what each call said and what followed, the JSON the outcome
table stores). Output: a ``Scorecard`` of plain numbers (the CLI, API and page show it).

- **Hit rate** at 1, 5 and 20 sessions on the excess return: Bullish hits when it is > 0,
  Bearish when < 0, Neutral when the move is small: |excess| < NEUTRAL_ATR x ATR% x sqrt(h).
  Baselines on the same calls: always Bullish; the sign of the trailing 20-day return
  (momentum); a random call with the calls' own base rates (its expected hit rate).
- **Pulse deciles**: mean excess return per decile of Pulse (edges from all calls).
- **IC**: Spearman rank correlation of Pulse with the excess return. Baselines: the trailing
  20-day return and its sign (a constant or random call has IC 0).
- **Threat and Risk vs forward volatility**: Spearman of each with the next 20 sessions'
  realized volatility, beside the persistence baseline (the trailing 20-day volatility).
- **Levels**: the share of named levels that held within 5 and 20 sessions beside random levels
  at the same distances (each level's distance given to another call of the same side and kind
  group, RANDOM_DRAWS shuffles).
- **Intervals**: 90% moving-block bootstrap by date (blocks of BLOCK_DAYS consecutive dates, all
  calls of a date together: calls on nearby days and on one day overlap and are not independent).
  A history too short for MIN_BLOCKS blocks of BLOCK_DAYS gets shorter blocks; below
  MIN_INTERVAL_DAYS dates there is no interval at all (one block resampled is the sample itself:
  a zero-width "interval" would claim a certainty the data does not hold).
- **Walk-forward**: Pulse's component weights tuned (grid, best IC at 5 sessions) only on calls
  before a split date and graded on calls from it on, beside the shipped weights; only with at
  least MIN_SPLIT_DAYS dates on each side (a month's scorecard has no walk-forward of its own).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from tapewire.newsroom.assets import in_basis_points
from tapewire.scorecard.calls import PULSE_COMPONENTS
from tapewire.scorecard.outcomes import HORIZONS, LEVEL_HORIZONS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
NEUTRAL_ATR = 0.5
BLOCK_DAYS = 20
MIN_BLOCKS = 5  # a bootstrap resamples at least this many blocks (shorter blocks on short history)
MIN_INTERVAL_DAYS = 10  # fewer dates than this: a figure has no interval
MIN_SPLIT_DAYS = 60  # dates needed on each side of the walk-forward split (about 3 months)
REPS = 200
GROUP_REPS = 100
SEED = 20261213
RANDOM_DRAWS = 5
LEVEL_GROUPS = {
    "support": "support/resistance",
    "resistance": "support/resistance",
    "round": "round",
    "sma50": "sma50",
    "sma200": "sma200",
    "high52": "high52/low52",
    "low52": "high52/low52",
}
WEIGHT_GRID = (-1.0, -0.5, 0.0, 0.5, 1.0)
SHIPPED_WEIGHTS = {"news": 0.6, "trend": 0.8, "momentum": 0.6, "relative_strength": 0.4}
DIRECTIONS = ("Bullish", "Neutral", "Bearish")
RISKS = {"Low": 0.0, "Medium": 1.0, "High": 2.0}


@dataclass(frozen=True, slots=True)
class Graded:
    """One call and what followed (the outcome table's row, flattened)."""

    key: str
    kind: str
    symbol: str
    asset_class: str
    trigger: str
    entry_date: date
    direction: str
    pulse: float
    threat: int | None
    risk: str | None
    components: dict[str, float | None]
    return20_pct: float | None
    atr_pct: float | None
    vol_before: float | None
    measured: dict[str, object]
    levels: list[dict[str, object]]
    slug: str | None = None
    entry_close: float | None = None  # the close the call was made on (a yield: in percent)


@dataclass(frozen=True, slots=True)
class Figure:
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _num(x: object) -> float:
    return float(x) if isinstance(x, int | float) else math.nan


class Columns:
    """The calls as arrays, sorted by entry date, with the date blocks for the bootstrap."""

    def __init__(self, calls: Sequence[Graded]) -> None:
        calls = sorted(calls, key=lambda c: (c.entry_date, c.symbol))
        self.calls = calls
        self.n = len(calls)
        self.day = np.array([c.entry_date.toordinal() for c in calls], dtype=np.int64)
        self.pulse = np.array([c.pulse for c in calls], dtype=np.float64)
        self.direction = np.array(
            [DIRECTIONS.index(c.direction) if c.direction in DIRECTIONS else 1 for c in calls],
            dtype=np.intp,
        )
        self.threat = np.array([_num(c.threat) for c in calls])
        self.risk = np.array([RISKS.get(c.risk or "", math.nan) for c in calls])
        self.r20_before = np.array([_num(c.return20_pct) for c in calls])
        self.atr_pct = np.array([_num(c.atr_pct) for c in calls])
        self.vol_before = np.array([_num(c.vol_before) for c in calls])
        self.comp = {
            name: np.array([_num(c.components.get(name)) for c in calls])
            for name in PULSE_COMPONENTS
        }
        self.excess = {
            h: np.array([_num(_get(c.measured, "excess", h)) for c in calls]) for h in HORIZONS
        }
        self.vol_after = np.array([_num(c.measured.get("realized_vol20_pct")) for c in calls])
        self.days, self.first = np.unique(self.day, return_index=True)
        self.count = np.diff(np.append(self.first, self.n))

    def subset(self, mask: npt.NDArray[np.bool_]) -> Columns:
        return Columns([c for c, m in zip(self.calls, mask.tolist(), strict=True) if m])


def _get(measured: dict[str, object], name: str, h: int) -> object:
    block = measured.get(name)
    return block.get(str(h)) if isinstance(block, dict) else None


def ranks(x: FloatArray) -> FloatArray:
    """Average ranks (ties share their mean rank)."""
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    new = np.ones(len(x), dtype=bool)
    new[1:] = xs[1:] != xs[:-1]
    group = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], len(x))
    avg = (starts + ends - 1) / 2.0
    out = np.empty(len(x))
    out[order] = avg[group]
    return out


def spearman(a: FloatArray, b: FloatArray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3:
        return math.nan
    ra, rb = ranks(a[ok]), ranks(b[ok])
    ra -= ra.mean()
    rb -= rb.mean()
    den = math.sqrt(float((ra * ra).sum() * (rb * rb).sum()))
    return float((ra * rb).sum() / den) if den > 0 else 0.0


class Bootstrap:
    """Moving-block bootstrap by date: resampled call indices, the same for every statistic."""

    def __init__(self, cols: Columns, reps: int, seed: int = SEED) -> None:
        rng = np.random.default_rng(seed)
        n_days = len(cols.days)
        block = max(1, min(BLOCK_DAYS, n_days // MIN_BLOCKS))
        n_blocks = max(1, math.ceil(n_days / block))
        self.samples: list[IntArray] = []
        for _ in range(reps if n_days >= MIN_INTERVAL_DAYS else 0):
            starts = rng.integers(0, n_days - block + 1, n_blocks)
            days = (starts[:, None] + np.arange(block)[None, :]).ravel()[:n_days]
            firsts, counts = cols.first[days], cols.count[days]
            total = int(counts.sum())
            offs = np.repeat(firsts - np.cumsum(counts) + counts, counts)
            self.samples.append((offs + np.arange(total)).astype(np.intp))

    def figure(self, stat: Callable[[IntArray], float], n: int) -> Figure:
        full = stat(np.arange(n, dtype=np.intp))
        if math.isnan(full):
            return Figure(None, n=0)
        values = np.array([stat(s) for s in self.samples])
        values = values[~np.isnan(values)]
        if not len(values):
            return Figure(full, n=n)
        lo, hi = np.quantile(values, [0.05, 0.95])
        return Figure(float(full), float(lo), float(hi), n)


def hits(cols: Columns, h: int, direction: IntArray) -> FloatArray:
    """1.0 hit, 0.0 miss, NaN unknown, for the calls read as ``direction`` (0 Bull, 1 Neutral,
    2 Bear)."""
    x = cols.excess[h]
    small = np.abs(x) < NEUTRAL_ATR * cols.atr_pct * math.sqrt(h)
    out = np.where(direction == 0, x > 0, np.where(direction == 2, x < 0, small)).astype(float)
    unknown = np.isnan(x) | ((direction == 1) & np.isnan(cols.atr_pct))
    out[unknown] = math.nan
    return out


def _mean(x: FloatArray) -> float:
    x = x[~np.isnan(x)]
    return float(x.mean()) if len(x) else math.nan


def mean_of(x: FloatArray) -> Callable[[IntArray], float]:
    """The statistic "mean of x over the sampled calls" (NaN ignored)."""
    return lambda s: _mean(x[s])


def ic_of(a: FloatArray, b: FloatArray) -> Callable[[IntArray], float]:
    return lambda s: spearman(a[s], b[s])


@dataclass(slots=True)
class Scorecard:
    n_calls: int
    first: str | None
    last: str | None
    kinds: dict[str, int]
    with_news: int  # calls whose Pulse had a news component
    hit: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)
    ic: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)
    deciles: list[dict[str, object]] = field(default_factory=list)
    hit_by_band: dict[str, dict[str, object]] = field(default_factory=dict)
    threat: dict[str, object] = field(default_factory=dict)
    risk: dict[str, object] = field(default_factory=dict)
    levels: list[dict[str, object]] = field(default_factory=list)
    groups: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    walk_forward: dict[str, object] = field(default_factory=dict)
    worst: list[dict[str, object]] = field(default_factory=list)
    verdict: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def grade(
    calls: Sequence[Graded],
    *,
    reps: int = REPS,
    group_reps: int = GROUP_REPS,
    split: date | None = None,
    groups: bool = True,
    walk: bool = True,
) -> Scorecard:
    cols = Columns(calls)
    kinds: dict[str, int] = {}
    for c in cols.calls:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    card = Scorecard(
        n_calls=cols.n,
        first=cols.calls[0].entry_date.isoformat() if cols.n else None,
        last=cols.calls[-1].entry_date.isoformat() if cols.n else None,
        kinds=kinds,
        with_news=int((~np.isnan(cols.comp["news"])).sum()) if cols.n else 0,
    )
    if cols.n < 3:
        card.verdict = "Too few graded calls to say anything yet."
        return card
    boot = Bootstrap(cols, reps)
    for h in HORIZONS:
        card.hit[str(h)] = {k: f.as_dict() for k, f in hit_figures(cols, boot, h).items()}
        card.ic[str(h)] = {k: f.as_dict() for k, f in ic_figures(cols, boot, h).items()}
    card.deciles = decile_figures(cols, boot, 5)
    pulse_hits = hits(cols, 5, cols.direction)
    for k, name in enumerate(DIRECTIONS):
        mask = cols.direction == k
        hit_k = np.where(mask, pulse_hits, math.nan)
        card.hit_by_band[name] = boot.figure(mean_of(hit_k), cols.n).as_dict()
        card.hit_by_band[name]["n"] = int((mask & ~np.isnan(pulse_hits)).sum())
    card.threat = vol_figures(cols, boot, cols.threat)
    card.risk = vol_figures(cols, boot, cols.risk)
    card.levels = level_figures(cols, boot)
    if groups:
        card.groups = group_figures(cols, group_reps)
    card.worst = worst_calls(cols)
    if walk:
        card.walk_forward = walk_forward(cols, split=split, reps=reps)
        card.verdict = verdict(card)
    else:
        card.verdict = period_verdict(card)
    return card


def hit_figures(cols: Columns, boot: Bootstrap, h: int) -> dict[str, Figure]:
    n = cols.n
    pulse = hits(cols, h, cols.direction)
    bull = hits(cols, h, np.zeros(n, dtype=np.intp))
    mom_dir = np.where(np.isnan(cols.r20_before), -1, np.where(cols.r20_before > 0, 0, 2))
    mom = np.where(mom_dir < 0, math.nan, hits(cols, h, np.maximum(mom_dir, 0)))
    as_each = [hits(cols, h, np.full(n, k, dtype=np.intp)) for k in range(3)]

    def random_rate(s: IntArray) -> float:
        d = cols.direction[s]
        total = 0.0
        for k in range(3):
            share = float((d == k).mean())
            if share:
                total += share * _mean(as_each[k][s])
        return total

    return {
        "pulse": boot.figure(mean_of(pulse), n),
        "always_bullish": boot.figure(mean_of(bull), n),
        "momentum_sign": boot.figure(mean_of(mom), n),
        "random_same_rates": boot.figure(random_rate, n),
    }


def ic_figures(
    cols: Columns, boot: Bootstrap, h: int, score: FloatArray | None = None
) -> dict[str, Figure]:
    x = cols.excess[h]
    s_pulse = cols.pulse if score is None else score
    sign = np.sign(cols.r20_before)
    return {
        "pulse": boot.figure(ic_of(s_pulse, x), cols.n),
        "momentum_return20": boot.figure(ic_of(cols.r20_before, x), cols.n),
        "momentum_sign": boot.figure(ic_of(sign, x), cols.n),
    }


def decile_figures(cols: Columns, boot: Bootstrap, h: int) -> list[dict[str, object]]:
    edges = np.unique(np.quantile(cols.pulse, np.linspace(0, 1, 11)))
    bins = np.clip(np.searchsorted(edges, cols.pulse, side="right") - 1, 0, len(edges) - 2)
    x = cols.excess[h]
    out = []
    for b in range(len(edges) - 1):
        mask = bins == b
        xb = np.where(mask, x, math.nan)
        fig = boot.figure(mean_of(xb), cols.n).as_dict()
        fig["n"] = int((mask & ~np.isnan(x)).sum())
        out.append(
            {
                "decile": b + 1,
                "pulse_from": float(edges[b]),
                "pulse_to": float(edges[b + 1]),
                "mean_excess_pct": fig,
            }
        )
    return out


def vol_figures(cols: Columns, boot: Bootstrap, score: FloatArray) -> dict[str, object]:
    y = cols.vol_after
    by_value = []
    for v in np.unique(score[~np.isnan(score)]):
        mask = score == v
        by_value.append(
            {"value": float(v), "n": int(mask.sum()), "mean_forward_vol": _mean(y[mask])}
        )
    return {
        "spearman_forward_vol": boot.figure(ic_of(score, y), cols.n).as_dict(),
        "baseline_trailing_vol": boot.figure(ic_of(cols.vol_before, y), cols.n).as_dict(),
        "by_value": by_value,
    }


def level_figures(cols: Columns, boot: Bootstrap) -> list[dict[str, object]]:
    """Hold rates of named levels beside random levels at the same distances."""
    rows: list[tuple[int, str, str, float, float, float, float, float]] = []
    for i, c in enumerate(cols.calls):
        levels = c.measured.get("levels")
        lo = {h: _num(_get(c.measured, "min_close_pct", h)) for h in LEVEL_HORIZONS}
        hi = {h: _num(_get(c.measured, "max_close_pct", h)) for h in LEVEL_HORIZONS}
        for lv in levels if isinstance(levels, list) else []:
            edge = _num(lv.get("edge_pct"))
            if math.isnan(edge):
                continue
            rows.append(
                (
                    i,
                    LEVEL_GROUPS.get(str(lv.get("kind")), "other"),
                    str(lv.get("side")),
                    edge,
                    lo[5],
                    lo[20],
                    hi[5],
                    hi[20],
                )
            )
    out: list[dict[str, object]] = []
    if not rows:
        return out
    idx = np.array([r[0] for r in rows], dtype=np.intp)
    group = np.array([r[1] for r in rows])
    side = np.array([r[2] for r in rows])
    dist = np.array([r[3] for r in rows])
    ext = {
        ("below", 5): np.array([r[4] for r in rows]),
        ("below", 20): np.array([r[5] for r in rows]),
        ("above", 5): np.array([r[6] for r in rows]),
        ("above", 20): np.array([r[7] for r in rows]),
    }
    rng = np.random.default_rng(SEED)
    # call index -> its level rows, so a bootstrap sample of calls selects their levels
    order = np.argsort(idx, kind="mergesort")
    starts = np.searchsorted(idx[order], np.arange(cols.n), "left")
    ends = np.searchsorted(idx[order], np.arange(cols.n), "right")

    def rows_of(s: IntArray) -> IntArray:
        counts = ends[s] - starts[s]
        total = int(counts.sum())
        offs = np.repeat(starts[s] - np.cumsum(counts) + counts, counts)
        return order[(offs + np.arange(total)).astype(np.intp)]

    for g in sorted(set(group.tolist())):
        for h in LEVEL_HORIZONS:
            mask = group == g
            held = np.full(len(rows), math.nan)
            rand = np.full(len(rows), math.nan)
            for sd in ("below", "above"):
                m = mask & (side == sd)
                if not m.any():
                    continue
                e = ext[(sd, h)][m]
                d = dist[m]
                held[m] = np.where(np.isnan(e), math.nan, (e >= d) if sd == "below" else (e <= d))
                draws = []
                for _ in range(RANDOM_DRAWS):
                    rd = rng.permutation(d)
                    draws.append(
                        np.where(np.isnan(e), math.nan, (e >= rd) if sd == "below" else (e <= rd))
                    )
                with warnings.catch_warnings():  # a level whose path is not in yet: NaN
                    warnings.simplefilter("ignore", RuntimeWarning)
                    rand[m] = np.nanmean(np.array(draws), axis=0)
            real = boot.figure(_rows_mean(held, rows_of), cols.n)
            base = boot.figure(_rows_mean(rand, rows_of), cols.n)
            ratio = boot.figure(_rows_ratio(held, rand, rows_of), cols.n)
            out.append(
                {
                    "group": g,
                    "horizon": h,
                    "n": int((mask & ~np.isnan(held)).sum()),
                    "held": real.as_dict(),
                    "random": base.as_dict(),
                    "ratio": ratio.as_dict(),
                }
            )
    return out


def _rows_mean(
    x: FloatArray, rows_of: Callable[[IntArray], IntArray]
) -> Callable[[IntArray], float]:
    return lambda s: _mean(x[rows_of(s)])


def _rows_ratio(
    a: FloatArray, b: FloatArray, rows_of: Callable[[IntArray], IntArray]
) -> Callable[[IntArray], float]:
    def stat(s: IntArray) -> float:
        rows = rows_of(s)
        den = _mean(b[rows])
        return _mean(a[rows]) / den if den else math.nan

    return stat


GROUP_KEYS: dict[str, Callable[[Graded], str]] = {
    "instrument": lambda c: c.symbol,
    "asset_class": lambda c: c.asset_class,
    "trigger": lambda c: c.trigger,
    "year": lambda c: str(c.entry_date.year),
}


def group_figures(cols: Columns, reps: int) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for name, key in GROUP_KEYS.items():
        labels = np.array([key(c) for c in cols.calls])
        rows = []
        for label in sorted(set(labels.tolist())):
            sub = cols.subset(labels == label)
            if sub.n < 3:
                continue
            boot = Bootstrap(sub, reps)
            pulse_hits = hits(sub, 5, sub.direction)
            bull = hits(sub, 5, np.zeros(sub.n, dtype=np.intp))
            rows.append(
                {
                    "label": label,
                    "n": sub.n,
                    "hit5": boot.figure(mean_of(pulse_hits), sub.n).as_dict(),
                    "always_bullish5": boot.figure(mean_of(bull), sub.n).as_dict(),
                    "ic5": boot.figure(ic_of(sub.pulse, sub.excess[5]), sub.n).as_dict(),
                }
            )
        out[name] = rows
    return out


def pulse_score(cols: Columns, weights: dict[str, float]) -> FloatArray:
    """Pulse (before rounding) with other weights: 50 + 50 tanh(sum w c), missing = 0."""
    total = np.zeros(cols.n)
    for name, w in weights.items():
        total += w * np.nan_to_num(cols.comp[name], nan=0.0)
    return 50.0 + 50.0 * np.tanh(total)


def walk_forward(cols: Columns, *, split: date | None, reps: int) -> dict[str, object]:
    """Tune the bar-based component weights on calls before ``split``; grade from it on."""
    if split is None:
        split = date.fromordinal(int(cols.days[len(cols.days) // 2]))
    train = cols.subset(cols.day < split.toordinal())
    test = cols.subset(cols.day >= split.toordinal())
    if train.n < 30 or test.n < 30:
        return {"split": split.isoformat(), "note": "too few calls on one side of the split"}
    sides = (len(train.days), len(test.days))
    if min(sides) < MIN_SPLIT_DAYS:
        return {
            "split": split.isoformat(),
            "note": (
                f"{sides[0]} sessions of calls before the split and {sides[1]} from it on; "
                f"an out-of-sample test needs {MIN_SPLIT_DAYS} on each side"
            ),
        }
    best: tuple[float, dict[str, float]] = (-2.0, dict(SHIPPED_WEIGHTS))
    names = ("trend", "momentum", "relative_strength")
    for combo in itertools.product(WEIGHT_GRID, repeat=len(names)):
        if not any(combo):
            continue
        weights = {"news": SHIPPED_WEIGHTS["news"], **dict(zip(names, combo, strict=True))}
        ic = spearman(pulse_score(train, weights), train.excess[5])
        if ic > best[0]:
            best = (ic, weights)
    boot = Bootstrap(test, reps)
    tuned = ic_figures(test, boot, 5, pulse_score(test, best[1]))
    shipped = ic_figures(test, boot, 5, pulse_score(test, SHIPPED_WEIGHTS))
    return {
        "split": split.isoformat(),
        "train": {
            "n": train.n,
            "first": train.calls[0].entry_date.isoformat(),
            "last": train.calls[-1].entry_date.isoformat(),
            "ic5": best[0],
        },
        "test": {
            "n": test.n,
            "first": test.calls[0].entry_date.isoformat(),
            "last": test.calls[-1].entry_date.isoformat(),
        },
        "tuned_weights": best[1],
        "shipped_weights": dict(SHIPPED_WEIGHTS),
        "tuned_ic5": tuned["pulse"].as_dict(),
        "shipped_ic5": shipped["pulse"].as_dict(),
        "baselines_ic5": {k: v.as_dict() for k, v in tuned.items() if k != "pulse"},
    }


def worst_calls(cols: Columns, limit: int = 10) -> list[dict[str, object]]:
    """Bullish and Bearish calls whose 20-session excess went furthest against them."""
    x = cols.excess[20]
    against = np.where(cols.direction == 0, -x, np.where(cols.direction == 2, x, math.nan))
    ok = np.flatnonzero(~np.isnan(against))
    top = ok[np.argsort(-against[ok], kind="mergesort")[:limit]]
    return [
        {
            "key": cols.calls[i].key,
            "symbol": cols.calls[i].symbol,
            "entry_date": cols.calls[i].entry_date.isoformat(),
            "direction": cols.calls[i].direction,
            "pulse": cols.calls[i].pulse,
            "excess20_pct": float(x[i]),
            "move20_bp": _move_bp(cols.calls[i]),
            "slug": cols.calls[i].slug,
        }
        for i in top.tolist()
    ]


def _move_bp(call: Graded) -> float | None:
    """A yield's 20-session move in basis points ("^TNX Bearish +4.6%" was a percentage of the
    yield): the change of a level quoted in percent, x 100. None for anything else."""
    raw = _get(call.measured, "returns", 20)
    if call.entry_close is None or not isinstance(raw, int | float):
        return None
    if not in_basis_points(call.symbol, call.asset_class):
        return None
    return call.entry_close * float(raw)


def _f(x: object) -> str:
    return f"{x:.3f}" if isinstance(x, float) else "n/a"


def _interval(fig: dict[str, object], pct: bool = False) -> str:
    """ " (90% interval 0.012 to 0.080)", or " (no interval: too few sessions)"."""
    low, high = fig.get("low"), fig.get("high")
    if not isinstance(low, float) or not isinstance(high, float):
        return f" (no interval: fewer than {MIN_INTERVAL_DAYS} sessions)"
    if pct:
        return f" (90% interval {100 * low:.1f} to {100 * high:.1f}%)"
    return f" (90% interval {low:.3f} to {high:.3f})"


BASELINE_NAMES = {  # how the verdict names each baseline to a reader
    "momentum_return20": "the 20-day return",
    "momentum_sign": "the sign of the 20-day return",
}


def _weights_text(weights: object) -> str:
    """'trend 0, momentum -1, relative strength -0.5': the tuned (bar-based) weights."""
    if not isinstance(weights, dict):
        return "n/a"
    return ", ".join(
        f"{name.replace('_', ' ')} {value:g}"
        for name, value in weights.items()
        if name != "news" and isinstance(value, int | float)
    )


def verdict(card: Scorecard) -> str:
    """The plain sentences the page leads with: does the published Pulse (shipped weights) beat
    its baselines out of sample, and what do weights tuned on the earlier period do?"""
    wf = card.walk_forward
    shipped, tuned = wf.get("shipped_ic5"), wf.get("tuned_ic5")
    bases = wf.get("baselines_ic5")
    if not isinstance(shipped, dict) or not isinstance(tuned, dict) or not isinstance(bases, dict):
        note = wf.get("note")
        return "Not enough history for an out-of-sample test yet" + (
            f": {note}." if isinstance(note, str) else "."
        )
    named = [(k, v.get("value")) for k, v in bases.items() if isinstance(v, dict)]
    best_name, best = max(named, key=lambda kv: kv[1] if isinstance(kv[1], float) else -2.0)
    best_v = max(0.0, best if isinstance(best, float) else 0.0)
    best_text = f"{best:.3f}" if isinstance(best, float) else "n/a"
    split = wf.get("split")

    def beats(fig: dict[str, object]) -> bool:
        value, low = fig.get("value"), fig.get("low")
        return isinstance(value, float) and isinstance(low, float) and value > best_v and low > 0

    head = (
        f"Pulse as published beats its baselines out of sample (calls from {split}): "
        if beats(shipped)
        else f"Pulse as published does not beat its baselines out of sample (calls from {split}): "
    )
    head += (
        f"5-session IC {_f(shipped.get('value'))}{_interval(shipped)} against {best_text} for "
        "the best baseline "
        f"({BASELINE_NAMES.get(best_name, best_name.replace('_', ' '))})"
        + (
            "; to beat it an IC must be above 0 with its interval above 0."
            if best_v != best
            else "."
        )
    )
    tail = (
        f" Weights tuned only on calls before {split} "
        f"({_weights_text(wf.get('tuned_weights'))}) give "
        f"{_f(tuned.get('value'))}{_interval(tuned)} on the "
        f"same later calls{'' if beats(tuned) else ', not above the baselines either'}."
    )
    if not beats(shipped):
        tail += " Read Pulse as a description of the trend, not a forecast."
    return head + tail


def period_verdict(card: Scorecard) -> str:
    """A closed period's (a month's) figures in one sentence each, beside the best baseline; no
    out-of-sample claim (that needs the whole history: the live scorecard's verdict)."""
    hit = card.hit.get("5", {})
    ic = card.ic.get("5", {})
    pulse_hit, pulse_ic = hit.get("pulse"), ic.get("pulse")
    if not isinstance(pulse_hit, dict) or not isinstance(pulse_ic, dict):
        return "Too few graded calls to say anything yet."
    bases = {
        k: v for k, v in ic.items() if k != "pulse" and isinstance(v, dict)
    }  # momentum baselines
    best_name, best = max(
        ((k, v.get("value")) for k, v in bases.items()),
        key=lambda kv: kv[1] if isinstance(kv[1], float) else -2.0,
        default=("", None),
    )
    bullish = hit.get("always_bullish")
    text = (
        f"{card.n_calls} calls from {card.first} to {card.last}: 5-session hit rate "
        f"{_pct_text(pulse_hit)}{_interval(pulse_hit, pct=True)}"
    )
    if isinstance(bullish, dict):
        text += f" against {_pct_text(bullish)} for always Bullish"
    text += f"; 5-session IC {_f(pulse_ic.get('value'))}{_interval(pulse_ic)}"
    if isinstance(best, float):
        text += (
            f" against {best:.3f} for {BASELINE_NAMES.get(best_name, best_name.replace('_', ' '))}"
        )
    return text + ". One period is not a test of Pulse: see the whole scorecard."


def _pct_text(fig: dict[str, object]) -> str:
    value = fig.get("value")
    return f"{100 * value:.1f}%" if isinstance(value, float) else "n/a"
