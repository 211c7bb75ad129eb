"""CLI start-up: each command's time to run, against ``python -c pass`` in the same run (#16).

Goal: at most 0.3 s for the commands that do not need the web stack (``goal`` column: the
commands of the goal, ``ok`` when the best wall time is within it). Each command runs
``--repeat`` times as a fresh process (the console script's way: ``from tapewire.cli import
main``); the figures are the best and the median wall time and the median CPU time (user +
system of the child, from ``getrusage``), which a loaded machine disturbs less than the wall
clock. The ratio is to ``python -c pass`` (the interpreter's own start-up) measured in the same
run. The reference lines import the libraries a store command cannot do without, alone:
SQLAlchemy (Core, then the ORM) and pydantic-settings; the floor line is both together, and
the "no ORM" line what a command reading through SQLAlchemy Core alone could not skip; each
command's best wall time is also given as a ratio to both lines of the same run.

``prices load FILE`` loads a small CSV already stored (start-up, the read and the check, no new
rows: the load time itself is excluded); ``brief SYMBOL`` writes the brief of a small stored
series on its first (warm-up) run and prints it on the timed runs (no new session since).

    .venv/bin/python bench/cli/run.py [--repeat 7]
    .venv/bin/python bench/cli/run.py --src /work/main/src     # another checkout's code
    .venv/bin/python bench/cli/run.py --compare /tmp/main/src  # this and that, in turns

A store at head (SQLite, in a temporary directory) is made first with ``db upgrade``, so the
store commands measure the migration head check and not the migrations.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

RUN = "import sys; from tapewire.cli import main; sys.exit(main())"
# (label, argv after `tapewire`, or a Python statement for the reference lines)
COMMANDS: list[tuple[str, list[str]]] = [
    ("tapewire --help", ["--help"]),
    ("tapewire --version", ["--version"]),
    ("tapewire prices load --help", ["prices", "load", "--help"]),
    ("tapewire sentiment TEXT", ["sentiment", "Stocks rally as yields fall"]),
    ("tapewire db upgrade (at head)", ["db", "upgrade", "--db", "{db}"]),
    ("tapewire feeds list", ["feeds", "list", "--db", "{db}"]),
    ("tapewire prices list", ["prices", "list", "--db", "{db}"]),
    ("tapewire alerts list", ["alerts", "list", "--db", "{db}"]),
    ("tapewire keys list", ["keys", "list", "--db", "{db}"]),
    ("tapewire status", ["status", "--db", "{db}"]),
    ("tapewire instruments suggest", ["instruments", "suggest", "--db", "{db}"]),
    (
        "tapewire prices load SYMBOL FILE (stored)",
        ["prices", "load", "ACME", "{csv}", "--db", "{db}"],
    ),
    ("tapewire brief SYMBOL", ["brief", "ACME", "--as-of", "{as_of}", "--db", "{db}"]),
]
# The commands of the goal (issue #16 part 3: store commands that do not need the web stack).
GOAL = {
    "tapewire sentiment TEXT",
    "tapewire feeds list",
    "tapewire prices list",
    "tapewire status",
    "tapewire instruments suggest",
    "tapewire prices load SYMBOL FILE (stored)",
    "tapewire brief SYMBOL",
}
GOAL_S = 0.3
REFERENCES: list[tuple[str, str]] = [
    ("python -c pass", "pass"),
    ("import click", "import click"),
    ("import sqlalchemy", "import sqlalchemy"),
    ("import sqlalchemy.orm", "import sqlalchemy.orm"),
    ("import pydantic_settings", "import pydantic_settings"),
    ("floor: import sqlalchemy.orm, pydantic_settings", "import sqlalchemy.orm, pydantic_settings"),
    (
        "no ORM: sqlalchemy (Core), pydantic_settings, click",
        "import sqlalchemy, pydantic_settings, click",
    ),
]
BARS = 300  # business days in the bench's CSV


def write_csv(path: Path) -> str:
    """A deterministic daily series of ``BARS`` business days; returns the day after the last
    bar (the brief's ``--as-of``)."""
    day, close, lines = date(2025, 1, 6), 100.0, ["Date,Open,High,Low,Close,Volume"]
    for i in range(BARS):
        while day.weekday() >= 5:
            day += timedelta(days=1)
        step = math.sin(i / 7.0) * 0.8 + math.cos(i / 23.0) * 0.5 + 0.05
        open_, close = close, round(close + step, 2)
        high, low = max(open_, close) + 0.4, min(open_, close) - 0.4
        lines.append(f"{day},{open_:.2f},{high:.2f},{low:.2f},{close:.2f},{100_000 + 37 * i}")
        day += timedelta(days=1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(day)


def timed(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, float, int]:
    """(wall s, CPU s, exit code) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


Stats = tuple[float, float, float, int]  # best wall s, median wall s, median CPU s, exit


def measure(sides: list[tuple[list[str], dict[str, str]]], cwd: str, repeat: int) -> list[Stats]:
    """Each side (argv, env) ``repeat`` times, the sides taking turns run by run, so a change in
    the machine's load falls on both alike (a before/after in one run)."""
    for argv, env in sides:
        timed(argv, env, cwd)  # warm the page cache and the .pyc files
    runs: list[list[tuple[float, float, int]]] = [[] for _ in sides]
    for _ in range(repeat):
        for i, (argv, env) in enumerate(sides):
            runs[i].append(timed(argv, env, cwd))
    return [
        (
            min(r[0] for r in side),
            statistics.median(r[0] for r in side),
            statistics.median(r[1] for r in side),
            max(r[2] for r in side),
        )
        for side in runs
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per command (median kept)")
    parser.add_argument("--src", help="put this source tree first on PYTHONPATH (compare code)")
    parser.add_argument(
        "--compare",
        metavar="SRC",
        help="also run another source tree (e.g. a git archive of main), taking turns run by "
        "run with this one; prints both and the CPU ratio",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tapewire-bench-cli-") as tmp:
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp}
        base["XDG_DATA_HOME"] = str(Path(tmp) / "xdg")
        trees = [args.src, *([args.compare] if args.compare else [])]
        csv = Path(tmp) / "ACME.csv"
        as_of = write_csv(csv)
        python = sys.executable
        envs, fills = [], []
        for n, tree in enumerate(trees):
            env = dict(base, PYTHONPATH=str(Path(tree).resolve())) if tree else dict(base)
            db = str(Path(tmp) / f"bench{n}.db")
            for setup in (["db", "upgrade"], ["prices", "load", "ACME", str(csv)]):
                subprocess.run([python, "-c", RUN, *setup, "--db", db], env=env, check=True,
                               capture_output=True, cwd=tmp)  # fmt: skip
            envs.append(env)
            fills.append({"db": db, "csv": str(csv), "as_of": as_of})

        rows: list[tuple[str, list[Stats]]] = []
        for label, code in REFERENCES:
            argv = [python, "-c", code]
            rows.append((label, measure([(argv, env) for env in envs], tmp, args.repeat)))
        for label, command in COMMANDS:
            sides = [
                ([python, "-c", RUN, *(a.format(**fill) for a in command)], env)
                for env, fill in zip(envs, fills, strict=True)
            ]
            rows.append((label, measure(sides, tmp, args.repeat)))

    load = os.getloadavg()
    print(f"CLI start-up, {args.repeat} runs each; load average {load[0]:.2f} {load[1]:.2f}")
    print(f"code: {args.src or 'this checkout'}; python {sys.version.split()[0]}")
    if args.compare:
        print(f"compared with: {args.compare} (taking turns run by run)")
    base_cpu = rows[0][1][0][2]
    # Best wall as a ratio to the floor and to the "no ORM" line of this same run: what a store
    # command adds over the libraries it cannot skip, whatever the machine's speed.
    floor = next(s[0][0] for label, s in rows if label.startswith("floor:"))
    no_orm = next(s[0][0] for label, s in rows if label.startswith("no ORM:"))
    head = (
        f"{'command':<52} {'best wall':>9} {'med wall':>8} {'CPU ms':>7} {'CPU x pass':>10}"
        f" {'x floor':>7} {'x no-ORM':>8}"
    )
    other = (
        f" {'| other: best wall':>18} {'CPU ms':>7} {'CPU this/other':>14}" if args.compare else ""
    )
    print(f"{head}  exit  goal <= {GOAL_S * 1000:.0f} ms (best wall){other}")
    for label, stats in rows:
        best, wall, cpu, code = stats[0]
        ratio = cpu / base_cpu if base_cpu else float("nan")
        goal = ("ok" if best <= GOAL_S else "over") if label in GOAL else ""
        line = (
            f"{label:<52} {best * 1000:>9.0f} {wall * 1000:>8.0f} {cpu * 1000:>7.0f}"
            f" {ratio:>10.1f} {best / floor:>7.2f} {best / no_orm:>8.2f}  {code:>4}  {goal:<4}"
        )
        if args.compare:
            o_best, _, o_cpu, o_code = stats[1]
            mark = "" if o_code == 0 else f" (exit {o_code})"
            line += f"{o_best * 1000:>35.0f} {o_cpu * 1000:>7.0f} {cpu / o_cpu:>14.2f}{mark}"
        print(line)
    print(
        f"(python -c pass: {rows[0][1][0][1] * 1000:.0f} ms median wall, {base_cpu * 1000:.0f} ms CPU)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
