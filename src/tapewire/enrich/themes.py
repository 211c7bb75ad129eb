"""Themes of a news item (pure): what it is about beyond the companies it names.

The taxonomy (``THEMES``; each theme's scope is written in ``docs/design-notes.md``, issue #10
part 3, and in ``tests/data/themes/README.md``, the labelling rule the patterns are measured against):
oil, gold, rates (central banks, yields), inflation, jobs (the labour market), trade (tariffs,
export controls), geopolitics, ai, chips, crypto, earnings, guidance, mna, ipo, layoffs, banks
(banks and credit), housing, consumer, markets (the stock market as a whole) and economy.

Each theme has cues (regular expressions matched on whole words, ignoring case unless a cue
says ``(?-i:...)``) with a weight, strong 1.0 or weak 0.5, and negative cues: a cue match that
overlaps a negative cue's match does not count ("oil painting" is not oil, "fed up" is not the
Fed, "Nasdaq debut" is an IPO and not the index, "blue chips" are not semiconductors). A cue in
the title counts its weight, in the summary ``SUMMARY_FACTOR`` of it; each distinct cue counts
once; a theme's relevance is the sum, capped at 1.0, and a theme is found when it reaches
``MIN_RELEVANCE`` (one strong cue anywhere, or one weak cue in the title, or two weak cues in
the summary). The evidence is the matched words, title first.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from re import _constants as sre_constants  # type: ignore[attr-defined,unused-ignore]  # typeshed: varies
from re import _parser as sre_parser  # type: ignore[attr-defined,unused-ignore]  # typeshed: varies
from typing import Any

STRONG = 1.0
WEAK = 0.5
SUMMARY_FACTOR = 0.6
MIN_RELEVANCE = 0.5
EVIDENCE_CHARS = 255
ANCHOR_CHARS = 4  # a theme is only tried on items with a word starting like one of its cues

# An automated price-move blurb ("Marathon Oil Corp. stock outperforms market on strong trading
# day", "Kinross Gold falls Thursday, underperforms market"): data, not a report, so its title
# carries no theme (the labelling rule); the company it names is linked by name elsewhere.
PRICE_BLURB = re.compile(
    r"^.+? (?:stock |shares )?(?:rises|falls|outperforms|underperforms|gains|drops)\s+"
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|(?:the )?market\b|competitors\b)",
    re.IGNORECASE,
)
# A company's legal name ("Marathon Oil Corp.", "Microchip Technology Inc."): its words are a
# name, not a theme, for every theme but banks (a bank's own news is about banking).
COMPANY_NAME = re.compile(
    r"(?<![\w-])[A-Z][\w&'.-]*(?:\s+(?:[A-Z][\w&'.-]*|of|and|&)){0,4}\s+(?:Corp|"
    r"Corporation|Inc|Incorporated|Ltd|Limited|Co|Cos|plc|PLC|Holdings|N\.V|S\.A|AG|SE|LLC)"
    r"(?![\w-])\.?"
)

# Capitalised words before "shares"/"stock" that name a market, not a company ("Asian Shares
# Rise", "Wall Street Stocks Fall").
_MARKET_PLACES = (
    r"(?:US|U\.S\.|UK|EU|Euro|European|Europe|Asian|Asia|Chinese|China|Global|World|Wall|"
    r"Street|Japanese|Japan|Tokyo|German|Germany|Indian|India|Emerging|British|London|Hong|Kong|"
    r"Taiwan|Taiwanese|Korean|Korea|Australian|Canadian|French|Italian|Spanish|Brazilian|"
    r"Mexican|Russian|Turkish|Gulf|Saudi|Mideast|Global|Stocks|Shares|Equities|Tech|Bank|Small|"
    r"Large|Blue|Chip|Energy|Oil|Defensive|Growth|Value|Most|All|Some|Many)\b"
)

# theme -> (strong cues, weak cues, negative cues). Keep each list readable: one idea a line.
_CUES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "oil": (
        (
            r"crude",
            r"oil",
            r"oil(?:field|fields|man|men)",
            r"brent",
            r"wti",
            r"opec\+?",
            r"petroleum",
            r"per barrel",
            r"barrels? (?:a|per) day",
            r"natural gas",
            r"lng",
            r"gasoline",
            r"diesel",
            r"(?:gas|fuel|energy) prices",
            r"shale",
            r"refiner(?:y|ies|s)?",
            r"(?:strait of )?hormuz",
        ),
        (r"gas", r"barrels?", r"energy (?:stocks|sector|shares)"),
        (
            r"(?:olive|palm|essential|cooking|snake|castor|coconut|fish|cbd|hair|vegetable|"
            r"sunflower|motor|baby) oils?",
            r"oil (?:painting|paintings|paint|on canvas|change)",
            r"midnight oil",
            r"(?:greenhouse|tear|nerve|laughing) gas(?:es)?",
            r"gas (?:chamber|leak|giant|station)s?",
            r"crude (?:joke|humou?r|language|drawing|remark)s?",
            # "Barrel" in a name ("Cracker Barrel Posts Lower 1Q Sales"), not "Per/A Barrel"
            r"(?-i:(?!(?:Per|A|The|Each|Every)\b)[A-Z][a-z]+ Barrels?)",
        ),
    ),
    "gold": (
        (r"gold", r"bullion", r"precious metals?", r"(?:silver|platinum) (?:prices?|futures)"),
        (),
        (
            r"gold (?:medals?|medalists?|rush|standard|cards?|coast|star|stars|cup|record|"
            r"member|members|mine of|plated)",
            r"gold-plated",
            r"white gold",
            r"(?:olympic|world cup) gold",
        ),
    ),
    "rates": (
        (
            r"(?-i:Fed)",
            r"(?-i:FOMC)",
            r"federal reserve",
            r"central banks?",
            r"central bankers?",
            r"(?-i:ECB|BOJ|BoJ|BoE|BOE|RBA|RBI|PBOC|PBoC|SNB|RBNZ)",
            r"bank of (?:japan|england|canada|korea)",
            r"(?-i:Powell|Lagarde|Bailey|Ueda|Kuroda)",
            r"interest[- ]rates?",
            r"rate (?:hikes?|cuts?|rises?|increases?|decisions?|path|outlook)",
            r"(?:hike|cut|raise|lift|hold)s? rates",
            r"(?:treasury|bond|gilt|bund) (?:yields?|market|markets|prices|rally|selloff|sell-off)",
            r"treasur(?:y|ies) (?:bonds?|notes?|bills?)",
            r"(?-i:Treasuries)",
            r"yields?",
            r"yield curve",
            r"monetary policy",
            r"(?-i:Libor|LIBOR|SOFR)",
            r"borrowing costs",
            r"(?:10|ten|two|2|30)-year (?:yield|note|treasury|bond)s?",
            r"bonds",
            r"higher for longer",
        ),
        (r"rates", r"bond", r"gilts", r"policymakers", r"tightening", r"easing"),
        (
            r"(?-i:Fed [Uu]p|Fed By|Fed Into|Fed On|Fed To)",
            r"(?:tax|exchange|unemployment|employment|jobless|birth|death|mortality|"
            r"vacancy|success|growth|savings|participation|default|response|crime|"
            r"occupancy|conversion|heart|interest-free) rates?",
            r"(?:high|dividend|crop|earnings) yields?",
            r"yields? to",
            r"(?:bond|007) (?:villain|film|movie|girl)s?",
            r"james bond",
            r"(?:islamic|catastrophe|cat|green|junk|high-yield|corporate|convertible|"
            r"emerging[- ]markets?|em|sovereign) bonds?",
            r"(?:quantitative|credit) (?:easing|tightening)",
            r"easing (?:of )?(?:restrictions|lockdowns?|tensions)",
            r"lockdown easing",
        ),
    ),
    "inflation": (
        (
            r"inflation(?:ary)?",
            r"deflation(?:ary)?",
            r"disinflation(?:ary)?",
            r"(?-i:CPI|PCE|PPI|HICP)",
            r"(?:consumer|producer|core|retail) prices?(?: index)?",
            r"price (?:pressures|index|indices)",
            r"cost[- ]of[- ]living",
        ),
        (r"prices (?:rose|rise|rising|surge|surged|jump|jumped|soar|soared)",),
        (
            r"inflation reduction act",
            r"(?:grade|tire|tyre|balloon|title) inflation",
        ),
    ),
    "jobs": (
        (
            r"payrolls?",
            r"non-?farm",
            r"unemploy(?:ment|ed)",
            r"jobless(?:ness)?",
            r"(?:labou?r|job|jobs) (?:market|markets|report|data|shortages?|openings|growth)",
            r"(?-i:JOLTS)",
            r"employment",
            r"wage (?:growth|gains|deal|demands|pressures?)",
            r"(?:fill|filling|create|created|adds|added) (?:\S+ ){0,2}jobs",
            r"unioni[sz](?:ed|e|ation|ing)",
            r"(?:labou?r|trade) unions?",
            r"unions",
            r"strik(?:e|es|ing) workers",
            r"workers? (?:strike|strikes|walkout)",
            r"(?:pay|wage) (?:rise|rises|increase|increases)",
        ),
        (r"jobs", r"workers", r"hiring", r"wages", r"strikes?", r"labou?r", r"pay"),
        (
            r"(?:cut|cuts|cutting|slash|slashes|slashing|eliminate|eliminates|eliminating|"
            r"shed|sheds|shedding|lose|losing|axe|axes|axing)\s+(?:\S+\s+){0,3}jobs",
            r"jobs (?:at risk|cuts|losses)",
            r"risking (?:\S+ ){0,2}jobs",
            r"steve jobs",
            r"(?:air|missile|drone|military|hunger|lightning) ?strikes?",
            r"strik(?:e|es|ing) (?:targets|gaza|back|a deal|deals?|price)",
            r"strike price",
            # a state or army planning an attack: "Russia plans to strike Ukraine power grid"
            r"(?:plans?|planned|planning|threatens?|threatened|vows?|vowed|poised|ready) to strike",
            r"(?:european|soviet|african|credit|customs|monetary) union",
            r"pay (?:package|packages|tv|wall|walls|off|out|back|for)",
            r"labour party",
            r"(?-i:Labour (?:rules|says|leader|government|MPs?|will|plans?|would|pledges?))",
        ),
    ),
    "trade": (
        (
            r"tariffs?",
            r"trade (?:wars?|deals?|talks|tensions?|disputes?|deficits?|surplus(?:es)?|"
            r"barriers?|pacts?|agreements?|policy|restrictions|sanctions|truce|negotiations?)",
            r"(?:global|world|international|free|foreign) trade",
            r"export (?:controls?|bans?|curbs?|restrictions?|licen[cs]es?)",
            r"(?:import|export) (?:duties|quotas?)",
            r"protectionis[mt]",
            r"anti-?dumping",
            r"(?-i:WTO)",
            r"(?:panama|suez) canal",
            r"entity list",
            r"blacklist(?:s|ed|ing)?",
            r"chip war",
            r"customs duties",
        ),
        (r"exports?", r"imports?", r"shipping", r"supply chains?", r"(?-i:Suez)"),
        (
            r"trade (?:fairs?|shows?|secrets?|desk|unions?|in|ins)",
            r"federal trade commission",
            r"imports? (?:of )?(?:data|settings|contacts|photos)",
            r"shipping (?:fees?|costs? to customers|free)",
            r"free shipping",
        ),
    ),
    "geopolitics": (
        (
            r"wars?",
            r"warfare",
            r"military",
            r"missiles?",
            r"air ?strikes?",
            r"drone strikes?",
            r"troops",
            r"invasion",
            r"invade[sd]?",
            r"(?-i:Hamas|Hezbollah|Houthis?|Taliban|ISIS|NATO|Nato|Gaza|Kremlin|Pentagon)",
            r"ceasefire",
            r"cease-fire",
            r"truce",
            r"hostages?",
            r"sanctions",
            r"sanctioned",
            r"coup",
            r"terror(?:ism|ist|ists|attack|attacks)?",
            r"geopoliti(?:cs|cal|cally)",
            r"assassinat(?:e|ed|ion|ions)",
            r"plot to kill",
            r"warships?",
            r"fighter jets?",
            r"(?:nuclear|ballistic) (?:weapons?|test|tests|program|programme)",
            r"espionage",
            r"national security",
            r"(?:border|armed) (?:clash|clashes|conflict)",
            r"(?:us|u\.s\.|china|russia|iran|israel)-(?:china|us|u\.s\.|russia|iran|israel|"
            r"taiwan|ukraine) (?:tensions?|conflict|rivalry|standoff)",
        ),
        (r"tensions?", r"attacks?", r"conflict", r"shelling", r"bombing"),
        (
            r"(?:price|bidding|talent|culture|trade|chip|streaming|console|format|browser|"
            r"fare|turf|flame|class|tariff|currency|star|console) wars?",
            r"war (?:chest|room|games?|of words)",
            r"star wars",
            r"(?:heart|panic|asthma|cyber|ransomware|phishing|hacker) attacks?",
            r"attacks? (?:on|against) (?:the )?(?:fed|ecb|bank|press|media)",
            r"(?:market|trade|tariff) tensions?",
            r"conflicts? of interest",
            r"(?:sanctions|sanctioned) (?:by|from) (?:the )?(?:fca|sec|regulator|league|nba|nfl)",
        ),
    ),
    "ai": (
        (
            r"(?-i:AI|A\.I\.|GenAI)",
            r"artificial intelligence",
            r"machine learning",
            r"deep learning",
            r"generative",
            r"chatbots?",
            r"(?-i:ChatGPT|OpenAI|Anthropic|DeepMind|Copilot|GPT-\d)",
            r"large language models?",
            r"(?-i:LLMs?)",
        ),
        (r"(?-i:Altman)", r"automation"),
        (r"(?-i:Ai Weiwei)",),
    ),
    "chips": (
        (
            r"chips?",
            r"chipmakers?",
            r"chipmaking",
            r"semiconductors?",
            r"semis",
            r"microchips?",
            r"foundr(?:y|ies)",
            r"wafers?",
            r"(?-i:TSMC|GPUs?|HBM)",
            r"fab(?:s)?",
        ),
        (r"(?-i:Nvidia|NVIDIA|Intel|ASML|SMIC|Qualcomm|Broadcom|Micron)",),
        (
            r"blue[- ]chips?",
            r"(?:chocolate|potato|tortilla|poker|bargaining|casino|corn|banana|wood) chips?",
            r"chips? (?:in|away|and (?:dip|salsa|fish)|shop)",
            r"fish and chips",
            r"chips are down",
            r"(?-i:FAB|Fab Four|fab)",
        ),
    ),
    "crypto": (
        (
            r"crypto(?:s|currency|currencies|-asset|-assets)?",
            r"bitcoins?",
            r"ether(?:eum)?",
            r"stablecoins?",
            r"blockchains?",
            r"(?-i:Binance|Coinbase|FTX|Tether|Grayscale|DeFi|NFTs?|Dogecoin|Solana|XRP|"
            r"Uniswap|Bankman-Fried|Changpeng Zhao|Kraken|Circle's USDC|USDC)",
            r"digital (?:assets?|currency|currencies|tokens?)",
        ),
        (r"tokens?", r"(?-i:BTC|ETH)"),
        (r"(?:ether|chloroform) (?:anaesthe|anesthe)\w*",),
    ),
    "earnings": (
        (
            r"earnings",
            r"quarterly (?:results?|profits?|loss(?:es)?|revenues?|sales|earnings|report)",
            r"(?:first|second|third|fourth|1st|2nd|3rd|4th)[- ]quarter "
            r"(?:results?|profits?|loss(?:es)?|earnings|report)",
            r"(?:full-year|annual|half-year|interim|h1|h2|q[1-4]) (?:results?|profits?|loss(?:es)?)",
            r"(?:beats?|miss(?:es)?|tops?|topped|missed|beat) (?:\S+ ){0,2}(?:estimates|"
            r"expectations|forecasts|consensus)",
            r"net (?:income|profit|loss)",
            r"(?-i:EPS)",
            r"profits? (?:rose|rises|fell|falls|jumps?|jumped|drops?|dropped|surges?|surged|"
            r"slumps?|slumped|climbs?|climbed|beats?|misses|tops)",
            r"(?:reports?|reported|posts?|posted) (?:\S+ ){0,3}(?:profits?|loss(?:es)?|results|"
            r"revenue|sales)",
            r"swings? to (?:a )?(?:profit|loss)",
            r"burn(?:s|ed)? through",
            r"results season",
        ),
        (r"results", r"profits?", r"quarter", r"(?-i:Q[1-4])"),
        (
            r"earnings (?:guidance|forecasts?|outlook|expectations? for (?:next|20\d\d))",
            r"(?:search|election|poll|test|trial|exam) results",
            r"price-to-earnings",
            r"earnings (?:calls?|call) (?:with|hosted)",
            r"(?:profits?|sales|revenues?) (?:guidance|forecasts?|outlook|warnings?)",  # guidance
            r"(?:take|takes|taking|took|book|booking|lock in|locking in) profits?",  # an idiom
            r"profit-taking",
            # an economy's quarter: "China's economy seen growing 2.5% in second quarter"
            r"(?:grow|grows|grew|growing|growth|expand\w*|contract\w*|shr[aiu]nk\w*|gdp) "
            r"(?:\S+ ){0,3}(?:the )?(?:first|second|third|fourth|1st|2nd|3rd|4th|june|march|"
            r"september|december) quarter",
            r"nonprofits?",
            r"not-for-profit",
        ),
    ),
    "guidance": (
        (
            r"guidance",
            r"(?:raises?|raised|lifts?|lifted|cuts?|lowers?|lowered|boosts?|boosted|trims?|"
            r"trimmed|reaffirms?|reaffirmed|withdraws?|withdrew|pulls?|pulled|maintains?|"
            r"reiterates?|hikes?|hiked|slashes|slashed|ups|upgrades?|downgrades?|narrows?)"
            r" (?:\S+ ){0,3}(?:forecasts?|outlook|targets?|view)",
            r"profit warnings?",
            r"warns? (?:\S+ ){0,3}(?:profits?|sales|revenue|earnings|demand)",
            r"(?:expects?|expected|projects?|projected|sees|forecasts?|predicts?) (?:\S+ ){0,4}"
            r"(?:sales|revenues?|profits?|earnings|loss(?:es)?|growth|demand|cash|margins?)",
            r"(?:full-year|annual|2024|2025|2026|fiscal-year) (?:forecasts?|outlook|targets?)",
        ),
        (r"outlook", r"forecasts?"),
        (
            r"forward guidance",
            r"(?:economic|growth|gdp|weather|inflation|rate|rates|market|markets|s&p 500|"
            r"stock market|2024 stock) (?:outlook|forecasts?)",
            r"'?(?:aaa|aa|aa\+|credit|rating|ratings|negative|stable|positive)'? outlook",
            r"outlook (?:for|on) (?:the )?(?:economy|markets?|stocks|rates|inflation|20\d\d)",
            r"(?:ipo|fundraising|price|inflation|sales) targets?",
            r"(?:economists|analysts|investors|traders|strategists|bank|banks|imf|fed|ecb) "
            r"(?:\S+ ){0,2}(?:expects?|sees|forecasts?|predicts?)",
        ),
    ),
    "mna": (
        (
            r"mergers?",
            r"acquisitions?",
            r"acquir(?:e|es|ed|ing)",
            r"takeovers?",
            r"buyouts?",
            r"merg(?:e|es|ed|ing)",
            r"(?:to|will|agrees? to|offers? to|plans? to|deal to|bid to) (?:buy|acquire|purchase)"
            r" (?:\S+ ){0,3}(?:for|in|from)?",
            r"buy(?:s|ing)? (?:rival|stake|unit|division|business|maker|company|firm|owner)",
            r"(?:takes?|took|taking|full) (?:full )?control of",
            r"tender offer",
            r"bids? for",
            r"(?:hostile|takeover|merger|buyout) (?:bid|offer|talks)",
            r"divest(?:s|ed|ing|iture|itures|ment)?",
            r"spin-?offs?",
            r"spin(?:s|ning)? off",
            r"(?:stake|unit|division|factory|plant|asset|business) sales?",
            r"sells? (?:\S+ ){0,2}(?:stake|unit|division|business|factory|plant) ",
            r"combination",
            r"(?:m&a|m&amp;a)",
            r"deal (?:to|for) (?:buy|acquire|combine)",
            r"antitrust (?:approval|review|clearance)",
        ),
        (r"(?:billion|bn|million|mn|trillion) deal",),
        (
            r"(?:to|will) buy (?:the )?(?:dip|stocks?|shares|bonds|time|now)",
            r"business combination",  # a SPAC's listing, counted as an IPO
            r"merger arbitrage funds?",
        ),
    ),
    "ipo": (
        (
            r"(?-i:IPOs?|IPO's|I\.P\.O\.)",
            r"initial public offerings?",
            r"go(?:es|ing)? public",
            r"went public",
            r"(?:stock|share|market|public|exchange|nasdaq|nyse|london|hong kong|shanghai|"
            r"shenzhen|mumbai|bombay|india|tokyo|new york|us|u\.s\.) (?:market |exchange )?"
            r"(?:listing|listings|debut|debuts|flotation)",
            r"(?:debuts?|debuted|listing|lists) (?:on|in) (?:the )?(?:nasdaq|nyse|new york|"
            r"london|hong kong|shanghai|shenzhen|tokyo|mumbai|stock exchange|stock market|"
            r"aim|tsx|asx|market)",
            r"(?:shares|stock|trading) (?:\S+ ){0,4}(?:on|in) (?:its |their |market |trading )?"
            r"debut",
            r"(?:on|in) (?:its |their )?(?:market |trading |stock market )?debut",
            r"blank[- ]check",
            r"(?-i:SPACs?)",
            r"direct listing",
            r"flotation",
            r"(?:to|plans to|will) float",
            r"files? (?:confidentially )?(?:to go public|for (?:an )?(?:ipo|listing))",
        ),
        (r"debut", r"listing", r"share sale"),
        (
            r"(?:etf|etfs|fund|bond|bonds|sukuk|album|game|games|novel|film|season|single)"
            r"\s+(?:\S+\s+){0,3}(?:on |in )?(?:its |their )?debut",
            r"debut (?:album|novel|film|single|season|game|games|islamic bond|bond|bonds|"
            r"sukuk|goal)",
            r"to debut",
            r"delist(?:s|ed|ing)?",
            r"listing (?:rules|requirements|of (?:candidates|jobs|items))",
            r"(?:job|house|home|property) listings?",
        ),
    ),
    "layoffs": (
        (
            r"lay ?offs?",
            r"lay(?:s|ing)? off",
            r"laid off",
            r"job (?:cuts|losses|reductions)",
            r"jobs (?:cuts|losses)",
            r"(?:cut|cuts|cutting|slash|slashes|slashing|eliminate|eliminates|eliminating|"
            r"shed|sheds|shedding|axe|axes|axing|trim|trims|trimming|reduce|reduces|reducing)"
            r"\s+(?:\S+\s+){0,3}(?:jobs|staff|workers|employees|positions|roles|workforce|"
            r"headcount|staffers)",
            r"(?:lets?|letting) go (?:of )?(?:\S+ ){0,3}(?:staff|workers|employees)",
            r"jobs at risk",
            r"risking (?:\S+ ){0,2}jobs",
            r"furlough(?:s|ed|ing)?",
            r"redundanc(?:y|ies)",
            r"workforce reductions?",
            r"(?:staff|job|workforce) (?:cuts|reductions)",
            r"restructuring charge",
            r"early (?:exit|retirement) (?:deals?|offers?|packages?)",
            r"(?:close|closes|closing|shut|shuts|shutting) (?:\S+ ){0,4}(?:stores|restaurants|"
            r"branches|plants|factories|offices|outlets)",
        ),
        (r"cost[- ]cuts", r"cost[- ]cutting", r"restructuring"),
        (
            r"(?:cut|cuts|cutting|reduce|reduces|reducing) (?:\S+ ){0,3}(?:jobs|staff|workers) "
            r"(?:tax|taxes|costs?)",
        ),
    ),
    "banks": (
        (
            r"banks?",
            r"bankers?",
            r"banking",
            r"lenders?",
            r"lending",
            r"credit (?:markets?|crunch|spreads?|ratings?|risk|conditions|suisse|default)",
            r"private credit",
            r"defaults?",
            r"defaulted",
            r"bankrupt(?:cy|cies)?",
            r"insolven(?:cy|t|cies)",
            r"(?-i:Insolvenz)",
            r"chapter 11",
            r"covenants?",
            r"junk bonds?",
            r"high-yield",
            r"(?:sovereign|corporate|emerging[- ]market|em) (?:debt|bonds?)",
            r"(?:islamic|debut|catastrophe|green|convertible) bonds?",
            r"(?:rating|ratings) agenc(?:y|ies)",
            r"(?-i:Moody's|Fitch)",
            r"(?:aaa|aa|aa\+) (?:rating|outlook)",
            r"(?:credit|debt) (?:rating|downgrade|upgrade)s?",
            r"debt (?:reckoning|crisis|restructuring|pile|burden|default|maturities|wall)",
            r"recapitali[sz]ation",
            r"bailouts?",
            r"(?:maturing|refinanc\w*) (?:\S+ ){0,3}debt",
        ),
        (r"debt", r"loans?", r"credit"),
        (
            r"central banks?",
            r"central bankers?",
            r"bank of (?:japan|england|canada|korea|israel|mexico|russia)",
            # a central bank's own name: "Federal Reserve Bank of Philadelphia", "Reserve Bank
            # of Australia"
            r"(?:federal )?reserve banks?(?: of \w+)?",
            r"(?:people's|european central) bank",
            # a household's borrowing is housing/consumer news, not banking
            r"(?:home|student|car|auto|payday) loans?",
            # underwriters picked for a deal: "Said to Pick Banks for $84 Million IPO"
            r"(?:picks?|picked|hires?|hired|taps?|tapped|mandates?|mandated|selects?|selected) "
            r"(?:\S+ ){0,2}banks? (?:for|to)",
            r"(?:world|food|blood|river|data|sperm|piggy|memory|power|seed) banks?",
            r"bank holidays?",
            r"banking on",
            r"banks? on (?:a|the|it|its|his|her|their)",
            r"by default",
            r"default (?:settings?|option|browser|search)",
            r"credit (?:cards?|score|scores|karma)",
            r"(?:film|movie|end|opening) credits",
            r"tax credits?",
            r"credit (?:for|to) (?:the|his|her|their)",
        ),
    ),
    "housing": (
        (
            r"housing",
            r"(?:home|house|property|real[- ]estate)[- ]prices?",
            r"home[- ]price",
            r"home (?:sales|loans|buyers|builders|ownership|values)",
            r"homebuyers?",
            r"homebuilders?",
            r"homeowners?",
            r"mortgages?",
            r"real[- ]estate",
            r"realtors?",
            r"estate agents?",
            r"property (?:market|markets|developers?|sector|prices|crisis|investors?)",
            r"stamp duty",
            r"(?:commercial|residential) (?:property|properties|real estate)",
            r"office (?:space|spaces|market|markets|vacanc(?:y|ies)|buildings?|towers?|debt|reits?)",
            r"warehouses?",
            r"rents?",
            r"rental (?:market|prices|housing|costs?)",
            r"landlords?",
            r"priced out",
        ),
        (r"(?-i:REITs?)", r"homes?", r"propert(?:y|ies)"),
        (
            r"home (?:country|market|team|page|office|secretary|depot|front|advantage|ground)",
            r"(?-i:Home Office|Home Depot|Home Secretary)",
            r"(?:care|nursing|funeral|retirement) homes?",
            r"(?:intellectual|personal) property",
            r"(?:rent|rents)-(?:free|seeking)",
            r"warehouse (?:club|clubs|workers)",
            r"stay(?:ed|ing|s)? (?:at )?home",
            r"work(?:ing|s)? from home",
            r"home-?field",
        ),
    ),
    "consumer": (
        (
            r"consumers?",
            r"consumer (?:spending|confidence|sentiment|demand|prices)",
            r"retail (?:sales|spending|footfall)",
            r"shoppers?",
            r"personal (?:spending|income|consumption)",
            r"retailers?",
            r"shopping (?:malls?|centres?|centers?|season|spree)",
            r"(?:black friday|cyber monday)",
            r"holiday (?:sales|shopping|spending|season)",
            r"department stores?",
            r"(?:malls|footfall)",
            r"household (?:spending|consumption|budgets?|finances)",
        ),
        (r"stores?", r"shopping"),
        (
            r"consumer (?:protection|watchdog|reports?|electronics show|rights)",
            r"(?:government|public|fiscal|defen[cs]e|military|capital|infrastructure|federal|"
            r"state|ad|advertising|campaign) spending",
            r"(?:data|app|cold|online|seed|general|convenience|server|storage) stores?",
            r"stores? of value",
            r"pent-up demand for sports",
        ),
    ),
    "markets": (
        (
            r"stock ?markets?",
            r"equit(?:y|ies) markets?",
            r"equities",
            r"wall street",
            r"(?-i:S&P 500|S&amp;P 500|S&P|S&amp;P|Dow Jones|Dow|Nasdaq|Russell 2000|FTSE|"
            r"Stoxx|STOXX|Nikkei|DAX|Hang Seng|Sensex|Nifty|CAC|Topix|TOPIX)",
            r"(?:us|u\.s\.|european|asian|chinese|global|world|emerging[- ]market|emerging|"
            r"german|japanese|taiwan|taiwanese|indian|hong kong|british|uk|london|wall street|"
            r"small-cap|large-cap|mega-cap|blue-chip) "
            r"(?:stocks|shares|equities)",
            r"(?:stocks|shares|equities|markets?) (?:rally|rallied|rallies|fall|fell|falls|"
            r"slide|slid|slides|drop|dropped|drops|rise|rose|rises|climb|climbed|climbs|gain|"
            r"gained|gains|tumble|tumbled|tumbles|sink|sank|sinks|surge|surged|surges|slump|"
            r"slumped|rebound|rebounded|bounce|bounced|close|closed|end|ended|open|opened|"
            r"record|recover|recovered)",
            r"sell-?offs?",
            r"selloffs?",
            r"(?:bull|bear) markets?",
            r"market (?:rally|rout|crash|correction|turmoil|volatility|sell-off|selloff|"
            r"pullback|bottom|top|record|record high|outlook|session|breadth|indicator)",
            r"record highs?",
            r"pullback",
            r"snapback",
            r"(?:monday|tuesday|wednesday|thursday|friday)'s (?:session|rally|sell-off|selloff)",
            r"stocks? to (?:buy|own|watch|hide)",
        ),
        (
            r"stocks",
            r"markets",
            r"rally",
            r"index",
            r"indices",
            r"session",
            r"valuations",
        ),
        (
            r"(?:out|under)performs? (?:the )?(?:market|competitors)",
            r"stock (?:rises|falls|outperforms|underperforms)",
            r"(?:shares|stock)\s+(?:\S+\s+){0,3}(?:on|in) (?:its |their )?debut",
            r"nasdaq (?:debut|listing|ipo)",
            r"(?:on|onto|to) (?:the )?(?:nasdaq|nyse)",
            r"nasdaq-listed",
            r"(?-i:Dow Chemical|Dow Inc|Dow Jones & Co|Dow Jones Newswires)",
            r"(?:market|markets) (?:share|cap|capitalization|value|leader|for (?:cars|chips|"
            r"homes|jobs))",
            r"(?:money|bond|bonds|debt|credit|labou?r|job|jobs|housing|property|oil|energy|gas|"
            r"crypto|art|car|auto|emerging-market) markets?",
            r"share (?:sale|buyback|price)",
            r"index (?:fund|funds|card)",
            r"(?:price|consumer price|producer price|purchasing managers'?) index",
            r"(?-i:Cramer's lightning round)",
            r"wall street journal",
            r"(?-i:S&P|S&amp;P)(?: global)? ratings?",
            r"(?:stock ?market|exchange) (?:listing|listings|debut|flotation)",
            r"stocks (?:of|such as|like) ",
            # one company's shares moving ("The9 Shares Rise 12%"), not a market or region's
            r"(?-i:(?!" + _MARKET_PLACES + r")\b[A-Z][\w&.'\u2019-]*) (?:shares|stock) "
            r"(?:rise|rises|rose|fall|falls|fell|jump|jumps|jumped|drop|drops|dropped|gain|gains|"
            r"gained|slide|slides|slid|surge|surges|surged|sink|sinks|sank|climb|climbs|climbed|"
            r"tumble|tumbles|tumbled|soar|soars|soared|slump|slumps|slumped|plunge|plunges|"
            r"plunged)",
            r"nikkei asian? review",
            r"(?:chip|tech|technology|bank|banking|energy|oil|airline|retail|travel|defen[cs]e|"
            r"utility|growth|value|meme|penny|pot|cannabis|ev|china|chinese|\d+) stocks",
        ),
    ),
    "economy": (
        (
            r"econom(?:y|ies)",
            r"economic (?:data|growth|outlook|recovery|downturn|collapse|activity|"
            r"transformation|slowdown|crisis|policy|indicators?)",
            r"(?-i:GDP|PMI|PMIs|IMF)",
            r"gross domestic product",
            r"recessions?",
            r"recessionary",
            r"depression",
            r"(?:manufacturing|factory|industrial|services|business) (?:activity|output|"
            r"production|orders|sentiment|confidence)",
            r"stimulus",
            r"downturn",
            r"slowdown",
            r"(?:soft|hard) landing",
            r"lost decade",
            r"contraction",
            r"(?:grows|grew|growing|shrinks|shrank|shrinking|contracts|contracted|expands|"
            r"expanded) (?:\S+ ){0,2}(?:in|% in) (?:the )?(?:q[1-4]|[1-4]q|first|second|third|"
            r"fourth|quarter)",
            r"kickstart (?:the )?economy",
            r"(?:need|needs) (?:of )?aid",
        ),
        (r"economic", r"fiscal"),
        (
            r"(?:tropical|mental|post-natal|postnatal) depression",
            r"depression (?:symptoms|treatment|drug|drugs|patients)",
            r"economy (?:class|seats?|fares?)",
            r"(?:economy|economic|economics|finance) minist(?:er|ers|ry)",  # a job or a body
            r"(?:revenue|sales|profit|earnings|user|subscriber|population|hair) growth",
            r"growth (?:stocks|funds|investors|investing|shares)",
            r"(?:company|firm|family|household)'s budget",
        ),
    ),
}
THEMES: tuple[str, ...] = tuple(_CUES)


@dataclass(frozen=True, slots=True)
class ThemeHit:
    theme: str
    evidence: str  # the words matched, title first, "; "-separated
    relevance: float  # in (0, 1]: how strongly the item is about the theme


@dataclass(frozen=True, slots=True)
class _Theme:
    name: str
    cues: re.Pattern[str]  # every cue as its own named group ``c<i>``, strong cues first
    weights: tuple[float, ...]  # of cue i
    negative: re.Pattern[str] | None
    anchors: frozenset[str]  # every cue match starts with one (lower case); empty = no filter


_TOKEN = re.compile(r"[\w&$-]*")
_TOKEN_ANY = re.compile(r"[\w&$-]+")


def _words(body: str) -> str:
    return rf"(?<![\w&$-])(?:{body})(?![\w&-])"


@functools.cache
def _compiled() -> tuple[_Theme, ...]:
    """The taxonomy's patterns, compiled once (on first use)."""
    themes = []
    for name, (strong, weak, negative) in _CUES.items():
        patterns = (*strong, *weak)
        body = "|".join(f"(?P<c{i}>{p})" for i, p in enumerate(patterns))
        weights = (STRONG,) * len(strong) + (WEAK,) * len(weak)
        neg = re.compile(_words("|".join(negative)), re.IGNORECASE) if negative else None
        # a cue match starts a token (the lookbehind of ``_words``): cut anchors to one token
        anchors = {_token(a) for p in patterns for a in _anchors(p)}
        cues = re.compile(_words(body), re.IGNORECASE)
        themes.append(
            _Theme(name, cues, weights, neg, frozenset() if "" in anchors else frozenset(anchors))
        )
    return tuple(themes)


