"""The command line (DESIGN: the command-line contract). The only module that prints.

Exit codes: 0 done; 1 the work failed (the message says why); 2 bad usage or configuration.
Errors are one line on stderr; ``--debug`` shows the traceback.
"""

from __future__ import annotations

# Start-up budget (issue #16): importing this module loads click and the standard library only.
# Settings (pydantic), the store (SQLAlchemy), HTTP (httpx), the web stack, numpy and rich are
# imported inside the commands that use them; tests/cli/test_startup.py holds that line.
import functools
import json
import logging
import socket
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from tapewire import __version__
from tapewire.errors import ConfigError, NoDataError, NoNewSessionError, TapewireError

if TYPE_CHECKING:
    from tapewire.clock import Clock
    from tapewire.config import Settings
    from tapewire.context import RunContext
    from tapewire.market.stage import InstrumentSpec
    from tapewire.net import FetchResult, HttpClient
    from tapewire.store import Store

log = logging.getLogger("tapewire")
F = TypeVar("F", bound=Callable[..., Any])
PORT = click.IntRange(1, 65535)
MAX_SYMBOL = 64  # the instrument.symbol column's length


@dataclass(slots=True)
class Opts:
    db: str | None = None
    config: Path | None = None
    debug: bool = False


def _set_db(ctx: click.Context, _p: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(Opts).db = value


def _set_config(ctx: click.Context, _p: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(Opts).config = value


def _set_debug(ctx: click.Context, _p: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(Opts).debug = True


def common(func: F) -> F:
    """--db, --config and --debug on every command (also accepted before the command name)."""
    func = click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        callback=_set_debug,
        help="Show tracebacks and debug logs.",
    )(func)
    func = click.option(
        "--config",
        type=click.Path(path_type=Path),
        expose_value=False,
        callback=_set_config,
        help="TOML settings file (TAPEWIRE_* env vars override).",
    )(func)
    func = click.option(
        "--db",
        metavar="URL_OR_PATH",
        expose_value=False,
        callback=_set_db,
        help="Database URL or SQLite path (default: tapewire.db in the data dir).",
    )(func)
    return func


def fmt_option(func: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="text for people, json for scripts.",
    )(func)


def as_of_option(func: F) -> F:
    return click.option(
        "--as-of",
        "as_of",
        metavar="DATE",
        help="Data cut-off: YYYY-MM-DD (start of that UTC day) or ISO time. Default: now.",
    )(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tapewire")
@common
def cli() -> None:
    """tapewire: a self-hosted, data-grounded market newsroom."""


# ---------------------------------------------------------------- shared plumbing


def settings_from(ctx: click.Context, **overrides: Any) -> Settings:
    from tapewire.config import load_settings

    opts = ctx.ensure_object(Opts)
    if opts.db:
        overrides.setdefault("db", {})["url"] = opts.db
    return load_settings(opts.config, **overrides)


def open_store(settings: Settings) -> Store:
    """Open the store and bring its schema up to date (migrations are idempotent)."""
    from tapewire.store import open_store as store_open

    return store_open(settings.database_url(), busy_timeout_ms=settings.db.busy_timeout_ms)


@contextmanager
def run_context(
    settings: Settings, *, as_of: datetime | None = None, clock: Clock | None = None
) -> Iterator[RunContext]:
    from tapewire.clock import SystemClock
    from tapewire.context import RunContext

    clock = clock or SystemClock()
    store = open_store(settings)
    http = _LazyHttp(settings)
    try:
        yield RunContext(
            store=store,
            settings=settings,
            as_of=as_of or clock.now(),
            http=cast("HttpClient", http),
            clock=clock,
        )
    finally:
        http.close()
        store.close()


class _LazyHttp:
    """An ``HttpClient`` made on first use: most commands never fetch, and httpx is a tenth of
    the start-up (issue #16). Every attribute is the real client's; ``fetch`` of a local file
    reads it as the client does, without making one."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: HttpClient | None = None

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            from tapewire.net import HttpClient

            self._client = HttpClient(self._settings.http)
        return getattr(self._client, name)

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """``HttpClient.fetch``; a local path or ``file://`` URL is read as the client reads it
        (``net.local.read_file``) without making the client: ``prices load FILE`` never loads
        httpx (issue #16)."""
        from tapewire.net.local import is_local_path, read_file

        if is_local_path(url):
            return read_file(url, self._settings.http.max_body_bytes)
        fetch = self.__getattr__("fetch")
        result: FetchResult = fetch(url, etag=etag, last_modified=last_modified)
        return result

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def parse_as_of_arg(value: str | None) -> datetime | None:
    if value is None:
        return None
    from tapewire.clock import parse_as_of

    try:
        return parse_as_of(value)
    except ValueError as exc:
        reason = str(exc) if "out of range" in str(exc) else "not YYYY-MM-DD or an ISO timestamp"
        if not reason.startswith("'"):
            reason = f"{value!r} is {reason}"
        raise click.BadParameter(reason, param_hint="--as-of") from None


def emit(fmt: str, data: Any, text: Callable[[Any], str]) -> None:
    click.echo(json.dumps(data, indent=2, default=_json_default) if fmt == "json" else text(data))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _one_line(exc: BaseException) -> str:
    """One line, credentials in any URL redacted (``net/redact.py``)."""
    from tapewire.net.redact import redact_secrets

    return redact_secrets(" ".join(str(exc).split())[:300]) or type(exc).__name__


# ---------------------------------------------------------------- db, feeds


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@common
@fmt_option
@click.pass_context
def db_upgrade(ctx: click.Context, fmt: str) -> None:
    """Apply migrations up to the newest schema."""
    from tapewire.store.core import script_head

    settings = settings_from(ctx)
    store = open_store(settings)
    try:
        at_head = store.at_head()  # then the revision is the scripts' head: no Alembic to load
        data = {
            "database": store.engine.url.render_as_string(hide_password=True),
            "revision": script_head() if at_head else store.current_revision(),
            "tables": len(store.table_names()),
        }
    finally:
        store.close()
    emit(
        fmt,
        data,
        lambda d: f"database {d['database']} at revision {d['revision']} ({d['tables']} tables)",
    )


@cli.group()
def feeds() -> None:
    """Manage the feeds polled by `tapewire run`."""


@feeds.command("add")
@common
@fmt_option
@click.argument("url")
@click.pass_context
def feeds_add(ctx: click.Context, fmt: str, url: str) -> None:
    """Add a feed URL (or file path) to poll."""
    from tapewire.ingest.stage import add_feed
    from tapewire.net.redact import redact_url

    if not url.strip():
        raise click.BadParameter("an empty feed URL", param_hint="URL")

    with run_context(settings_from(ctx)) as rc, rc.store.write() as s:
        feed_id, created = add_feed(s, url, now=rc.clock.now())
    emit(
        fmt,
        {"id": feed_id, "url": redact_url(url), "created": created},
        lambda d: f"{'added' if d['created'] else 'already present'}: feed {d['id']} {d['url']}",
    )


@feeds.command("list")
@common
@fmt_option
@click.pass_context
def feeds_list(ctx: click.Context, fmt: str) -> None:
    """List feeds with their health."""
    from tapewire.ingest import reads as queries  # Core: no ORM to load (issue #16)

    with run_context(settings_from(ctx)) as rc:
        rows = [asdict(f) for f in queries.feeds(rc.store)]
    emit(fmt, rows, _feeds_text)


def _feeds_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no feeds (add one with: tapewire feeds add URL)"
    lines = []
    for r in rows:
        state = (
            "ok"
            if not r["last_error"]
            else f"FAILING x{r['consecutive_failures']}: {r['last_error']}"
        )
        if r["last_fetched_at"] is None:
            state = "never fetched"
        lines.append(f"{r['id']:>4}  {r['url']}  [{state}] items={r['items_seen']}")
    return "\n".join(lines)


# ---------------------------------------------------------------- ingest


@cli.command()
@common
@fmt_option
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--dry-run", is_flag=True, help="Store nothing; print each item and each source's health."
)
@click.pass_context
def ingest(ctx: click.Context, fmt: str, sources: tuple[str, ...], dry_run: bool) -> None:
    """Fetch and parse feeds (URLs or file paths)."""
    from tapewire.ingest.stage import SourceResult, add_feed, fetch_source, ingest_feed

    results: list[SourceResult] = []
    with run_context(settings_from(ctx)) as rc:
        for source in sources:
            if dry_run:
                results.append(_dry_run_source(rc, source, fetch_source))
                continue
            with rc.store.write() as s:
                feed_id, _ = add_feed(s, source, now=rc.clock.now())
            results.append(ingest_feed(rc, feed_id, source))
    data = [_source_dict(r, with_items=dry_run or fmt == "json") for r in results]
    emit(fmt, data, _ingest_text)
    if all(r.error for r in results):
        raise SystemExit(1)


def _dry_run_source(rc: RunContext, source: str, fetch: Any) -> Any:
    from tapewire.errors import SourceError
    from tapewire.ingest.stage import SourceResult
    from tapewire.net.redact import redact_url

    try:
        fetched = fetch(rc.http, source, now=rc.clock.now())
    except (SourceError, ConfigError) as exc:
        return SourceResult(redact_url(source), None, _one_line(exc), (), 0)
    return SourceResult(
        redact_url(source), fetched.result.status, None, tuple(fetched.items), 0, fetched.warning
    )


def _source_dict(result: Any, *, with_items: bool) -> dict[str, Any]:
    out = {
        "source": result.source,
        "status": result.status,
        "error": result.error,
        "items_found": len(result.items),
        "warning": result.warning,
        "new_items": result.new_items,
    }
    if with_items:
        out["items"] = [asdict(i) for i in result.items]
    return out


def _ingest_text(rows: list[dict[str, Any]]) -> str:
    lines = []
    for r in rows:
        for item in r.get("items", []):
            flag = " (no date: fetch time)" if item["date_from_fetch"] else ""
            lines.append(
                f"  {item['published_at']:%Y-%m-%d %H:%M}{flag}  {item['outlet']}  {item['title']}"
            )
        health = f"error: {r['error']}" if r["error"] else f"HTTP {r['status']}"
        if r.get("warning"):
            health += f" (warning: {r['warning']})"
        lines.append(f"{r['source']}: {health}; {r['items_found']} items, {r['new_items']} new")
    return "\n".join(lines)


# ---------------------------------------------------------------- instruments


@cli.group()
def instruments() -> None:
    """Instruments the store knows, and ones the news suggests."""


@instruments.command("suggest")
@common
@fmt_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.pass_context
def instruments_suggest(ctx: click.Context, fmt: str, limit: int) -> None:
    """The most-mentioned unknown symbols (cashtags and exchange tickers in news)."""
    from tapewire.enrich import reads as queries  # Core: no ORM to load (issue #16)

    with run_context(settings_from(ctx)) as rc:
        rows = [asdict(c) for c in queries.ticker_candidates(rc.store, limit=limit)]
    emit(fmt, rows, _suggest_text)


def _suggest_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no unknown symbols seen in the news yet"
    lines = []
    for r in rows:
        seen = f"{r['first_seen_at']:%Y-%m-%d}..{r['last_seen_at']:%Y-%m-%d}"
        lines.append(f"{r['symbol']:<12} {r['count']:>4} items  {seen}  e.g. {r['example']}")
    return "\n".join(lines)


# ---------------------------------------------------------------- prices, levels, signals


@cli.group()
def prices() -> None:
    """Price bars."""


@prices.command("load")
@common
@fmt_option
@click.argument("symbol")
@click.argument("source")
@click.option("--name", help="Instrument name (default: the symbol).")
@click.option(
    "--asset-class",
    type=click.Choice(
        ["Stocks", "Indices", "ETFs", "Crypto", "Forex", "Commodities", "Rates", "Macro"]
    ),
    help="Asset class (default: guessed from the symbol).",
)
@click.option("--benchmark", help="Benchmark symbol for relative strength (e.g. ^GSPC).")
@click.option(
    "--member-of",
    multiple=True,
    help="An index it belongs to (repeatable), for that index's breadth (e.g. ^GSPC).",
)
@click.option(
    "--provider-symbol", help="The provider's name for it (e.g. ^spx on Stooq for ^GSPC)."
)
@click.option(
    "--provider",
    "provider_name",
    type=click.Choice(["auto", "csvfile", "stooq", "yahoo"]),
    default="auto",
    show_default=True,
    help="auto: a file or *.csv URL is CSV, any other URL a Stooq-style base URL.",
)
@click.option(
    "--interval",
    default="1d",
    show_default=True,
    help="Bar length: 1d, or intraday where the provider has it (yahoo: 60m, 30m, 15m, 5m, 1m). "
    "An intraday load leaves a known instrument's settings as they are.",
)
@click.pass_context
def prices_load(
    ctx: click.Context,
    fmt: str,
    symbol: str,
    source: str,
    name: str | None,
    asset_class: str | None,
    benchmark: str | None,
    member_of: tuple[str, ...],
    provider_symbol: str | None,
    provider_name: str,
    interval: str,
) -> None:
    """Load daily (or --interval intraday) bars for SYMBOL from a CSV, Stooq or Yahoo SOURCE."""
    from tapewire.enrich.entities import company_name
    from tapewire.market.stage import InstrumentSpec, load_bars, provider_for, save_instrument
    from tapewire.market.symbols import asset_class_of, known_name

    check_symbol(symbol, "SYMBOL")
    for other, hint in ((benchmark, "--benchmark"), (provider_symbol, "--provider-symbol")):
        if other is not None:
            check_symbol(other, hint)
    is_csv = "://" not in source or source.startswith("file://") or source.lower().endswith(".csv")
    local = (
        source.removeprefix("file://")
        if "://" not in source or source.startswith("file://")
        else None
    )
    if local is not None and not Path(local).expanduser().is_file():
        raise click.BadParameter(f"{source!r} is not a readable file", param_hint="SOURCE")
    if provider_name == "auto":
        provider_name = "csvfile" if is_csv else "stooq"
    is_csv = provider_name == "csvfile"
    spec = InstrumentSpec(
        symbol=symbol,
        name=name or known_name(symbol) or company_name(symbol) or symbol,
        asset_class=asset_class or asset_class_of(symbol),
        benchmark_symbol=benchmark,
        member_of=member_of,
        provider=provider_name,
        provider_symbol=provider_symbol,
        source_url=source,
        trades_weekends=symbol.upper().endswith("-USD"),
    )
    if interval != "1d":
        _prices_load_intraday(settings_from(ctx), fmt, spec, interval)
        return
    from tapewire.market import queries as market_queries

    shown = redact_source(source)
    with run_context(settings_from(ctx)) as rc, _progress(None, f"{symbol} from {shown}") as step:
        with rc.store.write() as s:
            inst_id = save_instrument(s, spec)
        provider = provider_for(rc, provider_name, source)
        result = load_bars(
            rc,
            inst_id,
            provider_symbol or symbol,
            provider,
            source=f"{provider.name}:{symbol}",
            full_history=is_csv,
        )
        step("stored")
        span = next(
            (v for v in market_queries.series_summary(rc.store) if v.symbol == symbol), None
        )
    data = {
        **asdict(result),
        "bars": span.bars if span else 0,
        "first": span.first if span else None,
        "last": span.last if span else None,
    }
    emit(fmt, data, functools.partial(_load_text, source=shown))
    if result.error:
        raise SystemExit(1)


def redact_source(source: str) -> str:
    from tapewire.net.redact import redact_url

    return redact_url(source) if "://" in source else source


def _load_text(r: dict[str, Any], *, source: str) -> str:
    """``prices load`` in words: what was stored, the span now held, what failed, what next."""
    sym = r["symbol"]
    held = (
        f"{sym} now holds {r['bars']:,} daily bars, {r['first']:%Y-%m-%d} to {r['last']:%Y-%m-%d}"
        if r["bars"]
        else f"{sym} holds no bars yet"
    )
    if r["error"]:
        return (
            f"{sym}: nothing loaded from {source}: {r['error']}\n{held}\n"
            "next: check the source (a file path, a *.csv URL, or --provider stooq|yahoo with "
            "--provider-symbol), then run the same command again"
        )
    rejected = f"; {r['rejected']:,} rows rejected as not valid bars" if r["rejected"] else ""
    if r["new"]:
        did = f"{sym}: {r['new']:,} new bars stored ({r['fetched']:,} read{rejected})"
    else:
        did = f"{sym}: no new bars ({r['fetched']:,} read, all stored already{rejected})"
    return (
        f"{did}\n{held}\n"
        f"next: tapewire levels {sym}, tapewire signals {sym}, or tapewire brief {sym}"
    )


@prices.command("confirm")
@common
@fmt_option
@click.argument("symbol")
@click.argument("day", metavar="DATE")
@click.pass_context
def prices_confirm(ctx: click.Context, fmt: str, symbol: str, day: str) -> None:
    """Accept a bar the price sanity check flagged (a suspected split or bad tick) as real.

    An accepted split back-adjusts the bars before it by its ratio in the indicators; an
    accepted tick is used as it is. See `tapewire prices flags SYMBOL`.
    """
    from tapewire.market.sanity import accept_bar

    when = _parse_day(day, "DATE")
    if when is None:
        raise click.BadParameter("a date is needed", param_hint="DATE")
    with run_context(settings_from(ctx)) as rc:
        inst = _instrument_or_fail(rc, symbol)
        with rc.store.write() as s:
            reason = accept_bar(s, inst.id, when)
    if reason is None:
        raise click.BadParameter(f"{symbol} has no flagged bar on {when}", param_hint="DATE")
    emit(
        fmt,
        {"symbol": symbol, "date": when, "flag": reason, "accepted": True},
        lambda d: f"{d['symbol']} {d['date']}: accepted ({d['flag']})",
    )


@prices.command("flags")
@common
@fmt_option
@click.argument("symbol")
@click.pass_context
def prices_flags(ctx: click.Context, fmt: str, symbol: str) -> None:
    """Bars the price sanity check flagged for SYMBOL, and whether each was accepted."""
    from tapewire.market.sanity import flagged_bars

    with run_context(settings_from(ctx)) as rc:
        inst = _instrument_or_fail(rc, symbol)
        rows = [
            {"date": d, "flag": r, "accepted": ok} for d, r, ok in flagged_bars(rc.store, inst.id)
        ]
    emit(
        fmt,
        rows,
        lambda rs: (
            "\n".join(
                f"{r['date']}  {'accepted' if r['accepted'] else 'pending '}  {r['flag']}"
                for r in rs
            )
            or f"{symbol}: no flagged bars"
        ),
    )


@prices.command("list")
@common
@fmt_option
@click.pass_context
def prices_list(ctx: click.Context, fmt: str) -> None:
    """Every instrument with its number of daily bars and their first and last date."""
    from tapewire.market.reads import series_summary  # Core: no ORM to load (issue #16)

    settings = settings_from(ctx)
    store = open_store(settings)
    try:
        rows = [asdict(v) for v in series_summary(store)]
    finally:
        store.close()
    emit(fmt, rows, _series_text)


def _series_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no instruments yet (load bars with: tapewire prices load SYMBOL SOURCE)"
    lines = [f"{'symbol':<12} {'class':<11} {'bars':>6}  {'first':<10}  {'last':<10}  name"]
    for r in rows:
        span = (
            f"{r['first']:%Y-%m-%d}  {r['last']:%Y-%m-%d}" if r["bars"] else f"{'-':<10}  {'-':<10}"
        )
        sim = " (simulated)" if r["simulated"] else ""
        lines.append(
            f"{r['symbol']:<12} {r['asset_class']:<11} {r['bars']:>6}  {span}  {r['name']}{sim}"
        )
    return "\n".join(lines)


@prices.command("load-dir")
@common
@fmt_option
@click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path)
)
@click.option(
    "--benchmark",
    help="Benchmark symbol for every instrument loaded (default: ^GSPC, else SPY, for stocks and "
    "equity funds when the store or the folder holds it).",
)
@click.pass_context
def prices_load_dir(ctx: click.Context, fmt: str, directory: Path, benchmark: str | None) -> None:
    """Load every *.csv in DIRECTORY (the symbol is the file name) in one process.

    A progress bar is shown on a terminal (quiet otherwise); one line per file that fails, and
    the exit code is 1 when any did.
    """
    from dataclasses import replace

    from tapewire.market import queries as market_queries
    from tapewire.market.stage import load_bars, provider_for, save_instrument
    from tapewire.pipeline.replay import default_spec

    files = sorted(p for p in directory.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
    if not files:
        raise click.UsageError(f"no *.csv files in {directory}")
    results: list[dict[str, Any]] = []
    with run_context(settings_from(ctx)) as rc, _progress(len(files)) as advance:
        held = {p.stem for p in files} | {
            i.symbol for i in market_queries.instruments(rc.store, active_only=False)
        }
        for path in files:
            symbol = path.stem
            spec = default_spec(symbol, str(path), held)  # name, class, benchmark by default
            if benchmark is not None:
                spec = replace(spec, benchmark_symbol=benchmark if benchmark != symbol else None)
            with rc.store.write() as s:
                inst_id = save_instrument(s, spec)
            provider = provider_for(rc, "csvfile", str(path))
            result = load_bars(
                rc, inst_id, symbol, provider, source=f"csvfile:{symbol}", full_history=True
            )
            results.append(asdict(result))
            if result.error:
                click.echo(f"{symbol}: {result.error}", err=True)
            advance(symbol)
    failed = [r for r in results if r["error"]]
    emit(
        fmt,
        {
            "files": len(results),
            "new": sum(r["new"] for r in results),
            "failed": len(failed),
            "results": results,
        },
        lambda d: f"{d['files']} files: {d['new']} new bars stored, {d['failed']} failed",
    )
    if failed:
        raise SystemExit(1)


def _interactive() -> bool:
    """Progress is drawn only for a person at a terminal: stdout and stderr both terminals, not
    CI (``CI`` set), not a dumb terminal. Pipes, logs and CI get the summaries alone."""
    import os

    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty() and sys.stderr.isatty()


@contextmanager
def _progress(total: int | None, label: str = "loading") -> Iterator[Callable[[str], None]]:
    """A rich progress bar on stderr, advanced by one per call with the step's label; a pulsing
    bar when ``total`` is None (work of unknown length). A no-op unless ``_interactive()``."""
    if not _interactive():
        yield lambda _label: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        *((MofNCompleteColumn(),) if total is not None else ()),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda step: progress.update(task, advance=1, description=f"{label}: {step}")


def _prices_load_intraday(
    settings: Settings, fmt: str, spec: InstrumentSpec, interval: str
) -> None:
    """``prices load --interval 60m``: intraday bars into their own table."""
    from tapewire.market.providers import intraday_source
    from tapewire.market.stage import ensure_instrument, load_intraday, provider_for

    with run_context(settings) as rc:
        provider = provider_for(rc, spec.provider, spec.source_url)
        intraday_source(provider, interval)  # a provider without the interval: exit 2, no row
        with rc.store.write() as s:
            inst_id = ensure_instrument(s, spec)
        result = load_intraday(
            rc,
            inst_id,
            spec.provider_symbol or spec.symbol,
            provider,
            interval,
            source=f"{provider.name}:{spec.symbol}:{interval}",
        )
    emit(
        fmt,
        asdict(result),
        lambda r: (
            f"{r['symbol']}: {r['new']} new {r['interval']} bars stored ({r['fetched']} read, "
            f"{r['rejected']} rejected, {r['forming']} still forming)"
            + (f"; error: {r['error']}" if r["error"] else "")
        ),
    )
    if result.error:
        raise SystemExit(1)


def check_symbol(symbol: str, hint: str) -> None:
    """Raises click.BadParameter on an empty symbol or one longer than the store keeps."""
    if not symbol.strip() or len(symbol) > MAX_SYMBOL or not symbol.isprintable():
        raise click.BadParameter(
            f"a symbol is 1 to {MAX_SYMBOL} printable characters (got {len(symbol)})",
            param_hint=hint,
        )


def _instrument_or_fail(rc: RunContext, symbol: str) -> Any:
    from tapewire.market import queries

    inst = queries.instrument(rc.store, symbol)
    if inst is None:
        raise NoDataError(
            f"unknown instrument {symbol}: load its bars first (tapewire prices load {symbol} SOURCE)"
        )
    return inst


@cli.command()
@common
@fmt_option
@as_of_option
@click.argument("symbol")
@click.pass_context
def levels(ctx: click.Context, fmt: str, as_of: str | None, symbol: str) -> None:
    """Key levels for SYMBOL with their evidence, from bars before --as-of."""
    from tapewire.market import queries
    from tapewire.market.sanity import screen_stored
    from tapewire.technicals.compute import compute_snapshot
    from tapewire.technicals.stage import HISTORY_DAYS

    with run_context(settings_from(ctx), as_of=parse_as_of_arg(as_of)) as rc:
        inst = _instrument_or_fail(rc, symbol)
        bars = queries.bars(rc.store, inst.id, until=rc.as_of, days=HISTORY_DAYS)
        checked = screen_stored(rc.store, inst.id, bars, symbol=symbol)  # as the stage does
        if checked.blocked is not None:
            raise NoDataError(f"{symbol}: {checked.blocked}")
        bars = checked.bars
        snap = compute_snapshot(bars)
        if snap is None:
            raise NoDataError(
                f"{symbol}: only {len(bars)} bars before {rc.as_of:%Y-%m-%d}; need 30"
            )
        data = {
            "symbol": symbol,
            "as_of": rc.as_of,
            "bar_date": snap.bar_date,
            "close": snap.values["close"],
            "atr14": snap.values["atr14"],
            "levels": [asdict(lv) for lv in snap.levels],
        }
    emit(fmt, data, _levels_text)


def _levels_text(d: dict[str, Any]) -> str:
    """A price ladder, highest first, with the close in its place; each level's why below it."""
    atr = f", ATR 14 {d['atr14']:,.2f}" if d.get("atr14") else ""
    lines = [
        f"{d['symbol']} levels as of {d['as_of']:%Y-%m-%d} (last bar {d['bar_date']}, close {d['close']:,.2f}{atr})",
        f"  {'kind':<10} {'price':>10}  {'zone':<21}  {'touches':>7}  {'breaks':>6}  last touch",
    ]
    ladder = sorted(d["levels"], key=lambda lv: -lv["price"])
    marked = False
    for lv in ladder:
        if not marked and lv["price"] < d["close"]:
            lines.append(f"  {'close':<10} {d['close']:>10,.2f}")
            marked = True
        zone = (
            f"{lv['zone_low']:,.2f} - {lv['zone_high']:,.2f}"
            if lv["zone_low"] is not None and lv["zone_high"] is not None
            else ""
        )
        lines.append(
            f"  {lv['kind']:<10} {lv['price']:>10,.2f}  {zone:<21}  "
            f"{lv['touches']:>7}  {lv['breaks']:>6}  {lv['last_touch_date'] or '-'}"
        )
        lines.append(f"  {'':<10} {'':>10}  {lv['evidence']}")
    if not marked:
        lines.append(f"  {'close':<10} {d['close']:>10,.2f}")
    return "\n".join(lines)


def _analyse(rc: RunContext) -> None:
    """Bring enrich, technicals and signals up to ``rc.as_of`` from what is stored."""
    from tapewire.enrich import stage as enrich_stage
    from tapewire.signals import stage as signals_stage
    from tapewire.technicals import stage as technicals_stage

    for stage in (enrich_stage.run, technicals_stage.run, signals_stage.run):
        stage(rc)


@cli.command()
@common
@fmt_option
@as_of_option
@click.argument("symbol")
@click.pass_context
def signals(ctx: click.Context, fmt: str, as_of: str | None, symbol: str) -> None:
    """Pulse, Heat, Risk and Threat for SYMBOL with their components and the technicals."""
    from tapewire.signals import queries
    from tapewire.technicals import queries as technicals_queries

    with run_context(settings_from(ctx), as_of=parse_as_of_arg(as_of)) as rc:
        inst = _instrument_or_fail(rc, symbol)
        _analyse(rc)
        sig = queries.latest(rc.store, inst.id, until=rc.as_of)
        tech = technicals_queries.latest(rc.store, inst.id, until=rc.as_of)
        if sig is None or sig.as_of != rc.as_of or tech is None:
            raise NoDataError(
                f"{symbol}: not enough bars before {rc.as_of:%Y-%m-%d} to compute signals"
            )
        data = {
            "symbol": symbol,
            **asdict(sig),
            "bar_date": tech.bar_date,
            "technicals": dict(sorted(tech.values.items())),
        }
    emit(fmt, data, _signals_text)


def _signals_text(d: dict[str, Any]) -> str:
    comps = d["components"]
    lines = [
        f"{d['symbol']} as of {d['as_of']:%Y-%m-%d} (last bar {d['bar_date']}): "
        f"Pulse {d['pulse']:.0f}/100 {d['direction']}, Heat {d['heat']:.0f} {d['heat_label']}, "
        f"Risk {d['risk']}, Threat {d['threat']}/5"
    ]
    for comp in comps["pulse"]:
        value = "n/a" if comp["value"] is None else f"{comp['value']:+.2f}"
        inputs = ", ".join(f"{k}={_num(v)}" for k, v in comp["inputs"].items())
        lines.append(f"  pulse.{comp['name']:<18} {value:>6} x {comp['weight']}  {inputs}")
    heat = comps["heat"]
    lines.append(
        f"  heat: {heat['items_24h']} items from {heat['publishers_24h']} publishers in 24 h, "
        f"baseline {heat['baseline_per_day']}/day"
    )
    risk = comps["risk"]
    lines.append(
        f"  risk: {risk['points']} points; ATR {_num(risk['atr_pct'])}% of price, drawdown "
        f"{_num(risk['drawdown_pct'])}%, vol percentile {_num(risk.get('vol_pctile'))}, "
        f"VIX {_num(risk.get('vix'))} ({risk.get('vix_regime') or 'n/a'})"
    )
    lines.append(f"  threat reasons: {', '.join(comps['threat']['reasons']) or 'none'}")
    lines.append("  technicals:")
    lines += [f"    {name:<20} {_num(value)}" for name, value in d["technicals"].items()]
    return "\n".join(lines)


def _num(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.4g}"
    return str(value)


# ---------------------------------------------------------------- sentiment, brief


@cli.command()
@common
@fmt_option
@click.argument("text", required=False)
@click.option(
    "--file",
    "file_",
    type=click.File("r", encoding="utf-8"),
    help="One text per line ('-' for stdin).",
)
@click.option(
    "--toward",
    metavar="SYMBOL",
    help="Also score the tone toward this instrument (e.g. ^GSPC, CL=F, AAPL).",
)
@click.option(
    "--alias",
    "aliases",
    multiple=True,
    metavar="NAME",
    help="A name the --toward instrument goes by (repeatable), e.g. --alias Apple.",
)
def sentiment(
    fmt: str, text: str | None, file_: Any, toward: str | None, aliases: tuple[str, ...]
) -> None:
    """Label and score per line: the finance lexicon read by a small trained model (score in [-1, 1]).

    With --toward SYMBOL, also the tone toward that instrument: the clause about it, in [-1, 1].
    """
    from tapewire.enrich.sentiment import label_of, neutral_band, score_texts
    from tapewire.enrich.tone import target, tone_toward
    from tapewire.market.symbols import asset_class_of

    if text is None and file_ is None:
        raise click.UsageError("give TEXT or --file FILE")
    try:
        lines = [text] if text is not None else [ln.rstrip("\n") for ln in file_ if ln.strip()]
    except UnicodeDecodeError as exc:
        raise click.BadParameter(
            f"not UTF-8 text (byte {exc.start}: {exc.reason})", param_hint="--file"
        ) from None
    rows = [{"text": ln, **asdict(s)} for ln, s in zip(lines, score_texts(lines), strict=True)]
    if toward:
        goal = target(toward, aliases, asset_class_of(toward))
        for row in rows:
            row["toward"] = toward
            row["tone"] = tone_toward(row["text"], "", goal)
            row["tone_label"] = label_of(row["tone"], neutral_band())
        emit(
            fmt,
            rows,
            lambda rs: "\n".join(
                f"{r['tone_label']:<8} {r['tone']:+.3f} toward {r['toward']}"
                f"  (sentence {r['label']} {r['score']:+.3f})  {r['text']}"
                for r in rs
            ),
        )
        return
    emit(
        fmt,
        rows,
        lambda rs: "\n".join(f"{r['label']:<8} {r['score']:+.3f}  {r['text']}" for r in rs),
    )


@cli.command()
@common
@fmt_option
@as_of_option
@click.argument("symbol", required=False)
@click.option(
    "--market", is_flag=True, help="The day's market brief (also: SYMBOL given as MARKET)."
)
@click.pass_context
def brief(
    ctx: click.Context, fmt: str, as_of: str | None, symbol: str | None, market: bool
) -> None:
    """Write (and verify) a brief for SYMBOL, or the market brief, from what is stored; print it."""
    from tapewire.market import queries as market_queries
    from tapewire.newsroom import queries
    from tapewire.newsroom.market_brief import write_market_brief
    from tapewire.newsroom.stage import write_brief

    if symbol is None and not market:
        raise click.UsageError("give SYMBOL or --market")
    with run_context(settings_from(ctx), as_of=parse_as_of_arg(as_of)) as rc:
        market = market or (
            symbol == "MARKET" and market_queries.instrument(rc.store, symbol) is None
        )
        inst = None if market else _instrument_or_fail(rc, str(symbol))
        _analyse(rc)
        try:
            written = write_market_brief(rc) if inst is None else write_brief(rc, inst)
            assert written is not None  # noqa: S101 (quiet=False raises instead)
            slug = written[0]
        except NoNewSessionError:
            latest = (
                queries.list_market_briefs(rc.store, limit=1, until=rc.as_of)
                if inst is None
                else queries.list_briefs(rc.store, limit=1, symbol=symbol, until=rc.as_of)
            )
            if not latest:
                raise
            slug = latest[0].slug  # no new session (a weekend): the last brief still stands
        view = queries.get_brief(rc.store, slug)
        assert view is not None  # noqa: S101 (written just above)
        doc = queries.brief_document(view)
    emit(fmt, doc, render_brief_text)


def _section(title: str, lines: list[str]) -> list[str]:
    """A titled list and a blank line; nothing for an empty one (a market brief has no
    "Opportunities": it printed the title alone)."""
    return [title, *[f"  - {line}" for line in lines], ""] if lines else []


def render_brief_text(doc: dict[str, Any]) -> str:
    sec = doc["sections"]
    ver = doc["verification"] or {}
    lines = [
        doc["headline"],
        "",
        doc["dek"],
        "",
        "Analysis",
        *[f"  {p}" for p in sec["analysis"]],
        "",
        "Watch",
        *[f"  - {w}" for w in sec["watch"]],
        "",
        *_section("Risks", sec["risks"]),
        *_section("Opportunities", sec["opportunities"]),
        f"Take: {sec['take']}",
        "",
        f"Sources ({len(doc['sources'])})",
    ]
    lines += [
        f"  - {s['outlet']} ({s['published_at'][:10]}): {s['title']} <{s['url']}>"
        for s in doc["sources"]
    ]
    lines += [
        "",
        f"Verified: {ver.get('checked', 0) - ver.get('failed', 0)}/{ver.get('checked', 0)} claims grounded"
        f" | tags: {' '.join('#' + t for t in doc['tags'])} | {doc['read_minutes']} min read"
        f" | writer: {doc['writer']}",
    ]
    lines += [f"  note: {note}" for note in ver.get("notes", [])]
    if doc.get("simulated"):
        lines.insert(0, "[SIMULATED DATA]")
    return "\n".join(lines)


# ---------------------------------------------------------------- demo, run, serve, replay


@cli.command()
@common
@fmt_option
@as_of_option
@click.option("--no-serve", is_flag=True, help="Run the pipeline, print a summary and exit.")
@click.option("--port", type=PORT, help="Port of the demo site (default: demo.port).")
@click.pass_context
def demo(ctx: click.Context, fmt: str, as_of: str | None, no_serve: bool, port: int | None) -> None:
    """Offline: build the simulated demo world, run the whole pipeline over it, serve the site."""
    from tapewire.clock import SystemClock, utc_midnight
    from tapewire.demo.run import run_demo_history

    opts = ctx.ensure_object(Opts)
    base = settings_from(ctx)
    overrides: dict[str, Any] = {"http": {"allow_private_urls": True}}
    if not opts.db:
        overrides["db"] = {"url": str(base.data_dir / "demo.db")}
    settings = settings_from(ctx, **overrides)
    from tapewire.pipeline.jobs import STAGES

    day = parse_as_of_arg(as_of) or utc_midnight(SystemClock().now().date())
    # the site's socket is bound (and held) before the demo's minutes of work: a busy port is a
    # usage error at once, and nothing can take the port in between
    listener = None if no_serve else bind_listener(settings.web.host, port or settings.demo.port)
    try:
        days = max(1, settings.demo.history_days)
        with _progress(days * len(STAGES), "demo") as advance:
            current = {"day": ""}

            def progress(msg: str) -> None:  # "day YYYY-MM-DD", then "stage NAME" per stage
                if opts.debug and not _interactive():  # plain lines for logs (no bar there)
                    click.echo(f"... {msg}", err=True)
                if msg.startswith("day "):
                    current["day"] = msg.removeprefix("day ")
                elif msg.startswith("stage "):
                    advance(f"{current['day']} {msg.removeprefix('stage ')}")

            summary = run_demo_history(
                settings, as_of=utc_midnight(day.date()), clock=SystemClock(), progress=progress
            )
        emit(fmt, summary, _demo_text)
        _fail_if_every_brief_rejected(summary["new_briefs"], summary.get("rejected", 0), "demo")
    except BaseException:
        if listener is not None:
            listener.close()
        raise
    if listener is not None:
        _serve(settings, listener)


def _demo_text(d: dict[str, Any]) -> str:
    lines = [
        f"demo world (simulated data), {d['from']} to {d['as_of']}: {d['items']} news items, {d['bars']} bars, "
        f"{d['briefs']} briefs ({d['new_items']} items, {d['new_bars']} bars, {d['new_briefs']} briefs new this run)",
        f"database: {d['database']}",
    ]
    if d.get("rejected") or d.get("rewritten"):
        lines.append(
            f"briefs rejected (not published): {d.get('rejected', 0)}; "
            f"rewritten for coherence: {d.get('rewritten', 0)}"
        )
    lines += [f"  {e}" for e in d["errors"]]
    return "\n".join(lines)


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening (OSError when it cannot be)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        sock.bind(address)
        sock.listen(2048)
    except BaseException:
        sock.close()
        raise
    return sock


def _free_port_near(host: str, port: int) -> int | None:
    for candidate in range(port + 1, min(port + 50, 65535) + 1):
        try:
            _listen(host, candidate).close()
        except OSError:
            continue
        return candidate
    return None


def bind_listener(host: str, port: int) -> socket.socket:
    """The site's listening socket, bound now, before any work or any "serving" line.

    Raises:
        click.UsageError: ``host:port`` cannot be listened on (busy, privileged, no such
            address); one line, with a free port to try when there is one near.
    """
    try:
        return _listen(host, port)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        near = _free_port_near(host, port) if exc.errno == 98 else None  # EADDRINUSE
        hint = f"; try --port {near}" if near else "; choose another with --port"
        raise click.UsageError(f"cannot serve on {host}:{port}: {reason}{hint}") from None


def check_port_free(host: str, port: int) -> None:
    """Raises click.UsageError when ``host:port`` cannot be listened on (see ``bind_listener``);
    for ``serve --workers``, whose processes bind the port themselves."""
    bind_listener(host, port).close()


def _serve(settings: Settings, listener: socket.socket) -> None:
    """Serve the site on an already bound ``listener``: the one line says the one URL to open."""
    import uvicorn

    from tapewire.web.app import create_app

    host, port = listener.getsockname()[:2]
    store = open_store(settings)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"serving the site: open http://{shown}:{port}/ (Ctrl-C to stop)")
    config = uvicorn.Config(
        create_app(settings, store=store), host=host, port=port, log_level="warning"
    )
    try:
        uvicorn.Server(config).run(sockets=[listener])
    finally:
        listener.close()
        store.close()


@cli.command()
@common
@click.option("--port", type=PORT, help="Port (default: web.port).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Web processes; their live streams share events through Redis (queue.stream_url).",
)
@click.pass_context
def serve(ctx: click.Context, port: int | None, workers: int) -> None:
    """Serve the web site and API only (reads the store)."""
    settings = settings_from(ctx)
    if workers == 1:
        _serve(settings, bind_listener(settings.web.host, port or settings.web.port))
        return
    import os

    import uvicorn

    opts = ctx.ensure_object(Opts)
    open_store(settings).close()  # migrate once, before the processes start
    if opts.config:  # each process builds its settings from the environment (web/asgi.py)
        os.environ["TAPEWIRE_CONFIG"] = str(opts.config.resolve())
    if opts.db:
        os.environ["TAPEWIRE_DB__URL"] = opts.db
    port = port or settings.web.port
    check_port_free(settings.web.host, port)
    click.echo(
        f"serving the site with {workers} processes: open http://{settings.web.host}:{port}/"
    )
    uvicorn.run(
        "tapewire.web.asgi:app_from_env",
        factory=True,
        host=settings.web.host,
        port=port,
        workers=workers,
        log_level="warning",
    )


@cli.command()
@common
@click.option("--once", is_flag=True, help="One pipeline pass as of now, then exit (no web).")
@click.option("--port", type=PORT, help="Port of the site (default: web.port).")
@click.pass_context
def run(ctx: click.Context, once: bool, port: int | None) -> None:
    """Live: the scheduler runs the pipeline every feeds.poll_minutes; the site is served meanwhile."""
    import threading

    from tapewire.alerts.dispatch import start_dispatcher
    from tapewire.pipeline.jobs import LIVE_STAGES, run_pipeline
    from tapewire.pipeline.scheduler import Scheduler

    settings = settings_from(ctx)

    def one_pass() -> list[Any]:
        with run_context(settings) as rc:
            if settings.queue.broker_url:  # the stages run on `tapewire worker`s
                return _enqueue_pass(rc, fixed=False, due_only=True)
            return run_pipeline(rc, stages=LIVE_STAGES)

    scheduler = Scheduler(one_pass, interval_s=60.0 * settings.feeds.poll_minutes)
    listener = None if once else bind_listener(settings.web.host, port or settings.web.port)
    if once:
        reports = scheduler.run_once()
        if not reports:
            raise TapewireError("the pipeline pass failed (see the log above)")
        _print_summary(reports)
        outcome = _brief_outcomes(reports)
        briefs = sum(r.counts.get("briefs", 0) for r in reports if r.stage == "newsroom")
        _fail_if_every_brief_rejected(briefs, outcome["rejected"], "pass")
        _deliver_alerts(settings)
        return
    worker = threading.Thread(target=scheduler.run_forever, name="scheduler", daemon=True)
    worker.start()
    alerts_store = open_store(settings)
    _, stop_alerts = start_dispatcher(alerts_store, settings.alerts)  # delivers the outbox
    try:
        assert listener is not None  # noqa: S101 (bound above unless --once)
        _serve(settings, listener)
    finally:
        scheduler.stop()
        stop_alerts()
        alerts_store.close()


def _print_summary(reports: Sequence[Any]) -> None:
    """What the pass (or replay) did, what failed and why, and what to do next, in words."""
    from tapewire.cli_words import pass_summary

    lines, todo = pass_summary(reports)
    click.echo("\n".join(lines))
    for step in todo:
        click.echo(f"next: {step}")


def _deliver_alerts(settings: Settings) -> None:
    """Deliver what the pass queued (alerts that fail stay queued with their retry time)."""
    import threading

    from tapewire.alerts.dispatch import Dispatcher

    store = open_store(settings)
    try:
        stats = Dispatcher(store, settings.alerts).run(threading.Event(), until_idle=True)
    finally:
        store.close()
    if stats.claimed:
        click.echo(
            f"alerts: {stats.delivered} delivered, {stats.failed} to retry, {stats.dead} dead"
        )


@cli.command()
@common
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--from", "from_", metavar="DATE", help="First day (YYYY-MM-DD). Default: 30 days before --to."
)
@click.option("--to", metavar="DATE", help="Last day (YYYY-MM-DD). Default: today (UTC).")
@fmt_option
@click.pass_context
def replay(
    ctx: click.Context, directory: Path, from_: str | None, to: str | None, fmt: str
) -> None:
    """Run the pipeline day by day over recorded feeds/ and prices/<SYMBOL>.csv, as of each day."""
    from datetime import timedelta

    from tapewire.clock import FixedClock, SystemClock, utc_midnight
    from tapewire.context import RunContext
    from tapewire.pipeline.replay import run_replay

    settings = settings_from(ctx)
    if not directory.is_dir():
        raise click.BadParameter(f"{directory} is not a directory", param_hint="DIRECTORY")
    end = _parse_day(to, "--to") or SystemClock().now().date()
    start = _parse_day(from_, "--from") or end - timedelta(days=30)
    rows: list[dict[str, Any]] = []
    reports: list[Any] = []
    days = (end - start).days + 1
    with run_context(settings) as rc, _progress(max(days, 0), "replay") as advance:

        def make_ctx(day: date) -> RunContext:
            as_of = utc_midnight(day)
            return RunContext(
                store=rc.store,
                settings=settings,
                as_of=as_of,
                http=rc.http,
                clock=FixedClock(as_of),
            )

        def on_day(result: Any) -> None:
            row = {
                "day": result.day.isoformat(),
                "new_items": result.count("ingest", "new_items"),
                "new_bars": result.count("market", "new_bars"),
                "briefs": result.count("newsroom", "briefs"),
                **_brief_outcomes(result.reports),
            }
            rows.append(row)
            reports.extend(result.reports)
            advance(row["day"])
            if fmt == "text":
                click.echo(
                    f"{row['day']}: {row['new_items']} items, {row['new_bars']} bars, {row['briefs']} briefs"
                    + _outcome_text(row)
                )

        queued = functools.partial(_enqueue_pass, fixed=True, due_only=False)
        run_replay(
            make_ctx,
            directory,
            start=start,
            end=end,
            on_day=on_day,
            run=queued if settings.queue.broker_url else None,
        )
    if fmt == "json":
        emit(fmt, rows, str)
    elif rows:
        click.echo(f"replay {start} .. {end}, {len(rows)} days in all:")
        _print_summary(reports)
    _fail_if_every_brief_rejected(
        sum(r["briefs"] for r in rows), sum(r["rejected"] for r in rows), "replay"
    )


