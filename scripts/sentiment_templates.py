"""Headline and press-release sentences written by us, labelled by their own words (training
data for the sentiment model next to the MIT tweets; no third-party text).

Each template is a sentence pattern whose label follows from the words put into it: a subject
(company, index, commodity, currency, economy) with a verb of movement ("jumps", "slides"), a
metric with a direction ("profit rises", "loss widens"), a "from X to Y" change, a loss<->profit
turn, a beat/miss, an upgrade/downgrade, a layoff, a company event, or a neutral
announcement (an appointment, a filing, a date, a how-to). Fillers are drawn with a fixed seed,
so the set is the same on every run.

    .venv/bin/python scripts/sentiment_templates.py | head
"""

from __future__ import annotations

import random
import sys

from tapewire.enrich.sentiment_lexicon import _NEGATIVE_WORDS, _POSITIVE_WORDS

NEG, NEU, POS = 0, 1, 2
SEED = 20261207

COMPANIES = (
    "Apple", "Microsoft", "Nvidia", "Tesla", "Amazon", "Meta", "Alphabet", "Google", "Netflix",
    "Intel", "AMD", "Boeing", "Ford", "GM", "Exxon", "Chevron", "JPMorgan", "Goldman Sachs",
    "Citigroup", "Wells Fargo", "Pfizer", "Moderna", "Walmart", "Target", "Costco", "Nike",
    "Starbucks", "Disney", "Uber", "Airbnb", "Shopify", "Oracle", "Salesforce", "Adobe",
    "Qualcomm", "Broadcom", "Micron", "Caterpillar", "3M", "Delta Air Lines", "FedEx", "UPS",
    "Siemens", "BP", "Shell", "HSBC", "Barclays", "Unilever", "Nestle", "Toyota", "Sony",
    "Alibaba", "Tencent", "Baidu", "Samsung", "Volkswagen", "BMW", "Rio Tinto", "Glencore",
    "Acme Corp", "Northwind Holdings", "Contoso", "Globex", "Initech", "Vandelay Industries",
)  # fmt: skip
MARKETS = (
    "Stocks", "Wall Street", "The S&P 500", "The Dow", "The Nasdaq", "European stocks",
    "Asian shares", "The FTSE 100", "The DAX", "The Nikkei", "Small caps", "Tech stocks",
    "Bank stocks", "Energy shares", "Oil", "Crude", "Brent", "Gold", "Silver", "Copper",
    "Bitcoin", "Ether", "The dollar", "The euro", "The yen", "Sterling",
    "Emerging-market stocks", "Chip stocks", "Airline stocks",
)  # fmt: skip
UP = ("rises", "jumps", "surges", "soars", "rallies", "climbs", "gains", "advances", "rebounds",
      "edges higher", "spikes", "leaps", "hits record high", "extends gains", "moves higher",
      "closes higher", "pops", "rockets")  # fmt: skip
DOWN = ("falls", "drops", "slides", "sinks", "tumbles", "plunges", "slumps", "declines", "dips",
        "retreats", "edges lower", "skids", "slips", "tanks", "hits lowest since 2020",
        "extends losses", "closes lower", "sheds")  # fmt: skip
GOOD_METRICS = ("profit", "net income", "quarterly revenue", "sales", "earnings",
                "operating margin", "orders", "deliveries", "same-store sales",
                "subscriber growth", "free cash flow", "bookings")  # fmt: skip
BAD_METRICS = ("loss", "net loss", "costs", "debt", "writedowns", "churn")
MORE = ("rises", "jumps", "climbs", "grows", "surges", "doubles", "increases", "beats forecasts",
        "widens", "improves", "tops estimates", "rises 12%", "up 8%")  # fmt: skip
LESS = ("falls", "drops", "declines", "shrinks", "slumps", "halves", "narrows", "misses forecasts",
        "decreases", "down 9%", "falls 15%", "slides")  # fmt: skip
REASONS = ("", "", " on strong demand", " as costs bite", " after results", " in early trade",
           " on Tuesday", " amid rate worries", " as investors weigh data", " in quarter",
           " for third day", " on China news")  # fmt: skip
