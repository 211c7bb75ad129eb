"""The public scorecard: /scorecard (page), /api/scorecard (JSON), /feeds/scorecard.atom.

Pages read the stored, already graded scorecard (``scorecard_snapshot``: the scorecard stage
grades live calls, ``tapewire backtest`` its own); nothing is graded per request.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from tapewire.newsroom import queries as newsroom_queries
from tapewire.publish.atom import AtomEntry, render_atom
from tapewire.scorecard import queries as scorecard_queries
from tapewire.store import Store
from tapewire.web.deps import cached_body, get_store, get_templates, json_body, site_url
from tapewire.web.routes.api import errors
from tapewire.web.routes.feeds import ATOM, ATOM_DOC, AtomResponse

page_router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["api"])
feed_router = APIRouter(tags=["feeds"])
StoreDep = Annotated[Store, Depends(get_store)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
Kind = Literal["live", "backtest"]


@page_router.get("/scorecard", response_class=HTMLResponse)
def scorecard_page(
    request: Request,
    store: StoreDep,
    templates: TemplatesDep,
    kind: Annotated[Kind, Query()] = "live",
) -> HTMLResponse:
    snap = scorecard_queries.latest_snapshot(store, kind)
    card = snap.data if snap else None
    return templates.TemplateResponse(
        request,
        "scorecard.html",
        {
            "simulated": newsroom_queries.any_simulated(store),
            "kind": kind,
            "snap": snap,
            "card": card,
            "counts": scorecard_queries.counts(
                store, kinds=("signal", "brief") if kind == "live" else ("backtest",)
            ),
            "calibration": render_calibration(card["deciles"]) if card else None,
            "pct": _pct,
            "num": _num,
            "feed": "/feeds/scorecard.atom",
        },
    )


def _pct(fig: Any) -> str:
    if not isinstance(fig, dict) or fig.get("value") is None:
        return "n/a"
    text = f"{100 * fig['value']:.1f}%"
    if fig.get("low") is not None:
        text += f" ({100 * fig['low']:.1f} to {100 * fig['high']:.1f}%)"
    return text


def _num(fig: Any, digits: int = 3) -> str:
    if not isinstance(fig, dict) or fig.get("value") is None:
        return "n/a"
    text = f"{fig['value']:.{digits}f}"
    if fig.get("low") is not None:
        text += f" ({fig['low']:.{digits}f} to {fig['high']:.{digits}f})"
    return text


def render_calibration(deciles: list[dict[str, Any]]) -> Markup | None:
    """Mean 5-session excess return per Pulse decile with its 90% interval, as inline SVG."""
    rows = [d for d in deciles if d["mean_excess_pct"].get("value") is not None]
    if not rows:
        return None
    w, h, pad = 640, 260, 40
    values = [
        v
        for d in rows
        for v in (
            d["mean_excess_pct"].get("low"),
            d["mean_excess_pct"].get("high"),
            d["mean_excess_pct"]["value"],
        )
        if v is not None
    ]
    lo, hi = min([*values, 0.0]), max([*values, 0.0])
    span = (hi - lo) or 1.0

    def y(v: float) -> float:
        return float(pad / 2 + (hi - v) / span * (h - pad))

    step = (w - 2 * pad) / len(rows)
    parts = [
        # at least 480 px wide (a phone scrolls it): narrower, its 11-unit labels are unreadable
        f'<svg class="calibration" viewBox="0 0 {w} {h}" style="min-width:480px" role="img" '
        f'aria-label="Mean 5-session excess return by Pulse decile, with 90% intervals">',
        f'<line x1="{pad}" x2="{w - pad / 2}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
        'stroke="currentColor" stroke-opacity="0.4"/>',
        f'<text x="2" y="{y(hi) + 4:.1f}" font-size="11">{hi:+.2f}%</text>',
        f'<text x="2" y="{y(lo) + 4:.1f}" font-size="11">{lo:+.2f}%</text>',
    ]
    for k, d in enumerate(rows):
        fig = d["mean_excess_pct"]
        x = pad + step * (k + 0.5)
        if fig.get("low") is not None:
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y(fig["low"]):.1f}" '
                f'y2="{y(fig["high"]):.1f}" stroke="currentColor" stroke-width="2"/>'
            )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y(fig["value"]):.1f}" r="4" data-decile="{d["decile"]}">'
            f"<title>Pulse {d['pulse_from']:.1f} to {d['pulse_to']:.1f}: {fig['value']:+.2f}% "
            f"(n={fig['n']})</title></circle>"
        )
        parts.append(
            f'<text x="{x:.1f}" y="{h - 6}" font-size="11" text-anchor="middle">'
            f"{d['pulse_from']:.0f}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value above is a number we formatted)


@api_router.get(
    "/scorecard",
    summary="The public scorecard: every graded call against its baselines",
    responses=errors(),
)
def api_scorecard(
    request: Request, store: StoreDep, kind: Annotated[Kind, Query()] = "live"
) -> Response:
    """Hit rates, IC, Pulse calibration, Threat/Risk vs forward volatility and level hold rates,
    each beside baselines on the same calls with a 90% block-bootstrap interval; the
    walk-forward test and its verdict. ``kind=backtest``: the stored backtest's."""
    snap = scorecard_queries.latest_snapshot(store, kind)
    if snap is None:
        counts = scorecard_queries.counts(
            store, kinds=("signal", "brief") if kind == "live" else ("backtest",)
        )
        return json_body(
            request,
            {
                "kind": kind,
                "as_of": None,
                "computed_at": None,
                "n_calls": 0,
                "calls_recorded": counts.calls,
                "verdict": "No call has been graded yet: none has its 20 sessions in.",
            },
        )
    return json_body(
        request,
        {
            "kind": kind,
            "as_of": snap.as_of.isoformat(),
            "computed_at": snap.computed_at.isoformat(),
            **snap.data,
        },
    )


@feed_router.get(
    "/feeds/scorecard.atom",
    summary="Atom feed: one entry per closed month's scorecard",
    response_class=AtomResponse,
    responses=ATOM_DOC,
)
def scorecard_feed(request: Request, store: StoreDep) -> Response:
    base = site_url(request)
    months = scorecard_queries.month_snapshots(store, limit=60)
    entries = [
        AtomEntry(
            slug=f"scorecard-{m.month}",
            title=f"Scorecard for {m.month}: {m.n_calls} calls graded",
            summary=str(m.data.get("verdict", "")),
            body=_month_text(m.data),
            url=f"{base}/scorecard",
            published=m.computed_at,
            updated=m.computed_at,
            categories=("scorecard",),
        )
        for m in months
    ]
    updated = max((m.computed_at for m in months), default=datetime(2000, 1, 1, tzinfo=UTC))
    body = render_atom(
        entries,
        feed_id=f"{base}/feeds/scorecard.atom",
        title="tapewire: the scorecard, month by month",
        self_url=f"{base}/feeds/scorecard.atom",
        site_url=f"{base}/scorecard",
        updated=updated,
    )
    return cached_body(request, body, ATOM, max_age=300)


def _month_text(card: dict[str, Any]) -> str:
    hit = card.get("hit", {}).get("5", {})
    ic = card.get("ic", {}).get("5", {})
    return (
        f"{card.get('n_calls', 0)} calls made in the month, each graded 20 sessions on. "
        f"Hit rate at 5 sessions: Pulse {_pct(hit.get('pulse'))}, always Bullish "
        f"{_pct(hit.get('always_bullish'))}, 20-day sign {_pct(hit.get('momentum_sign'))}. "
        f"IC at 5 sessions: {_num(ic.get('pulse'))}."
    )