def _enqueue_pass(rc: RunContext, *, fixed: bool, due_only: bool) -> list[Any]:
    """One pass on the workers (``queue.broker_url``), waited for; its reports."""
    from tapewire.queue.app import make_app
    from tapewire.queue.tasks import enqueue_pass

    app = make_app(rc.settings)
    try:
        return enqueue_pass(
            rc.store,
            rc.as_of,
            fixed=fixed,
            due_only=due_only,
            timeout_s=rc.settings.queue.cycle_timeout_s,
            stage_tasks=rc.settings.queue.stage_tasks,
            resend_after_s=rc.settings.queue.resend_after_s,
        )
    finally:
        app.close()


# ---------------------------------------------------------------- scale-out (Celery)


@cli.command()
@common
@click.option(
    "--queues", "-Q", default="tapewire", show_default=True, help="Queues to take tasks from."
)
@click.option(
    "--concurrency", "-c", type=click.IntRange(min=1), help="Worker processes (default: cores)."
)
@click.option(
    "--pool",
    type=click.Choice(["prefork", "solo", "threads"]),
    default="prefork",
    show_default=True,
    help="Celery execution pool.",
)
@click.option("--hostname", "-n", help="Worker node name (default: tapewire@<host>).")
@click.pass_context
def worker(
    ctx: click.Context, queues: str, concurrency: int | None, pool: str, hostname: str | None
) -> None:
    """Run a Celery worker that runs the pipeline's tasks (needs queue.broker_url)."""
    from tapewire.queue.app import make_app

    settings = settings_from(ctx)
    open_store(settings).close()  # migrate once here, before the pool forks
    app = make_app(settings)
    argv = ["worker", "-Q", queues, "--pool", pool, "--loglevel", "INFO", "--without-gossip"]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    if hostname:
        argv += ["--hostname", hostname]
    app.worker_main(argv)


