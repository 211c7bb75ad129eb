"""The public scorecard on real history: backtest, grade, and time it.

Backtests ^GSPC, ^RUT, ^IXIC, ^DJI, SPY, QQQ, IWM, the sector ETFs, gold, crude, the 10-year
yield and EURUSD from ../shared/data/prices (the calls the day-by-day pipeline would have made
from bars alone: no news component), grades every call (each figure beside its baselines with a
90% block-bootstrap interval) and prints it all with the backtest's speed.

Speed: the backtest (tapewire: batched indicator set + the stage's level and score functions)
against the field's baseline, the day-by-day path the pipeline takes (one snapshot per
instrument per day: ``technicals.compute.compute_snapshot`` + ``signals.compute``, without the
store), timed on a sample of days in the same run; the ratio is per call. The goal is 10 years x
30 instruments in under 5 minutes on a 2-core machine: the run backtests 30 instruments (the
graded list plus TLT, HYG, LQD, GLD, SI=F, HG=F, ^FTSE, ^GDAXI) over the last 10 years, times
it, and grades the calls of the graded list (walk-forward: tuned on the first half of the
decade, graded on the second).

    .venv/bin/python bench/scorecard/run.py                 # 10 y x 30 timed; 22 of them graded
    .venv/bin/python bench/scorecard/run.py --quick         # the last 3 years
    .venv/bin/python bench/scorecard/run.py --jobs 2        # the backtest on 2 processes
    .venv/bin/python bench/scorecard/run.py --json out.json # the whole scorecard as JSON
    .venv/bin/python bench/scorecard/run.py --speed-only    # the timed backtest only
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from tapewire.market.providers.csvfile import parse_csv_bars  # noqa: E402
from tapewire.market.queries import BarView  # noqa: E402
from tapewire.scorecard.backtest import Series, Universe, run_backtest  # noqa: E402
from tapewire.scorecard.grades import grade  # noqa: E402
from tapewire.scorecard.queries import graded_of  # noqa: E402
from tapewire.signals.compute import SignalInputs, compute_signals  # noqa: E402
from tapewire.technicals.compute import compute_snapshot  # noqa: E402

PRICES = ROOT.parent / "shared" / "data" / "prices"
Y = "yahoo_long_to_2026-02/"
M = "merged_index_series/"
# symbol -> (file, asset class, benchmark). Adjusted ETFs are measured against SPY (also
# adjusted: against the price-only ^GSPC their excess would be the dividend); indices against
# ^GSPC; SPY, ^GSPC, commodities, the yield and FX by their raw return.
GRADED = {
    "^GSPC": (M + "^GSPC.csv", "Indices", None),
    "^RUT": (Y + "^RUT.csv", "Indices", "^GSPC"),
    "^IXIC": (M + "^IXIC.csv", "Indices", "^GSPC"),
    "^DJI": (M + "^DJI.csv", "Indices", "^GSPC"),
    "SPY": (Y + "SPY.csv", "ETFs", None),
    "QQQ": (Y + "QQQ.csv", "ETFs", "SPY"),
    "IWM": (Y + "IWM.csv", "ETFs", "SPY"),
    **{
        s: (Y + f"{s}.csv", "ETFs", "SPY")
        for s in ("XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY")
    },
    "GC=F": (Y + "GC=F.csv", "Commodities", None),
    "CL=F": (Y + "CL=F.csv", "Commodities", None),
    "^TNX": (Y + "^TNX.csv", "Rates", None),
    "EURUSD=X": (Y + "EURUSD=X.csv", "Forex", None),
}
EXTRA = {
    "TLT": (Y + "TLT.csv", "ETFs", "SPY"),
    "HYG": (Y + "HYG.csv", "ETFs", "SPY"),
    "LQD": (Y + "LQD.csv", "ETFs", "SPY"),
    "GLD": (Y + "GLD.csv", "ETFs", "SPY"),
    "SI=F": (Y + "SI=F.csv", "Commodities", None),
    "HG=F": (Y + "HG=F.csv", "Commodities", None),
    "^FTSE": (Y + "^FTSE.csv", "Indices", None),
    "^GDAXI": (Y + "^GDAXI.csv", "Indices", None),
}
VIX = ("^VIX", M + "^VIX.csv")
LAST_COMPLETE = date(2026, 2, 20)  # the yahoo files' last row (2026-02-23) is a partial bar


def load(symbol: str, rel: str, asset_class: str, bench: str | None, iid: int) -> Series:
    path = PRICES / rel
    if not path.exists():
        sys.exit(f"{path} missing: this benchmark needs ../shared/data/prices beside the checkout")
    bars = [
        BarView(b.bar_date, b.open, b.high, b.low, b.close, b.volume)
        for b in parse_csv_bars(path.read_bytes(), source=symbol).bars
        if b.bar_date <= LAST_COMPLETE
    ]
    if asset_class == "ETFs":
        bars = adjust_splits(symbol, bars)
    return Series(iid, symbol, asset_class, bench, bars)


def adjust_splits(symbol: str, bars: list[BarView]) -> list[BarView]:
    """Back-adjust splits the source left unadjusted (XLB, XLE, XLK, XLU, XLY halve on
    2025-11-17 in yahoo_long_to_2026-02): a one-day close ratio within 3% of 1/k (k = 2, 3, 4, 5,
    10) divides every earlier price by k. Printed, so the adjustment is on the record."""
    for i in range(len(bars) - 1, 0, -1):
        ratio = bars[i].close / bars[i - 1].close
        for k in (2, 3, 4, 5, 10):
            if abs(ratio * k - 1.0) < 0.03:
                print(
                    f"  {symbol}: unadjusted 1:{k} split on {bars[i].bar_date} "
                    f"(close ratio {ratio:.3f}): earlier bars divided by {k}"
                )
                bars = [
                    BarView(
                        b.bar_date, b.open / k, b.high / k, b.low / k, b.close / k, b.volume * k
                    )
                    if j < i
                    else b
                    for j, b in enumerate(bars)
                ]
    return bars


def universe(symbols: dict[str, tuple[str, str, str | None]]) -> Universe:
    series = {s: load(s, *spec, n + 1) for n, (s, spec) in enumerate(symbols.items())}
    series[VIX[0]] = load(VIX[0], VIX[1], "Indices", None, 999)
    return Universe(series, VIX[0])


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the --jobs workers)."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def backtest(
    spec: dict[str, Any], start: date, end: date, jobs: int
) -> tuple[list[Any], float, float]:
    """(results, wall and CPU seconds of the backtest itself: loading the CSVs is not counted)."""
    u = universe(spec)
    t0, c0 = time.perf_counter(), cpu_seconds()
    results = run_backtest(u, list(spec), start=start, end=end, jobs=jobs)
    return results, time.perf_counter() - t0, cpu_seconds() - c0


def day_by_day_seconds_per_call(days: int = 120) -> float:
    """The field's path: one snapshot + scores per day from that day's window, SPY vs ^GSPC."""
    u = universe({"SPY": GRADED["SPY"], "^GSPC": GRADED["^GSPC"]})
    spy = u.by_symbol["SPY"]
    t0 = time.perf_counter()
    n = 0
    for i in range(len(spy.bars) - days, len(spy.bars)):
        s = spy.window_start(i)
        snap = compute_snapshot(spy.bars[s : i + 1])
        if snap is None:
            continue
        as_of = datetime.combine(spy.bars[i].bar_date + timedelta(days=1), datetime.min.time(), UTC)
        compute_signals(
            SignalInputs(
                snap.values, tuple(lv.price for lv in snap.levels if lv.kind == "support"), (), None
            ),
            as_of=as_of,
        )
        n += 1
    return (time.perf_counter() - t0) / n


def fig(f: Any, pct: bool = False) -> str:
    if not isinstance(f, dict) or f.get("value") is None:
        return "n/a"
    k = 100.0 if pct else 1.0
    if f.get("low") is None:
        return f"{f['value'] * k:.3f}"
    return f"{f['value'] * k:.3f} [{f['low'] * k:.3f}, {f['high'] * k:.3f}]"


def report(card: dict[str, Any]) -> None:
    print(
        f"\n{card['n_calls']} graded calls, entries {card['first']} .. {card['last']}, "
        f"{card['with_news']} with a news component (backtests have none)"
    )
    print(
        f"calls by band: {card['hit_by_band'] and {k: v['n'] for k, v in card['hit_by_band'].items()}}"
    )
    print("\nHIT RATE (excess return; Neutral hits when |excess| < 0.5 ATR% x sqrt(h)), % [90% CI]")
    for h, f in card["hit"].items():
        print(
            f"  {h:>2}d  Pulse {fig(f['pulse'], True)}  always Bullish {fig(f['always_bullish'], True)}"
            f"  20-day sign {fig(f['momentum_sign'], True)}  random same rates "
            f"{fig(f['random_same_rates'], True)}"
        )
    print("\nHIT RATE BY BAND (5d)")
    for k, f in card["hit_by_band"].items():
        print(f"  {k:8} {fig(f, True)} n={f['n']}")
    print("\nIC (Spearman with excess return) [90% CI]")
    for h, f in card["ic"].items():
        print(
            f"  {h:>2}d  Pulse {fig(f['pulse'])}  20-day return {fig(f['momentum_return20'])}"
            f"  its sign {fig(f['momentum_sign'])}"
        )
    print("\nMEAN EXCESS RETURN BY PULSE DECILE (5d, %) [90% CI]")
    for d in card["deciles"]:
        print(
            f"  {d['decile']:>2}  Pulse {d['pulse_from']:5.1f}-{d['pulse_to']:5.1f}  "
            f"{fig(d['mean_excess_pct'])}  n={d['mean_excess_pct']['n']}"
        )
    for name in ("threat", "risk"):
        part = card[name]
        print(
            f"\n{name.upper()} vs next-20-session realized vol: Spearman "
            f"{fig(part['spearman_forward_vol'])}; baseline trailing 20-day vol "
            f"{fig(part['baseline_trailing_vol'])}"
        )
        for row in part["by_value"]:
            print(
                f"  {row['value']:g}: mean forward vol {row['mean_forward_vol']:.1f}% n={row['n']}"
            )
    print("\nLEVELS: share held (no close beyond the zone) vs random levels at the same distances")
    for lv in card["levels"]:
        print(
            f"  {lv['group']:20} {lv['horizon']:>2}d held {fig(lv['held'], True)}  random "
            f"{fig(lv['random'], True)}  ratio {fig(lv['ratio'])}  n={lv['n']}"
        )
    report_rest(card)


def report_rest(card: dict[str, Any]) -> None:
    wf = card["walk_forward"]
    print("\nWALK-FORWARD (IC at 5 sessions)")
    if "tuned_ic5" in wf:
        print(
            f"  tuned on {wf['train']['first']} .. {wf['train']['last']} ({wf['train']['n']} calls,"
            f" in-sample IC {wf['train']['ic5']:.3f}), graded on {wf['test']['first']} .. "
            f"{wf['test']['last']} ({wf['test']['n']} calls)"
        )
        print(f"  tuned weights {wf['tuned_weights']}: {fig(wf['tuned_ic5'])}")
        print(f"  shipped weights {wf['shipped_weights']}: {fig(wf['shipped_ic5'])}")
        for k, f in wf["baselines_ic5"].items():
            print(f"  baseline {k}: {fig(f)}")
    else:
        print(f"  {wf}")
    print(f"\nVERDICT: {card['verdict']}")
    for name, rows in card["groups"].items():
        print(f"\nBY {name.upper()} (5d): hit rate % | always Bullish % | IC")
        for r in rows:
            print(
                f"  {r['label']:10} n={r['n']:6}  {fig(r['hit5'], True)} | "
                f"{fig(r['always_bullish5'], True)} | {fig(r['ic5'])}"
            )
    print("\nWORST CALLS (20-session excess against the call)")
    for w in card["worst"]:
        print(
            f"  {w['symbol']:8} {w['entry_date']} {w['direction']:8} Pulse {w['pulse']:5.1f} "
            f"excess {w['excess20_pct']:+.1f}%"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="the last 3 years only")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--speed-only", action="store_true", help="time the backtest, do not grade")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}, jobs: {args.jobs}, load average: {os.getloadavg()[0]:.1f}")
    end = LAST_COMPLETE
    years = 3 if args.quick else 10
    start = date(end.year - years, end.month, end.day + 1)
    split = date(end.year - years // 2, 1, 1)
    spec = {**GRADED, **EXTRA}
    results, wall, cpu = backtest(spec, start, end, args.jobs)
    print(
        f"\nSPEED: {len(spec)} instruments x {years} years, as of {start} .. {end}: "
        f"{len(results)} calls in {wall:.1f} s wall, {cpu:.1f} s CPU ({len(results) / wall:.0f} "
        f"calls/s, jobs {args.jobs}, load average now {os.getloadavg()[0]:.1f}); goal < 300 s"
    )
    if args.speed_only:
        return
    base = day_by_day_seconds_per_call()
    per_call = wall / len(results)
    print(
        f"  baseline, the day-by-day path (snapshot + scores per day, no store): "
        f"{base * 1000:.2f} ms/call; backtest {per_call * 1000:.2f} ms/call (wall, {args.jobs} "
        f"jobs); ratio {base / per_call:.2f}x"
    )
    graded = [graded_of(c, m) for c, m in results if c.symbol in GRADED]
    t0 = time.perf_counter()
    card = grade(graded, reps=args.reps, group_reps=max(20, args.reps // 2), split=split).as_dict()
    print(
        f"grading {len(graded)} calls of the {len(GRADED)} graded instruments: "
        f"{time.perf_counter() - t0:.1f} s ({args.reps} bootstrap resamples)"
    )
    report(card)
    if args.json:
        args.json.write_text(json.dumps(card, indent=1, default=str))


if __name__ == "__main__":
    main()