BANKS = ("Goldman Sachs", "Morgan Stanley", "JPMorgan", "Citi", "UBS", "Jefferies", "Barclays",
         "BofA", "Wedbush", "Bernstein")  # fmt: skip
NEUTRAL = (
    "{c} names new chief financial officer",
    "{c} to report quarterly results on Thursday",
    "{c} schedules fourth-quarter earnings call",
    "{c} to present at investor conference",
    "{c} appoints {b} executive to board",
    "{c} files annual report with SEC",
    "{c} announces date of annual shareholder meeting",
    "{c} completes previously announced debt offering",
    "{c} opens new office in London",
    "{c} declares regular quarterly dividend",
    "What to expect from {c} earnings this week",
    "How {c} makes money",
    "{c} CEO to speak at technology summit",
    "{c} unveils new product line",
    "{c} launches redesigned app",
    "{c} to relocate headquarters",
    "{c} files for IPO",
    "{c} prices bond offering",
    "{c} reports quarterly results",
    "{c} shares unchanged in premarket trading",
    "{m} little changed ahead of Fed decision",
    "{m} flat as investors await jobs data",
    "{m} holds steady ahead of inflation report",
    "Here is what to watch in markets this week",
    "Five things to know before the open",
    "Fed officials meet this week",
    "{c} to hold investor day in March",
    "{b} initiates coverage of {c} with neutral rating",
    "{b} reiterates hold rating on {c}",
    "{c} and {c2} announce partnership",
    "{c} completes acquisition of software startup",
    "{c} says it is reviewing strategic options",
)
POSITIVE = (
    "{c} beats estimates{r}",
    "{c} tops Wall Street expectations",
    "{c} raises full-year guidance",
    "{c} lifts outlook after strong quarter",
    "{c} swings to a profit",
    "{c} returns to profit{r}",
    "{c} upgraded to buy at {b}",
    "{b} upgrades {c} to outperform",
    "{b} raises {c} price target to ${n}",
    "{b} raises {c} price target from ${n} to ${n2up}",
    "{c} raises dividend by {p}%",
    "{c} announces ${n} billion share buyback",
    "{c} wins FDA approval for new drug",
    "{c} wins major government contract",
    "{c} posts record quarterly profit",
    "{c} revenue rises from ${n} million to ${n2up} million",
    "{c}'s loss narrows{r}",
    "{c} shares rise after layoffs",
    "{c} stock jumps despite weak guidance",
    "{c} settles lawsuit, shares gain",
    "{c} reaches deal to end strike",
    "{c} narrows loss and beats forecasts",
    "Unemployment falls to lowest in years",
    "Inflation eases more than expected",
    "Economy grows faster than forecast",
    "Retail sales rebound strongly",
    "Factory activity expands for first time in months",
)
NEGATIVE = (
    "{c} misses estimates{r}",
    "{c} falls short of expectations",
    "{c} cuts full-year guidance",
    "{c} lowers outlook as demand weakens",
    "{c} swings to a loss",
    "{c} posts surprise loss{r}",
    "{c} downgraded to sell at {b}",
    "{b} downgrades {c} to underperform",
    "{b} cuts {c} price target to ${n}",
    "{b} cuts {c} price target from ${n2up} to ${n}",
    "{c} cuts dividend",
    "{c} suspends dividend",
    "{c} to cut {k} jobs",
    "{c} lays off {p}% of staff",
    "{c} plans sweeping layoffs",
    "{c} cuts {p}% of workforce",
    "{c} faces antitrust probe",
    "{c} hit with ${n} million fine",
    "{c} recalls {k} vehicles",
    "{c} files for bankruptcy",
    "{c} warns on profit",
    "{c} issues profit warning",
    "{c}'s loss widens{r}",
    "{c} revenue falls from ${n2up} million to ${n} million",
    "{c} sued by regulators over disclosures",
    "{c} halts production at key plant",
    "{c} CEO resigns amid accounting probe",
    "{c} shares fall despite strong results",
    "Unemployment rises to two-year high",
    "Inflation accelerates unexpectedly",
    "Economy shrinks for second quarter",
    "Retail sales slump as shoppers pull back",
    "Factory activity contracts again",
)