@cli.command()
@common
@click.pass_context
def beat(ctx: click.Context) -> None:
    """Run Celery beat: one pipeline pass every feeds.poll_minutes (needs queue.broker_url)."""
    from tapewire.queue.app import make_app

    settings = settings_from(ctx)
    app = make_app(settings)
    schedule = settings.data_dir / "celerybeat-schedule"
    schedule.parent.mkdir(parents=True, exist_ok=True)
    app.start(["beat", "--loglevel", "INFO", "--schedule", str(schedule)])


@cli.command()
@common
@fmt_option
@click.pass_context
def status(ctx: click.Context, fmt: str) -> None:
    """Queue depths, live workers, the last run of each stage and the failing feeds."""
    from tapewire.queue.status import gather_status, status_text

    settings = settings_from(ctx)
    store = open_store(settings)
    try:
        emit(fmt, gather_status(settings, store), status_text)
    finally:
        store.close()


def _brief_outcomes(reports: Sequence[Any]) -> dict[str, Any]:
    """Briefs not published (verification or coherence rejected them) and rewritten, with the
    reasons: a rejected brief is never a silent drop."""
    news = [r for r in reports if r.stage == "newsroom"]
    return {
        "rejected": sum(r.counts.get("rejected", 0) for r in news),
        "rewritten": sum(r.counts.get("rewritten", 0) for r in news),
        "rejections": [e for r in news for e in r.errors if "brief rejected" in e],
    }


