"""CLI start-up: each command's time to run, against ``python -c pass`` in the same run (#16).

Goal: under 0.3 s for the commands that do not need the web stack. Each command runs
``--repeat`` times as a fresh process (the console script's way: ``from tapewire.cli import
main``); the figures are the median wall time and the median CPU time (user + system of the
child, from ``getrusage``), which a loaded machine disturbs less than the wall clock. The ratio
is to ``python -c pass`` (the interpreter's own start-up) measured in the same run; the floor
line is the two libraries a store command cannot do without (SQLAlchemy's ORM and
pydantic-settings), imported and nothing else.

    .venv/bin/python bench/cli/run.py [--repeat 7]
    .venv/bin/python bench/cli/run.py --src /work/main/src     # another checkout's code, to compare

A store at head (SQLite, in a temporary directory) is made first with ``db upgrade``, so the
store commands measure the migration head check and not the migrations.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
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
]
REFERENCES: list[tuple[str, str]] = [
    ("python -c pass", "pass"),
    ("floor: import sqlalchemy.orm, pydantic_settings", "import sqlalchemy.orm, pydantic_settings"),
]


def timed(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, float, int]:
    """(wall s, CPU s, exit code) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def measure(
    argv: list[str], env: dict[str, str], cwd: str, repeat: int
) -> tuple[float, float, int]:
    timed(argv, env, cwd)  # warm the page cache and the .pyc files
    runs = [timed(argv, env, cwd) for _ in range(repeat)]
    return (
        statistics.median(r[0] for r in runs),
        statistics.median(r[1] for r in runs),
        max(r[2] for r in runs),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per command (median kept)")
    parser.add_argument("--src", help="put this source tree first on PYTHONPATH (compare code)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tapewire-bench-cli-") as tmp:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp}
        env["XDG_DATA_HOME"] = str(Path(tmp) / "xdg")
        if args.src:
            env["PYTHONPATH"] = str(Path(args.src).resolve())
        db = str(Path(tmp) / "bench.db")
        python = sys.executable
        subprocess.run([python, "-c", RUN, "db", "upgrade", "--db", db], env=env, check=True,
                       capture_output=True, cwd=tmp)  # fmt: skip

        rows: list[tuple[str, float, float, int]] = []
        for label, code in REFERENCES:
            rows.append((label, *measure([python, "-c", code], env, tmp, args.repeat)))
        for label, argv in COMMANDS:
            full = [python, "-c", RUN, *(a.format(db=db) for a in argv)]
            rows.append((label, *measure(full, env, tmp, args.repeat)))

    base_wall, base_cpu = rows[0][1], rows[0][2]
    load = os.getloadavg()
    print(f"CLI start-up, median of {args.repeat} runs; load average {load[0]:.2f} {load[1]:.2f}")
    print(f"code: {args.src or 'this checkout'}; python {sys.version.split()[0]}")
    print(f"{'command':<50} {'wall ms':>8} {'CPU ms':>8} {'CPU x pass':>10}  exit")
    for label, wall, cpu, code in rows:
        ratio = cpu / base_cpu if base_cpu else float("nan")
        print(f"{label:<50} {wall * 1000:>8.0f} {cpu * 1000:>8.0f} {ratio:>10.1f}  {code}")
    print(f"(python -c pass: {base_wall * 1000:.0f} ms wall, {base_cpu * 1000:.0f} ms CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