SUBJECTS = ("The government", "Regulators", "The company", "Investors", "The bank", "Europe",
            "China", "The UK", "Officials", "The union", "Shoppers", "The airline", "Lawmakers",
            "The central bank", "Exporters", "Workers", "The retailer", "Ukraine", "India")  # fmt: skip
NEUTRAL_VERBS = ("says", "plans", "meets", "considers", "reviews", "discusses", "names",
                 "schedules", "weighs", "talks about", "explains", "visits", "hosts", "prepares",
                 "updates", "announces", "outlines", "asks about", "looks at")  # fmt: skip
FILLERS = ("", " this week", " in Europe", " as talks continue", " over new plan",
           " in the third quarter", " ahead of meeting", " after report", " in Asia",
           " for next year", " on Monday", " at summit")  # fmt: skip


def lexicon_sentences(rng: random.Random, n: int) -> list[tuple[str, int]]:
    """Sentences built around one word of the finance lexicon (and neutral ones around none):
    they teach the model to trust the lexicon where the tweets never used a word."""
    pos = [w for w, v in _POSITIVE_WORDS.items() if v >= 0.5 and " " not in w]
    neg = [w for w, v in _NEGATIVE_WORDS.items() if v >= 0.5 and " " not in w]
    rows = []
    for _ in range(n):
        subject = rng.choice(SUBJECTS + COMPANIES)
        rows.append((f"{subject} {rng.choice(pos)}{rng.choice(FILLERS)}", POS))
        rows.append((f"{subject} {rng.choice(neg)}{rng.choice(FILLERS)}", NEG))
        rows.append((f"{subject} {rng.choice(NEUTRAL_VERBS)}{rng.choice(FILLERS)}", NEU))
    return rows


def generate(n_each: int = 1500) -> list[tuple[str, int]]:
    """About ``n_each`` sentences per class (market moves, events and announcements)."""
    rng = random.Random(SEED)  # noqa: S311 (reproducible text, not secrets)
    rows: list[tuple[str, int]] = []

    def fill(template: str) -> str:
        n = rng.choice((12, 25, 40, 75, 120, 150, 300, 500))
        c, c2 = rng.sample(COMPANIES, 2)
        return template.format(
            c=c, c2=c2, b=rng.choice(BANKS), r=rng.choice(REASONS), m=rng.choice(MARKETS),
            n=n, n2up=n + rng.choice((5, 10, 30, 50)), p=rng.choice((3, 5, 8, 10, 15, 20)),
            k=rng.choice(("500", "1,200", "3,000", "10,000", "14,000")),
        )  # fmt: skip

    for _ in range(n_each // 3):
        subject = rng.choice(COMPANIES + MARKETS)
        shares = " shares" if subject in COMPANIES and rng.random() < 0.5 else ""
        pct = rng.choice(("", "", " 2%", " 3.5%", " 7%", " 12%"))
        rows.append((f"{subject}{shares} {rng.choice(UP)}{pct}{rng.choice(REASONS)}", POS))
        rows.append((f"{subject}{shares} {rng.choice(DOWN)}{pct}{rng.choice(REASONS)}", NEG))
        c = rng.choice(COMPANIES)
        good, bad = rng.choice(GOOD_METRICS), rng.choice(BAD_METRICS)
        rows.append((f"{c} {good} {rng.choice(MORE)}{rng.choice(REASONS)}", POS))
        rows.append((f"{c} {good} {rng.choice(LESS)}{rng.choice(REASONS)}", NEG))
        rows.append((f"{c} {bad} {rng.choice(LESS)}{rng.choice(REASONS)}", POS))
        rows.append((f"{c} {bad} {rng.choice(MORE)}{rng.choice(REASONS)}", NEG))
    for _ in range(n_each // 3):
        rows.append((fill(rng.choice(POSITIVE)), POS))
        rows.append((fill(rng.choice(NEGATIVE)), NEG))
    for _ in range(n_each):
        rows.append((fill(rng.choice(NEUTRAL)), NEU))
    rows += lexicon_sentences(rng, n_each // 2)
    return list(dict.fromkeys(rows))


def main() -> int:
    for text, label in generate():
        sys.stdout.write(f"{label}\t{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