def _outcome_text(row: dict[str, Any]) -> str:
    text = ""
    if row["rejected"]:
        text += f", {row['rejected']} rejected (not published)"
    if row["rewritten"]:
        text += f", {row['rewritten']} rewritten for coherence"
    return text + "".join(f"\n  rejected: {e}" for e in row["rejections"])


def _fail_if_every_brief_rejected(briefs: int, rejected: int, what: str) -> None:
    if rejected and not briefs:
        raise TapewireError(
            f"every brief of the {what} was rejected ({rejected} not published; reasons above)"
        )


def _parse_day(value: str | None, hint: str) -> date | None:
    if value is None:
        return None
    from tapewire.clock import check_year

    try:
        day = date.fromisoformat(value)
        check_year(day.year, value)
    except ValueError as exc:
        reason = str(exc) if "out of range" in str(exc) else f"{value!r} is not YYYY-MM-DD"
        raise click.BadParameter(reason, param_hint=hint) from None
    return day


# ---------------------------------------------------------------- scorecard


@cli.command()
@common
@click.argument("symbols", nargs=-1, required=True)
@click.option(
    "--from", "from_", metavar="DATE", required=True, help="First as-of day (YYYY-MM-DD)."
)
@click.option("--to", metavar="DATE", required=True, help="Last as-of day (YYYY-MM-DD).")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes to backtest symbols in (the machine's cores at most is useful).",
)
@fmt_option
@click.pass_context
def backtest(
    ctx: click.Context, symbols: tuple[str, ...], from_: str, to: str, jobs: int, fmt: str
) -> None:
    """Make the pipeline's daily calls for SYMBOLS from stored bars alone, grade them, store them.

    One call per session (as of the day after each bar), exactly as the day-by-day pipeline would
    have made it without news; outcomes from the bars after each call. Load bars first with
    `tapewire prices load`. Replaces earlier backtest calls of the same instruments.
    """
    import time

    from tapewire.clock import SystemClock
    from tapewire.scorecard import queries as scorecard_queries
    from tapewire.scorecard.backtest import run_backtest, universe_from_store
    from tapewire.scorecard.stage import save_backtest, save_snapshot

    start, end = date.fromisoformat(from_), date.fromisoformat(to)
    if end < start:
        raise ConfigError(f"--to {end} is before --from {start}")
    settings = settings_from(ctx)
    store = open_store(settings)
    try:
        universe = universe_from_store(store, vix_symbol=settings.market.vix_symbol)
        missing = [s for s in symbols if s not in universe.by_symbol]
        if missing:
            raise ConfigError(
                f"no stored instrument {', '.join(missing)} (load bars: tapewire prices load)"
            )
        t0 = time.perf_counter()
        with _progress(len(symbols), "backtest") as advance:
            results = run_backtest(
                universe,
                symbols,
                start=start,
                end=end,
                jobs=jobs,
                on_symbol=lambda symbol, calls: advance(f"{symbol} ({calls:,} calls)"),
            )
        seconds = time.perf_counter() - t0
        now = SystemClock().now()
        save_backtest(store, results, now=now)
        card = scorecard_queries.scorecard(store, kinds=("backtest",), reps=100)
        save_snapshot(store, "backtest", card, as_of=now, now=now)
    finally:
        store.close()
    sessions = len({c.entry_date for c, _ in results})
    data = {
        "symbols": list(symbols),
        "from": start,
        "to": end,
        "calls": len(results),
        "sessions": sessions,
        "seconds": round(seconds, 2),
        "scorecard": card.as_dict(),
    }
    emit(fmt, data, _backtest_text)


