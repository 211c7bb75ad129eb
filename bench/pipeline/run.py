"""The market day at scale: technicals -> signals -> newsroom for N instruments, per
instrument-day, against a floor measured in the same run (issue #16).

Data: real daily series from ../shared/data/prices (the 17 files of
``daily_2015_to_2026-02-27_normalized`` and the stock/ETF/index files of
``yahoo_long_to_2026-02``, the partial last row dropped). Above the number of distinct series the
same series are reused round-robin under distinct symbols (``AAPL_2``, ...), so 500 instruments
hold about 30 distinct series: the work per instrument is real, the variety is not.

Each backend (SQLite file, and PostgreSQL when ``--pg`` or TAPEWIRE_TEST_DATABASE_URL names a
server; a fresh database is made and dropped) gets:
  - a load of the last ``--history`` calendar days of every series before the first day;
  - a one-day pass (technicals, signals, newsroom) on a fresh store, timed per stage;
  - a ``--days``-day replay (one pass per calendar day, bars added day by day), timed per stage;
    the marginal cost is the replay's mean per instrument-day.
Floor (same bars, same machine, same run): pandas reads the bars the technicals stage reads for
every instrument from the store in one query, and TA-Lib computes the stored indicators per
instrument (numpy where TA-Lib has no function). The ratio is ours / floor.

    .venv/bin/python bench/pipeline/run.py [--instruments 500] [--days 20] [--no-pg]
    .venv/bin/python bench/pipeline/run.py --instruments 50 --days 3   # a quick check
    .venv/bin/python bench/pipeline/run.py --instruments 100 --profile  # cProfile of one pass

pandas and TA-Lib are installed into this interpreter with pip when missing (``dev`` extra).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PRICES = ROOT.parent / "shared" / "data" / "prices"
FIRST_DAY = date(2026, 1, 26)  # a Monday; the replay walks calendar days from here
PG_ENV = "TAPEWIRE_TEST_DATABASE_URL"


def _ensure(module: str, requirement: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        print(f"installing {requirement} (not found) ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", requirement], check=True)
        return importlib.import_module(module)


def _series_files() -> list[Path]:
    if not PRICES.exists():
        sys.exit(f"{PRICES} not found: this benchmark needs ../shared/data/prices")
    files = sorted((PRICES / "daily_2015_to_2026-02-27_normalized").glob("*.csv"))
    yahoo = PRICES / "yahoo_long_to_2026-02"
    for name in ("SPY", "QQQ", "IWM", "GLD", "TLT", "HYG", "LQD", "^RUT", "^DJI", "^VIX"):
        if (yahoo / f"{name}.csv").exists():
            files.append(yahoo / f"{name}.csv")
    return files


def _load(store: Any, n: int, *, until: date, history_days: int) -> list[str]:
    """n instruments of real bars (reused round-robin above the distinct count), the
    ``history_days`` before ``until``. The replay's bars are stored up front: a stage as of D
    reads bars before D only, so a day sees what it would have seen live."""
    from tapewire.market.providers import ParsedBars
    from tapewire.market.providers.csvfile import parse_csv_bars
    from tapewire.market.stage import InstrumentSpec, save_bars, save_instrument

    files = _series_files()
    series = []
    for path in files:
        bars = [b for b in parse_csv_bars(path.read_bytes()).bars if b.bar_date < date(2026, 2, 23)]
        series.append((path.stem, bars))
    symbols = []
    with store.write() as s:
        for i in range(n):
            stem, bars = series[i % len(series)]
            symbol = stem if i < len(series) else f"{stem}_{i // len(series) + 1}"
            cls = "Indices" if stem.startswith("^") else "Stocks"
            spec = InstrumentSpec(symbol, symbol, cls, benchmark_symbol=None)
            inst_id = save_instrument(s, spec)
            start = until - timedelta(days=history_days)
            kept = tuple(b for b in bars if start < b.bar_date <= until)
            save_bars(s, inst_id, ParsedBars(kept), source="bench")
            symbols.append(symbol)
    return symbols


STAGES = ("technicals", "signals", "newsroom")


def _stage_fns() -> dict[str, Callable[[Any], Any]]:
    from tapewire.newsroom import stage as newsroom_stage
    from tapewire.signals import stage as signals_stage
    from tapewire.technicals import stage as technicals_stage

    return {
        "technicals": technicals_stage.run,
        "signals": signals_stage.run,
        "newsroom": newsroom_stage.run,
    }


@contextmanager
def _context(store: Any, as_of: datetime) -> Iterator[Any]:
    from tapewire.clock import FixedClock
    from tapewire.config import load_settings
    from tapewire.context import RunContext
    from tapewire.net import HttpClient

    settings = load_settings(data_dir=Path(tempfile.gettempdir()) / "tw-bench-pipeline")
    with HttpClient(settings.http) as http:
        yield RunContext(
            store=store, settings=settings, as_of=as_of, http=http, clock=FixedClock(as_of)
        )


def _pass(store: Any, day: date) -> dict[str, float]:
    """One day's pass; seconds per stage (wall, and CPU of this process as ``<stage>_cpu``: on
    a shared machine the CPU seconds are the steadier figure; the database server's CPU is in
    the wall time only)."""
    fns = _stage_fns()
    as_of = datetime(day.year, day.month, day.day, tzinfo=UTC)
    out: dict[str, float] = {}
    with _context(store, as_of) as ctx:
        for name in STAGES:
            t0, c0 = time.perf_counter(), time.process_time()
            fns[name](ctx)
            out[name] = time.perf_counter() - t0
            out[f"{name}_cpu"] = time.process_time() - c0
    return out


def _floor(store: Any, day: date, history_days: int) -> tuple[float, float]:
    """pandas read of the technicals stage's bars (one query) + TA-Lib indicators per instrument."""
    pd = _ensure("pandas", "pandas==3.1.1")
    talib = _ensure("talib", "ta-lib==0.8.2")
    import numpy as np

    last = day - timedelta(days=1)
    t0, c0 = time.perf_counter(), time.process_time()
    with store.engine.connect() as conn:
        frame = pd.read_sql_query(
            "SELECT instrument_id, bar_date, high, low, close FROM bar WHERE interval = '1d' "
            f"AND bar_date <= '{last}' AND bar_date > '{last - timedelta(days=history_days)}' "
            "ORDER BY instrument_id, bar_date",
            conn,
        )
    for _, g in frame.groupby("instrument_id", sort=False):
        h, lo, c = (
            np.ascontiguousarray(g[k].to_numpy(np.float64)) for k in ("high", "low", "close")
        )
        talib.SMA(c, 50), talib.SMA(c, 200), talib.EMA(c, 20), talib.RSI(c, 14)
        talib.MACD(c, 12, 26, 9), talib.ATR(h, lo, c, 14), talib.BBANDS(c, 20, 2.0, 2.0, 0)
        (
            talib.STDDEV(np.diff(np.log(c)), 20),
            talib.ROCR(c, 20),
            talib.ROCR(c, 60),
            talib.MAX(h, 252),
        )
    return time.perf_counter() - t0, time.process_time() - c0


