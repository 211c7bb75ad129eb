"""Heat counts an item reaching the instrument only through a theme at THEME_HEAT_WEIGHT."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tapewire.signals.heat import PUBLISHER_WEIGHT, THEME_HEAT_WEIGHT, compute_heat

AS_OF = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)


def test_theme_links_count_a_quarter_of_named_links() -> None:
    recent = [(AS_OF - timedelta(hours=h), f"outlet{h}.example") for h in (1, 2, 3, 4)]
    named = compute_heat(recent, as_of=AS_OF)
    themed = compute_heat(recent, as_of=AS_OF, weights=[THEME_HEAT_WEIGHT] * 4)
    assert named == compute_heat(recent, as_of=AS_OF, weights=[1.0] * 4)  # default: all named
    raw_named = 4 + PUBLISHER_WEIGHT * 4
    assert named.score == round(100 * raw_named / (raw_named + 1), 1)
    raw_themed = THEME_HEAT_WEIGHT * raw_named
    assert themed.score == round(100 * raw_themed / (raw_themed + 1), 1)
    assert themed.score < named.score and themed.items_24h == 4


def test_an_outlet_counts_at_its_strongest_link() -> None:
    one_outlet = [
        (AS_OF - timedelta(hours=1), "a.example"),
        (AS_OF - timedelta(hours=2), "a.example"),
    ]
    mixed = compute_heat(one_outlet, as_of=AS_OF, weights=[1.0, THEME_HEAT_WEIGHT])
    raw = 1.0 + THEME_HEAT_WEIGHT + PUBLISHER_WEIGHT * 1.0
    assert mixed.score == round(100 * raw / (raw + 1), 1)


def test_many_macro_items_do_not_outweigh_a_named_baseline() -> None:
    """Twenty market-wide items in a day against a week of two named items a day: not High."""
    baseline = [
        (AS_OF - timedelta(days=d, hours=h), f"o{h}.example") for d in range(1, 8) for h in (1, 2)
    ]
    macro = [(AS_OF - timedelta(hours=1, minutes=m), "wire.example") for m in range(20)]
    heat = compute_heat(
        baseline + macro, as_of=AS_OF, weights=[1.0] * len(baseline) + [THEME_HEAT_WEIGHT] * 20
    )
    assert heat.label != "High"
