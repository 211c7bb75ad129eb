"""Unknown tickers seen in news (cashtags and exchange tickers of symbols the store lacks).

Each (symbol, item) is recorded once in ``ticker_mention`` however often the enrich stage
re-reads its window; ``ticker_candidate`` keeps per symbol the number of items that mention
it, when it was first and last seen and the latest mentioning headline, for
``tapewire instruments suggest``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tapewire.enrich.entities import ItemLinks
from tapewire.enrich.models import TickerCandidate, TickerMention
from tapewire.ingest.queries import NewsItemView

EXAMPLE_CHARS = 1000


def save_candidates(
    s: Session, items: Sequence[NewsItemView], linked: Mapping[int, ItemLinks]
) -> int:
    """Record new mentions and refresh the touched candidates; returns the new mentions."""
    wanted = {(symbol, item.id): item for item in items for symbol in linked[item.id].candidates}
    if not wanted:
        return 0
    symbols = sorted({symbol for symbol, _ in wanted})
    known = set(
        s.execute(
            select(TickerMention.symbol, TickerMention.news_item_id).where(
                TickerMention.symbol.in_(symbols)
            )
        ).all()
    )
    new = [
        (symbol, item)
        for (symbol, item_id), item in wanted.items()
        if (symbol, item_id) not in known
    ]
    s.add_all(
        TickerMention(symbol=symbol, news_item_id=item.id, seen_at=item.published_at)
        for symbol, item in new
    )
    s.flush()
    latest: dict[str, tuple[datetime, str]] = {}
    for (symbol, _), item in wanted.items():
        if symbol not in latest or item.published_at >= latest[symbol][0]:
            latest[symbol] = (item.published_at, item.title)
    for symbol in symbols:
        count, first, last = s.execute(
            select(
                func.count(TickerMention.id),
                func.min(TickerMention.seen_at),
                func.max(TickerMention.seen_at),
            ).where(TickerMention.symbol == symbol)
        ).one()
        row = s.scalars(select(TickerCandidate).where(TickerCandidate.symbol == symbol)).first()
        if row is None:
            row = TickerCandidate(symbol=symbol, example="", last_seen_at=last)
            s.add(row)
        if not row.example or latest[symbol][0] >= row.last_seen_at:
            row.example = latest[symbol][1][:EXAMPLE_CHARS]
        row.count, row.first_seen_at, row.last_seen_at = count, first, last
    return len(new)