def _bench(url: str, label: str, n: int, days: int, history: int, profile: bool) -> dict[str, Any]:
    from tapewire.store import open_store

    store = open_store(url)
    try:
        t0 = time.perf_counter()
        _load(store, n, until=FIRST_DAY + timedelta(days=days), history_days=history + days)
        load_s = time.perf_counter() - t0
        prof = cProfile.Profile() if profile else None
        if prof:
            prof.enable()
        first = _pass(store, FIRST_DAY)
        if prof:
            prof.disable()
            text = io.StringIO()
            pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(45)
            print(text.getvalue())
        floor = _floor(store, FIRST_DAY, 440)
        replay: dict[str, float] = {}
        for k in range(1, days):
            for name, sec in _pass(store, FIRST_DAY + timedelta(days=k)).items():
                replay[name] = replay.get(name, 0.0) + sec
    finally:
        store.close()
    return {
        "label": label,
        "load_s": load_s,
        "first": first,
        "replay": replay,
        "replay_days": max(days - 1, 0),
        "floor_s": floor[0],
        "floor_cpu_s": floor[1],
    }


def _report(r: dict[str, Any], n: int) -> float:
    """Prints the table; returns the marginal wall ms per instrument-day."""
    per = 1000.0 / n
    days = r["replay_days"]
    first, replay = r["first"], r["replay"]

    def rep(key: str) -> float:
        return replay.get(key, 0.0) * per / days if days else float("nan")

    print(f"\n== {r['label']}: {n} instruments (bars loaded in {r['load_s']:.1f} s)")
    print("ms per instrument(-day); wall (CPU of this process)")
    print(f"{'stage':<12}{'one-day pass':>22}{f'{days}-day replay':>22}")
    for name in STAGES:
        a = f"{first[name] * per:.2f} ({first[name + '_cpu'] * per:.2f})"
        b = f"{rep(name):.2f} ({rep(name + '_cpu'):.2f})"
        print(f"{name:<12}{a:>22}{b:>22}")
    total = sum(first[k] for k in STAGES) * per
    total_cpu = sum(first[k + "_cpu"] for k in STAGES) * per
    rep_total = sum(rep(k) for k in STAGES)
    rep_cpu = sum(rep(k + "_cpu") for k in STAGES)
    a, b = f"{total:.2f} ({total_cpu:.2f})", f"{rep_total:.2f} ({rep_cpu:.2f})"
    print(f"{'total':<12}{a:>22}{b:>22}")
    floor, floor_cpu = r["floor_s"] * per, r["floor_cpu_s"] * per
    print(
        f"floor (pandas read of the bars + TA-Lib): {floor:.2f} ({floor_cpu:.2f}) ms per instrument"
    )
    print(
        f"ratio one-day pass / floor: {total / floor:.1f}x wall, {total_cpu / floor_cpu:.1f}x CPU"
    )
    if days:
        print(
            f"ratio replay marginal / floor: {rep_total / floor:.1f}x wall, "
            f"{rep_cpu / floor_cpu:.1f}x CPU   (goal: marginal <= 10 ms per instrument-day)"
        )
    return rep_total if days else total