def find_themes(title: str, summary: str = "", *, prefilter: bool = True) -> list[ThemeHit]:
    """The themes the item is about, strongest first (ties in taxonomy order).

    ``prefilter=False`` tries every theme's patterns (the same result, slower: for tests)."""
    if PRICE_BLURB.search(title):
        title = ""
    joined = f"{title}\n{summary}"
    starts = {
        token[:n]
        for token in _TOKEN_ANY.findall(joined.lower())
        for n in range(1, min(len(token), ANCHOR_CHARS) + 1)
    }
    names = {text: [m.span() for m in COMPANY_NAME.finditer(text)] for text in (title, summary)}
    hits: list[ThemeHit] = []
    for theme in _compiled():
        if prefilter and theme.anchors and theme.anchors.isdisjoint(starts):
            continue  # no cue can match: most items skip most themes here, without a regex
        if theme.cues.search(joined) is None:
            continue
        score = 0.0
        seen: set[str] = set()
        evidence: list[str] = []
        for text, factor in ((title, 1.0), (summary, SUMMARY_FACTOR)):
            own = names[text] if theme.name != "banks" else []  # a bank's news is banks
            blocked = own + (
                [m.span() for m in theme.negative.finditer(text)] if text and theme.negative else []
            )
            for match in theme.cues.finditer(text):
                start, end = match.span()
                if any(start < b_end and b_start < end for b_start, b_end in blocked):
                    continue
                cue = match.lastgroup or ""
                words = match.group(0).strip()
                if cue in seen or words.lower() in seen:
                    continue
                seen |= {cue, words.lower()}
                score += theme.weights[int(cue[1:])] * factor
                evidence.append(words)
        if score >= MIN_RELEVANCE:
            hits.append(
                ThemeHit(
                    theme.name, "; ".join(evidence)[:EVIDENCE_CHARS], round(min(score, 1.0), 3)
                )
            )
    return sorted(hits, key=lambda h: -h.relevance)