def _backtest_text(data: dict[str, Any]) -> str:
    head = (
        f"backtest {', '.join(data['symbols'])} {data['from']} .. {data['to']}: "
        f"{data['calls']} calls in {data['seconds']} s"
    )
    return head + "\n" + _scorecard_text(data["scorecard"])


@cli.command()
@common
@click.option(
    "--kind",
    type=click.Choice(["live", "backtest"]),
    default="live",
    show_default=True,
    help="live: the published signals and briefs; backtest: the stored backtest's calls.",
)
@fmt_option
@click.pass_context
def scorecard(ctx: click.Context, kind: str, fmt: str) -> None:
    """Grade every call whose outcome is in: hit rate, IC, calibration, levels, with baselines."""
    from tapewire.scorecard import queries as scorecard_queries

    kinds = ("signal", "brief") if kind == "live" else ("backtest",)
    store = open_store(settings_from(ctx))
    try:
        card = scorecard_queries.scorecard(store, kinds=kinds)
    finally:
        store.close()
    emit(fmt, card.as_dict(), _scorecard_text)


def _fig(fig: Any, pct: bool = False) -> str:
    if not isinstance(fig, dict) or fig.get("value") is None:
        return "n/a"
    scale, unit = (100.0, "%") if pct else (1.0, "")
    text = f"{fig['value'] * scale:.1f}{unit}" if pct else f"{fig['value']:.3f}"
    if fig.get("low") is not None:
        lo, hi = fig["low"] * scale, fig["high"] * scale
        text += f" [{lo:.1f}, {hi:.1f}]" if pct else f" [{lo:.3f}, {hi:.3f}]"
    return text