def _bench_load(tmp: str) -> None:
    """``prices load`` of the longest real CSV (^RUT, 9,686 rows): load time in process (parse +
    store), the whole CLI command, CLI start-up alone, and a floor (pandas read_csv + one
    sqlite3 executemany into a bare table)."""
    pd = _ensure("pandas", "pandas==3.1.1")
    import sqlite3

    from tapewire.clock import FixedClock
    from tapewire.config import load_settings
    from tapewire.context import RunContext
    from tapewire.market.stage import InstrumentSpec, load_bars, provider_for, save_instrument
    from tapewire.net import HttpClient
    from tapewire.store import open_store

    path = PRICES / "yahoo_long_to_2026-02" / "^RUT.csv"
    rows = len(path.read_text().splitlines()) - 1
    store = open_store(f"sqlite:///{tmp}/load.db")
    settings = load_settings(data_dir=Path(tmp))
    as_of = datetime(2026, 2, 23, tzinfo=UTC)
    with HttpClient(settings.http) as http:
        ctx = RunContext(
            store=store, settings=settings, as_of=as_of, http=http, clock=FixedClock(as_of)
        )
        with store.write() as s:
            inst_id = save_instrument(s, InstrumentSpec("^RUT", "^RUT", "Indices"))
        t0, c0 = time.perf_counter(), time.process_time()
        result = load_bars(
            ctx,
            inst_id,
            "^RUT",
            provider_for(ctx, "csvfile", str(path)),
            source="csvfile:^RUT",
            full_history=True,
        )
        load_s, load_cpu = time.perf_counter() - t0, time.process_time() - c0
    store.close()
    t0, c0 = time.perf_counter(), time.process_time()
    frame = pd.read_csv(path)
    conn = sqlite3.connect(f"{tmp}/floor.db")
    conn.execute("CREATE TABLE bar (d TEXT, o REAL, h REAL, l REAL, c REAL, v REAL)")
    conn.executemany(
        "INSERT INTO bar VALUES (?,?,?,?,?,?)",
        frame[["Date", "Open", "High", "Low", "Close", "Volume"]].itertuples(index=False),
    )
    conn.commit()
    floor_s, floor_cpu = time.perf_counter() - t0, time.process_time() - c0
    exe = Path(sys.executable).with_name("tapewire")
    cli = [str(exe)] if exe.exists() else [sys.executable, "-m", "tapewire.cli"]
    _children_cpu()
    t0 = time.perf_counter()
    db = f"{tmp}/cli.db"
    subprocess.run([*cli, "prices", "load", "^RUT", str(path), "--db", db], check=True)
    cli_s, cli_cpu = time.perf_counter() - t0, _children_cpu()
    starts: list[tuple[float, float]] = []
    for _ in range(3):  # the store is at head now: start-up is imports + the cheap head check
        t0 = time.perf_counter()
        subprocess.run([*cli, "feeds", "list", "--db", db], check=True, capture_output=True)
        starts.append((time.perf_counter() - t0, _children_cpu()))
    start_wall, start_cpu = min(starts)
    print(f"\n== prices load of {path.name} ({rows} rows, {result.new} stored); ms wall (CPU)")
    print(f"load time in process (parse + store): {load_s * 1e3:.0f} ({load_cpu * 1e3:.0f})")
    print(
        f"floor, pandas read_csv + sqlite3 executemany: {floor_s * 1e3:.0f} ({floor_cpu * 1e3:.0f})"
    )
    print(f"ratio load / floor: {load_cpu / floor_cpu:.1f}x CPU   (goal: < 200 ms for 10,000 rows)")
    print(f"whole `prices load` command, new database: {cli_s * 1e3:.0f} ({cli_cpu * 1e3:.0f})")
    print(
        f"CLI start-up, `feeds list` on a store at head, best of 3: {start_wall * 1e3:.0f} "
        f"({start_cpu * 1e3:.0f})   (goal: < 300 ms)"
    )