def _token(anchor: str) -> str:
    match = _TOKEN.match(anchor)
    return match.group(0) if match else ""


def _anchors(pattern: str) -> set[str]:
    """Lower-case literal prefixes (up to ANCHOR_CHARS) one of which every match of the pattern
    starts with; "" among them means none is known. Derived from the parsed regex, so it cannot
    drift from the cues (``tests/enrich/test_themes.py`` checks the prefilter changes nothing
    on the real items)."""
    return _prefixes(list(sre_parser.parse(pattern, re.IGNORECASE)), {""})[1]


def _prefixes(items: list[Any], current: set[str]) -> tuple[bool, set[str]]:
    """(stopped, prefixes) after reading ``items`` from ``current``; stopped = an element whose
    literal text is unknown was reached, so nothing further may be appended."""
    cur = set(current)
    for i, (op, av) in enumerate(items):
        if all(len(x) >= ANCHOR_CHARS for x in cur):
            return True, cur
        if op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue
        if op is sre_constants.SUBPATTERN:
            stopped, cur = _prefixes(list(av[-1]), cur)
            if stopped:
                return True, cur
            continue
        chars = _literals(op, av)
        if chars is not None:
            cur = {x + c if len(x) < ANCHOR_CHARS else x for x in cur for c in chars}
            continue
        return True, _fork(op, av, items[i + 1 :], cur)
    return False, cur


def _fork(op: Any, av: Any, rest: list[Any], cur: set[str]) -> set[str]:
    """Prefixes through a branch or a repeat (or ``cur`` itself at anything else)."""
    if op is sre_constants.BRANCH:
        return set().union(*(_prefixes([*branch, *rest], cur)[1] for branch in av[1]))
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        low, _, item = av
        once = _prefixes(list(item), cur)[1]
        return once | _prefixes(rest, cur)[1] if low == 0 else once
    return cur


def _literals(op: Any, av: Any) -> set[str] | None:
    """The lower-case characters a LITERAL or a set of literals can be; None otherwise."""
    if op is sre_constants.LITERAL:
        return {chr(av).lower()}
    if op is not sre_constants.IN:
        return None
    pairs: Iterable[tuple[Any, Any]] = av
    if any(o is not sre_constants.LITERAL for o, _ in pairs):
        return None
    return {chr(value).lower() for _, value in av}