def _scorecard_text(card: dict[str, Any]) -> str:
    lines = [
        f"{card['n_calls']} graded calls, {card['first']} .. {card['last']} "
        f"({card['with_news']} with a news component)",
        card["verdict"],
    ]
    for h, figs in card.get("hit", {}).items():
        lines.append(
            f"hit rate {h}d: Pulse {_fig(figs['pulse'], True)}; always Bullish "
            f"{_fig(figs['always_bullish'], True)}; 20-day sign {_fig(figs['momentum_sign'], True)}; "
            f"random {_fig(figs['random_same_rates'], True)}"
        )
    for h, figs in card.get("ic", {}).items():
        lines.append(
            f"IC {h}d: Pulse {_fig(figs['pulse'])}; 20-day return "
            f"{_fig(figs['momentum_return20'])}; its sign {_fig(figs['momentum_sign'])}"
        )
    for name in ("threat", "risk"):
        part = card.get(name) or {}
        if part:
            lines.append(
                f"{name} vs next-20 vol (Spearman): {_fig(part['spearman_forward_vol'])}; "
                f"trailing vol {_fig(part['baseline_trailing_vol'])}"
            )
    for lv in card.get("levels", []):
        lines.append(
            f"levels {lv['group']} {lv['horizon']}d: held {_fig(lv['held'], True)} vs random "
            f"{_fig(lv['random'], True)} (ratio {_fig(lv['ratio'])}, n={lv['n']})"
        )
    wf = card.get("walk_forward") or {}
    if "tuned_ic5" in wf:
        lines.append(
            f"walk-forward: tuned on {wf['train']['first']} .. {wf['train']['last']}, graded on "
            f"{wf['test']['first']} .. {wf['test']['last']}: tuned IC 5d {_fig(wf['tuned_ic5'])}, "
            f"shipped {_fig(wf['shipped_ic5'])} (weights {wf['tuned_weights']})"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map errors to exit codes and one-line messages."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        cli.main(args=argv, prog_name="tapewire", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.UsageError as exc:
        exc.show()
        return 2
    except click.Abort:
        click.echo("aborted", err=True)
        return 1
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 1
    except ConfigError as exc:
        return _fail(debug, exc, 2)
    except TapewireError as exc:
        return _fail(debug, exc, 1)
    except Exception as exc:
        return _fail(debug, exc, 1, prefix="internal error: ")
    return 0


def _fail(debug: bool, exc: BaseException, code: int, *, prefix: str = "") -> int:
    """One line on stderr (``--debug``: the traceback first); the exit code is the same."""
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    click.echo(f"error: {prefix}{_one_line(exc)}", err=True)
    return code


if __name__ == "__main__":  # `python -m tapewire.cli`: run the importable module (every group)
    from tapewire.cli import main as _main

    sys.exit(_main())
else:  # command groups in their own modules: importing one adds its commands to `cli` (a plain
    # `import`, so either module may be imported first, also as a spawned process's main)
    import tapewire.cli_alerts  # noqa: F401
