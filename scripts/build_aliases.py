"""Build src/tapewire/enrich/data/aliases.tsv: how news text names instruments.

Company rows are derived from the S&P 500 constituents list (datasets/s-and-p-500-companies,
ODC-PDDL-1.0, i.e. public domain, so a derived file may ship; the shared copy is
../shared/data/reference/sp500_constituents.csv): the company name as listed and its short
form with legal suffixes removed. The hand-maintained tables below add the names newsrooms
actually use (brands, short names, former names: "Google", "Facebook", "JPMorgan", "Raytheon",
"Boston Properties"), drop derived short forms that are ordinary words or other firms' names
("News", "Southern", "Constellation"), mark ambiguous names as weak (they link only with a
company cue: "Target Corp", "Visa shares", "Apple's CEO"), and write the market rows (indices,
broad market, ETFs by name, commodities, currencies, crypto, yields). The shared file itself is
never shipped.

Columns of the output: symbol, kind (name | market | asset), strength (strong | weak), alias.
``name`` rows match case-sensitively (proper nouns); ``market`` and ``asset`` rows ignore case.

    .venv/bin/python scripts/build_aliases.py [path/to/constituents.csv]
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "tapewire" / "enrich" / "data" / "aliases.tsv"
SOURCE = ROOT.parent / "shared" / "data" / "reference" / "sp500_constituents.csv"
SUFFIX = re.compile(
    r"(,?\s+(Inc\.?|Corp\.?|Corporation|Co\.?|Company|plc|PLC|Ltd\.?|Limited|Holdings?|Group|N\.V\.|"
    r"S\.A\.|L\.P\.|& Co\.?|&|Incorporated|Trust|Class [A-C]|\(Class [A-C]\)|\(The\)))+$"
)
# Share classes: news names the company once; the class A line gets the names.
NAMELESS = {"GOOG", "FOX", "NWS", "FDXF"}
# Derived names that are ordinary words, places or other firms' names: never used.
DROP = {
    "Nasdaq",
    "Nasdaq, Inc.",
    "News",
    "Southern",
    "Northern",
    "Fox",
    "Block",
    "Flex",
    "Everest",
    "Constellation",
    "Lilly (Eli)",
    "Hartford (The)",
    "Home Depot (The)",
    "Trade Desk (The)",
    "Travelers Companies (The)",
    "Cooper Companies (The)",
    "Mosaic Company (The)",
    "Hershey Company (The)",
    "Coca-Cola Company (The)",
    "Walt Disney Company (The)",
    "J.M. Smucker Company (The)",
    "Estée Lauder Companies (The)",
    "Deere &",
    "McCormick &",
    "Honeywell Technologies",
    "Honeywell Aerospace",
    "Bunge Global",
    "Public Service Enterprise",
    "American International",
    "Federal Realty Investment",
    "Camden Property",
    "Essex Property",
    "Molson Coors Beverage",
    "Regions Financial",
    "Principal Financial",
    "Citizens Financial",
    "Arch Capital",
    "Simon Property",
    "WEC Energy",
    "Royal Caribbean",
    "Norwegian Cruise Line",
    "United Airlines",
    "Texas Pacific Land",
    "Vulcan Materials",
    "Union Pacific",
    "KLA",
    "AES",
    "APA",
    "CDW",
    "CSX",
    "EQT",
    "IDEX",
    "KKR",
    "NVR",
    "PPL",
    "PTC",
    "RTX",
    "TKO",
    "UDR",
    "Trimble",
    "Xylem",
    "Rollins",
    "Dover",
    "Waters",
    "Coherent",
    "Progressive",
    "Booking",
    "Carnival",
    "Dow",
}
# Names that are also ordinary words or names: they link only with a company cue nearby.
WEAK = {
    "MSCI",
    "Target",
    "Visa",
    "Ball",
    "Delta",
    "Carrier",
    "Travelers",
    "Carnival",
    "Lilly",
    "Casey's",
    "Tyson",
    "Mosaic",
    "Pool",
    "Chase",
    "Charter",
    "Paramount",
    "Wynn",
    "Hilton",
    "Corning",
    "Anthem",
    "ESPN",
    "ADP",
    "CME",
    "Dell",
    "Textron",
    "Equity Residential",
    "Public Storage",
}
# symbol -> extra names newsrooms use (brands, short and former names, abbreviations).
EXTRA: dict[str, list[str]] = {
    "GOOGL": ["Alphabet", "Google", "YouTube", "Waymo", "DeepMind"],
    "META": ["Meta", "Facebook", "Instagram", "WhatsApp", "Meta Platforms"],
    "AMZN": ["Amazon.com", "Amazon Web Services", "AWS", "Whole Foods"],
    "AAPL": ["Apple", "iPhone", "iPhones", "iPad"],
    "MSFT": ["Microsoft", "Xbox", "LinkedIn"],
    "NVDA": ["Nvidia", "NVIDIA"],
    "TSLA": ["Tesla"],
    "JPM": ["JPMorgan", "JP Morgan", "J.P. Morgan", "JPMorgan Chase & Co", "Chase"],
    "BRK-B": ["Berkshire", "Berkshire Hathaway"],
    "GS": ["Goldman", "Goldman Sachs"],
    "MS": ["Morgan Stanley"],
    "C": ["Citi", "Citigroup", "Citibank"],
    "BAC": ["Bank of America", "BofA"],
    "WFC": ["Wells Fargo"],
    "SCHW": ["Schwab", "Charles Schwab"],
    "BNY": ["BNY Mellon", "Bank of New York Mellon", "BNY"],
    "USB": ["U.S. Bancorp", "US Bancorp"],
    "AXP": ["American Express", "Amex"],
    "V": ["Visa"],
    "MA": ["Mastercard", "MasterCard"],
    "PYPL": ["PayPal", "Venmo"],
    "XYZ": ["Block Inc", "Block Inc."],
    "XOM": ["Exxon", "Exxon Mobil", "ExxonMobil"],
    "CVX": ["Chevron"],
    "COP": ["Conoco", "ConocoPhillips"],
    "OXY": ["Occidental", "Occidental Petroleum"],
    "SLB": ["Schlumberger", "SLB"],
    "MPC": ["Marathon Petroleum"],
    "KMI": ["Kinder Morgan"],
    "WMT": ["Walmart", "Wal-Mart"],
    "COST": ["Costco"],
    "HD": ["Home Depot"],
    "LOW": ["Lowe's", "Lowes"],
    "TGT": ["Target"],
    "BBY": ["Best Buy"],
    "TJX": ["TJX", "TJ Maxx", "T.J. Maxx"],
    "PG": ["Procter & Gamble", "P&G"],
    "JNJ": ["Johnson & Johnson", "J&J"],
    "LLY": ["Eli Lilly", "Lilly"],
    "MRK": ["Merck"],
    "PFE": ["Pfizer"],
    "BMY": ["Bristol Myers Squibb", "Bristol-Myers Squibb", "Bristol-Myers"],
    "ABT": ["Abbott", "Abbott Labs", "Abbott Laboratories"],
    "UNH": ["UnitedHealth", "UnitedHealthcare", "Optum"],
    "CVS": ["CVS", "CVS Health", "Aetna"],
    "CI": ["Cigna"],
    "ELV": ["Elevance", "Anthem"],
    "GILD": ["Gilead", "Gilead Sciences"],
    "AMGN": ["Amgen"],
    "REGN": ["Regeneron"],
    "VRTX": ["Vertex Pharmaceuticals"],
    "MRNA": ["Moderna"],
    "BA": ["Boeing"],
    "LMT": ["Lockheed", "Lockheed Martin"],
    "RTX": ["Raytheon", "Raytheon Technologies", "RTX Corp", "Pratt & Whitney"],
    "NOC": ["Northrop", "Northrop Grumman"],
    "GD": ["General Dynamics"],
    "GE": ["GE", "General Electric", "GE Aerospace"],
    "HON": ["Honeywell"],
    "CAT": ["Caterpillar"],
    "DE": ["Deere", "John Deere", "Deere & Co"],
    "MMM": ["3M"],
    "UPS": ["UPS", "United Parcel Service"],
    "FDX": ["FedEx"],
    "UNP": ["Union Pacific"],
    "INTC": ["Intel"],
    "AMD": ["AMD", "Advanced Micro Devices"],
    "QCOM": ["Qualcomm"],
    "AVGO": ["Broadcom"],
    "MU": ["Micron", "Micron Technology"],
    "TXN": ["Texas Instruments"],
    "ON": ["onsemi", "ON Semiconductor"],
    "SMCI": ["Super Micro", "Super Micro Computer", "Supermicro"],
    "HPQ": ["HP Inc", "HP Inc.", "Hewlett-Packard"],
    "HPE": ["Hewlett Packard Enterprise", "HPE"],
    "DELL": ["Dell", "Dell Technologies"],
    "IBM": ["IBM"],
    "CSCO": ["Cisco", "Cisco Systems"],
    "ORCL": ["Oracle"],
    "CRM": ["Salesforce"],
    "ADBE": ["Adobe"],
    "NOW": ["ServiceNow"],
    "PLTR": ["Palantir"],
    "CRWD": ["CrowdStrike", "Crowdstrike"],
    "PANW": ["Palo Alto Networks"],
    "NFLX": ["Netflix"],
    "DIS": ["Disney", "Walt Disney", "Walt Disney Co", "Walt Disney World", "Disney+", "ESPN"],
    "CMCSA": ["Comcast", "NBCUniversal", "NBC Universal"],
    "CHTR": ["Charter", "Charter Communications"],
    "WBD": ["Warner Bros. Discovery", "Warner Bros Discovery", "Warner Bros."],
    "PSKY": ["Paramount", "Paramount Global", "Paramount Skydance"],
    "FOXA": ["Fox Corp", "Fox Corp.", "Fox Corporation"],
    "NWSA": ["News Corp", "News Corp."],
    "VZ": ["Verizon"],
    "T": ["AT&T"],
    "TMUS": ["T-Mobile", "T-Mobile US"],
    "SBUX": ["Starbucks"],
    "MCD": ["McDonald's", "McDonalds"],
    "CMG": ["Chipotle"],
    "YUM": ["Yum Brands", "Yum! Brands", "KFC", "Taco Bell", "Pizza Hut"],
    "NKE": ["Nike"],
    "KO": ["Coca-Cola", "Coca Cola", "Coke"],
    "PEP": ["PepsiCo", "Pepsi"],
    "MDLZ": ["Mondelez"],
    "KHC": ["Kraft Heinz"],
    "HSY": ["Hershey"],
    "SJM": ["J.M. Smucker", "Smucker"],
    "EL": ["Estée Lauder", "Estee Lauder"],
    "CL": ["Colgate", "Colgate-Palmolive"],
    "BF-B": ["Brown-Forman"],
    "ORLY": ["O'Reilly Automotive"],
    "UBER": ["Uber"],
    "ABNB": ["Airbnb"],
    "BKNG": ["Booking Holdings", "Priceline"],
    "EXPE": ["Expedia"],
    "DAL": ["Delta Air Lines", "Delta Airlines", "Delta"],
    "UAL": ["United Airlines"],
    "LUV": ["Southwest Airlines"],
    "CCL": ["Carnival", "Carnival Corp"],
    "RCL": ["Royal Caribbean"],
    "NCLH": ["Norwegian Cruise Line"],
    "MAR": ["Marriott"],
    "HLT": ["Hilton", "Hilton Worldwide"],
    "LVS": ["Las Vegas Sands"],
    "WYNN": ["Wynn", "Wynn Resorts"],
    "MGM": ["MGM Resorts"],
    "GM": ["GM", "General Motors"],
    "F": ["Ford", "Ford Motor", "Ford Motor Co"],
    "BLK": ["BlackRock"],
    "BX": ["Blackstone"],
    "KKR": ["KKR"],
    "APO": ["Apollo Global", "Apollo Global Management"],
    "HOOD": ["Robinhood"],
    "COIN": ["Coinbase"],
    "SPGI": ["S&P Global"],
    "MCO": ["Moody's"],
    "NDAQ": ["Nasdaq Inc", "Nasdaq Inc.", "Nasdaq, Inc."],
    "ICE": ["Intercontinental Exchange"],
    "CME": ["CME", "CME Group"],
    "DOW": ["Dow Inc", "Dow Inc.", "Dow Chemical"],
    "DD": ["DuPont"],
    "BXP": ["Boston Properties"],
    "WSM": ["Williams-Sonoma", "Williams Sonoma"],
    "WMB": ["Williams Companies"],
    "STZ": ["Constellation Brands"],
    "CEG": ["Constellation Energy"],
    "ED": ["Con Edison", "Consolidated Edison"],
    "EIX": ["Edison International", "Southern California Edison"],
    "SO": ["Southern Company", "Southern Co"],
    "PCG": ["PG&E"],
    "TRV": ["Travelers"],
    "PGR": ["Progressive Corp", "Progressive Corp."],
    "PRU": ["Prudential Financial"],
    "HIG": ["The Hartford", "Hartford Financial"],
    "TTD": ["The Trade Desk", "Trade Desk"],
    "COO": ["Cooper Companies"],
    "MOS": ["Mosaic"],
    "CFG": ["Citizens Financial", "Citizens Financial Group"],
    "RF": ["Regions Financial"],
    "PFG": ["Principal Financial", "Principal Financial Group"],
    "AIG": ["AIG"],
    "COF": ["Capital One"],
    "MTB": ["M&T Bank"],
    "PNC": ["PNC"],
    "TFC": ["Truist"],
    "STT": ["State Street"],
    "ADP": ["ADP", "Automatic Data Processing"],
    "NEM": ["Newmont"],
    "FCX": ["Freeport-McMoRan", "Freeport McMoRan"],
    "PSA": ["Public Storage"],
    "WM": ["Waste Management"],
    "ADM": ["Archer-Daniels-Midland", "ADM"],
    "TSN": ["Tyson Foods"],
    "CARR": ["Carrier Global"],
    "MO": ["Altria"],
    "PM": ["Philip Morris", "Philip Morris International"],
    "PH": ["Parker Hannifin", "Parker-Hannifin"],
    "ROK": ["Rockwell Automation"],
    "MSI": ["Motorola Solutions"],
    "LHX": ["L3Harris"],
    "COR": ["Cencora", "AmerisourceBergen"],
    "LH": ["Labcorp", "LabCorp"],
    "VEEV": ["Veeva", "Veeva Systems"],
    "DHI": ["D.R. Horton", "DR Horton"],
    "AOS": ["A.O. Smith"],
    "WRB": ["W.R. Berkley"],
    "GWW": ["Grainger", "W.W. Grainger"],
    "TROW": ["T. Rowe Price", "T Rowe Price"],
    "CHRW": ["C.H. Robinson", "CH Robinson"],
    "JBHT": ["J.B. Hunt", "JB Hunt"],
    "KIM": ["Kimco", "Kimco Realty"],
    "PLD": ["Prologis"],
    "EBAY": ["eBay", "Ebay"],
    "MRVL": ["Marvell", "Marvell Tech"],
}
# Market rows: symbol -> (kind, strength, aliases). "market" rows are the indices and the broad
# market (with venue/list checks in the linker), "asset" rows name an asset's own market.
MARKET: dict[str, tuple[str, str, list[str]]] = {
    "^GSPC": (
        "market",
        "strong",
        ["S&P 500", "the S&P 500", "S&P500", "S&P 500 index", "Standard & Poor's 500"],
    ),
    "^GSPC ": (
        "market",
        "weak",
        [
            "the S&P",
            "Wall Street",
            "US stocks",
            "U.S. stocks",
            "stocks",
            "stock market",
            "US equities",
            "U.S. equities",
            "equities",
        ],
    ),
    "^DJI": (
        "market",
        "strong",
        ["Dow Jones Industrial Average", "Dow industrials", "DJIA", "the Dow", "Dow Jones"],
    ),
    "^DJI ": ("market", "weak", ["Dow"]),
    "^IXIC": ("market", "strong", ["Nasdaq Composite"]),
    "^IXIC ": ("market", "weak", ["Nasdaq"]),
    "^RUT": (
        "market",
        "strong",
        [
            "Russell 2000",
            "small caps",
            "small-caps",
            "small-cap stocks",
            "small cap stocks",
            "the Russell",
        ],
    ),
    "^VIX": (
        "market",
        "strong",
        ["VIX", "Cboe Volatility Index", "volatility index", "fear gauge"],
    ),
    "SPY": ("market", "strong", ["S&P 500 ETF", "SPDR S&P 500"]),
    "QQQ": ("market", "strong", ["Nasdaq 100", "Nasdaq-100", "Invesco QQQ"]),
    "IWM": ("market", "strong", ["Russell 2000 ETF", "iShares Russell 2000"]),
    "GLD": ("market", "strong", ["gold ETF", "SPDR Gold"]),
    "TLT": ("market", "strong", ["Treasury ETF", "iShares 20+ Year Treasury"]),
    "HYG": ("market", "strong", ["junk bond ETF", "iShares iBoxx High Yield"]),
    "LQD": ("market", "strong", ["investment-grade bond ETF", "iShares iBoxx Investment Grade"]),
    "CL=F": (
        "asset",
        "strong",
        [
            "oil prices",
            "oil price",
            "crude oil",
            "crude prices",
            "oil futures",
            "crude futures",
            "WTI",
            "Brent",
        ],
    ),
    # bare "crude"/"oil" need a price or market cue ("crude consolidation" in a round-up is not)
    "CL=F ": ("asset", "weak", ["oil", "crude"]),
    "GC=F": ("asset", "strong", ["gold prices", "gold price", "gold futures", "bullion"]),
    "GC=F ": ("asset", "weak", ["gold"]),
    "SI=F": ("asset", "strong", ["silver prices", "silver futures"]),
    "SI=F ": ("asset", "weak", ["silver"]),
    "HG=F": ("asset", "strong", ["copper prices", "copper futures"]),
    "HG=F ": ("asset", "weak", ["copper"]),
    "BTC-USD": ("asset", "strong", ["bitcoin", "BTC"]),
    "ETH-USD": ("asset", "strong", ["ether", "ethereum"]),
    "^TNX": (
        "asset",
        "strong",
        [
            "Treasury yields",
            "Treasury yield",
            "10-year yield",
            "10-year Treasury",
            "10-year note",
            "bond yields",
        ],
    ),
    "DX-Y.NYB": ("asset", "strong", ["dollar index", "DXY", "US dollar", "U.S. dollar"]),
    "DX-Y.NYB ": ("asset", "weak", ["dollar", "greenback"]),
    "EURUSD=X": ("asset", "strong", ["EUR/USD"]),
    "EURUSD=X ": ("asset", "weak", ["euro"]),
    "GBPUSD=X": ("asset", "strong", ["GBP/USD", "sterling"]),
    "GBPUSD=X ": ("asset", "weak", ["pound"]),
    "JPY=X": ("asset", "strong", ["USD/JPY"]),
    "JPY=X ": ("asset", "weak", ["yen"]),
}


def short_name(name: str) -> str:
    return SUFFIX.sub("", name).strip().rstrip(",")


def build(source: Path) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    for key, (kind, strength, aliases) in MARKET.items():
        rows += [(key.strip(), kind, strength, alias) for alias in aliases]
    with source.open(encoding="utf-8") as handle:
        listed = [
            (r["Symbol"].replace(".", "-"), r["Security"].strip()) for r in csv.DictReader(handle)
        ]
    for symbol, name in listed:
        if symbol in NAMELESS:
            continue
        names = [n.replace("\u2013", "-") for n in (name, short_name(name)) if n not in DROP]
        names += EXTRA.get(symbol, [])
        for alias in dict.fromkeys(names):
            if len(alias) >= 2:
                rows.append((symbol, "name", "weak" if alias in WEAK else "strong", alias))
    return rows


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else SOURCE
    rows = build(source)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# symbol\tkind\tstrength\talias  (generated by scripts/build_aliases.py: companies from the "
        "S&P 500 constituents list, ODC-PDDL-1.0, plus hand-maintained brands and market names)"
    ]
    lines += ["\t".join(r) for r in rows]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write(f"{len(rows)} aliases -> {OUT}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