_SEEN = [0.0]


def _children_cpu() -> float:
    """CPU seconds (user + system) of finished child processes since the last call."""
    usage = os.times()
    total = usage.children_user + usage.children_system
    spent, _SEEN[0] = total - _SEEN[0], total
    return spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--instruments", type=int, default=500)
    ap.add_argument("--days", type=int, default=20, help="replay length in calendar days")
    ap.add_argument("--history", type=int, default=440, help="calendar days loaded before")
    ap.add_argument("--pg", default=os.environ.get(PG_ENV), help="Postgres admin URL")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--profile", action="store_true", help="cProfile the first pass (SQLite)")
    ap.add_argument("--load-only", action="store_true", help="only the prices load figures")
    ap.add_argument("--pipeline-only", action="store_true", help="skip the prices load figures")
    args = ap.parse_args()
    if not args.pipeline_only:
        with tempfile.TemporaryDirectory() as tmp:
            _bench_load(tmp)
    if args.load_only:
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        sqlite = _bench(url, "SQLite", args.instruments, args.days, args.history, args.profile)
    sqlite_ms = _report(sqlite, args.instruments)  # printed now: a Postgres failure keeps it
    if args.pg and not args.no_pg:
        pg = _bench_pg(args.pg, args.instruments, args.days, args.history)
        pg_ms = _report(pg, args.instruments)
        print(
            f"\nPostgreSQL / SQLite (replay marginal, wall): {pg_ms / sqlite_ms:.2f}x (goal <= 1.3)"
        )


def _bench_pg(admin_url: str, n: int, days: int, history: int) -> dict[str, Any]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"tw_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        return _bench(url, "PostgreSQL", n, days, history, False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
