"""The bench's labelled linking set: it loads (440 real items, labels before tuning, two
halves) and its pair-level precision/recall is computed right."""

from __future__ import annotations

from tests.enrich.linking_set import LabelledItem, halves, load_labelled, score, universe


def item(position: int, gold: set[str]) -> LabelledItem:
    return LabelledItem(position, f"k{position}", "t", "", frozenset(gold))


def test_the_labelled_set_loads_with_two_fixed_halves() -> None:
    items = load_labelled()
    tuning, held_out = halves(items)
    assert len(items) >= 400 and len({i.key for i in items}) == len(items)
    assert [i.position for i in items] == list(range(len(items)))
    assert all(i.position % 2 == 0 for i in tuning) and all(i.held_out for i in held_out)
    assert abs(len(tuning) - len(held_out)) <= 1
    assert all(i.title for i in items)  # every key found its text in the shared data
    known = set(universe())
    assert all(i.gold <= known for i in items)  # labels name only the fixed universe
    assert sum(len(i.gold) for i in held_out) >= 50
    google = next(i for i in items if i.title.startswith("Google backs Reliance"))
    assert google.key.startswith("reuters#") and google.gold == {"GOOGL"}


def test_scores_count_pairs_per_half() -> None:
    items = [item(0, {"AAPL"}), item(1, {"AAPL", "^GSPC"}), item(2, set()), item(3, {"MSFT"})]
    predicted = {"k0": {"AAPL"}, "k1": {"AAPL", "META"}, "k2": {"TSLA"}, "k3": set()}
    tuning, held_out = halves(items)
    t = score(tuning, predicted)
    h = score(held_out, predicted)
    assert (t.tp, t.fp, t.fn) == (1, 1, 0) and (t.precision, t.recall) == (0.5, 1.0)
    assert (h.tp, h.fp, h.fn) == (1, 1, 2)
    assert h.precision == 0.5 and h.recall == 1 / 3
    nothing = score([item(5, set())], {})
    assert (nothing.precision, nothing.recall) == (1.0, 1.0)
