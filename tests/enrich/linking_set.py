"""The hand-labelled linking set (tests/data/linking): loader, universe and scoring.

Shared by ``bench/linking/run.py`` and the tests. Items are joined back from the shared data
(``../shared/data/news``) by key; positions 0, 2, 4, ... are the tuning half, 1, 3, 5, ... held
out (README.md beside the labels).
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from tests.conftest import shared_data

HERE = Path(__file__).resolve().parents[1] / "data" / "linking"
MARKET_UNIVERSE = [
    "^GSPC",
    "^DJI",
    "^IXIC",
    "^RUT",
    "^VIX",
    "SPY",
    "QQQ",
    "IWM",
    "GLD",
    "TLT",
    "HYG",
    "LQD",
    "CL=F",
    "GC=F",
    "SI=F",
    "HG=F",
    "BTC-USD",
    "ETH-USD",
    "^TNX",
    "DX-Y.NYB",
    "EURUSD=X",
    "GBPUSD=X",
    "JPY=X",
]
ONE_CLASS = {"GOOG", "FOX", "NWS", "FDXF"}  # second share classes: labels use the first


@dataclass(frozen=True, slots=True)
class LabelledItem:
    position: int
    key: str
    title: str
    summary: str
    gold: frozenset[str]

    @property
    def held_out(self) -> bool:
        return self.position % 2 == 1


@dataclass(frozen=True, slots=True)
class Scores:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def _draw_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("draw_items", HERE / "draw_items.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("draw_items", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def universe() -> list[str]:
    """The instruments a label may name: S&P 500 constituents plus the market instruments."""
    path = shared_data("reference", "sp500_constituents.csv")
    with path.open(encoding="utf-8") as handle:
        symbols = [r["Symbol"].replace(".", "-") for r in csv.DictReader(handle)]
    return MARKET_UNIVERSE + [s for s in symbols if s not in ONE_CLASS]


def load_labelled(path: Path = HERE / "labels.tsv") -> list[LabelledItem]:
    """The labelled items, text joined back from the shared data by key."""
    news = shared_data("news")
    by_key = {i.key: i for items in _draw_module().load_items(news).values() for i in items}
    out = []
    with path.open(encoding="utf-8") as handle:
        rows = [line for line in handle if not line.startswith("#")]
    for row in csv.DictReader(rows, delimiter="\t"):
        item = by_key[row["key"]]
        gold = frozenset((row["instruments"] or "").split())
        out.append(LabelledItem(int(row["position"]), row["key"], item.title, item.summary, gold))
    return out


def score(items: Iterable[LabelledItem], predicted: Mapping[str, Iterable[str]]) -> Scores:
    """Pair-level precision and recall: (item, instrument) pairs predicted vs labelled."""
    tp = fp = fn = 0
    for item in items:
        found = set(predicted.get(item.key, ()))
        tp += len(found & item.gold)
        fp += len(found - item.gold)
        fn += len(item.gold - found)
    return Scores(tp, fp, fn)


def halves(items: list[LabelledItem]) -> tuple[list[LabelledItem], list[LabelledItem]]:
    """(tuning, held out)."""
    return [i for i in items if not i.held_out], [i for i in items if i.held_out]
