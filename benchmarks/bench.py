#!/usr/bin/env python3
"""The performance chapter, measured: the naive path and the lesson's paths, as ratios.

Run:   make bench   (or: .venv/bin/python benchmarks/bench.py --help)
Needs: the three servers (`make services`).

Every case runs its naive path and its better paths in the same run, each once to
warm up and then --repeats times; the table shows the median, the spread (min to
max) and the speed-up over the naive path. Absolute times belong to this machine;
the ratios are what the lesson quotes. Results: benchmarks/results/bench.json and
bench.png (git-ignored). Not a test: nothing here passes or fails on a timing.
"""

import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

import nosql_cases  # this folder: python3 benchmarks/bench.py puts it first on sys.path
import sql_cases
from chart import draw

HERE = Path(__file__).resolve().parent
LESSON = HERE.parent / "lesson-17"

# Why the fast path is fast, one sentence per case (the lesson README says the same).
WHY = {
    "inserts": "A commit per row waits for a durable write (an fsync) every time; one "
    "transaction pays it once, and the faster paths also skip building an object per row.",
    "index": "Without an index the database reads every row to find one; a B-tree index "
    "goes to it in a few steps, however large the table.",
    "n+1": "Lazy loading sends one query per parent; eager loading fetches all children "
    "in one or two round trips.",
    "pooling": "A new connection costs a TCP handshake, the MySQL handshake and login, and "
    "with PyMySQL's default (TLS preferred) a TLS context built anew, loading the system's "
    "CA certificates; a pool pays that once and lends the connection out again, for "
    "some bookkeeping and a ROLLBACK when it comes back (and a ping with pool_pre_ping).",
    "dynamodb": "save() makes one HTTP request per item; batch_write() sends 25 items per request.",
    "influxdb": "A synchronous write sends what it is given in one HTTP request: a point "
    "each is a request each, a list is one; the batching API groups points for you, in a "
    "background thread that only logs errors unless you pass an error_callback.",
}


def load(section, module):
    """A section's module (03/settings.py, ...) under a name of its own: they share names."""
    path = LESSON / section / f"{module}.py"
    spec = importlib.util.spec_from_file_location(f"lesson{section}_{module}", path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=20_000, help="rows per batched insert")
    parser.add_argument(
        "--naive-rows",
        type=int,
        default=1_000,
        help="rows for the commit-per-row insert (slow: its rate is compared, not its time)",
    )
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="table sizes for the index case, comma-separated",
    )
    parser.add_argument("--parents", type=int, default=300, help="users in the N+1 case")
    parser.add_argument("--queries", type=int, default=100, help="queries in the pooling case")
    parser.add_argument(
        "--items", type=int, default=500, help="DynamoDB items; points written one at a time"
    )
    parser.add_argument(
        "--points",
        type=int,
        default=5_000,
        help="points for InfluxDB's batching API (its close() polls every 100 ms: small "
        "batches would measure that wait)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed runs after a warm-up")
    parser.add_argument(
        "--case",
        action="append",
        choices=list(WHY),
        help="measure only this case (repeat the flag for more); all when not given",
    )
    parser.add_argument("--out", type=Path, default=HERE / "results", help="JSON and PNG here")
    return parser.parse_args(argv)


def plan(args, tmp):
    """(case, engine, path, size, unit, function, argument) for every measurement."""
    mysql_url = load("03", "settings").database_url()
    sqlite = create_engine(f"sqlite:///{tmp}/bench.db")
    mysql = create_engine(mysql_url)
    steps = []
    for engine_name, engine in (("SQLite", sqlite), ("MySQL", mysql)):
        for path, fn in sql_cases.INSERT_PATHS.items():
            size = args.naive_rows if path == "commit per row" else args.rows
            steps.append(("inserts", engine_name, path, size, "rows", fn, engine))
    for size in (int(s) for s in args.sizes.split(",")):
        steps.append(
            ("index", "MySQL", "no index", size, "lookup", sql_cases.lookup_without_index, mysql)
        )
        steps.append(
            ("index", "MySQL", "index on email", size, "lookup", sql_cases.lookup_with_index, mysql)
        )
    for path, fn in (
        ("lazy loading (N+1)", sql_cases.lazy_n_plus_1),
        ("joinedload", sql_cases.eager_joinedload),
        ("selectinload", sql_cases.eager_selectinload),
    ):
        steps.append(("n+1", "MySQL", path, args.parents, "parents", fn, mysql))
    for path, fn in (
        ("NullPool", sql_cases.no_pool),
        ("NullPool, TLS off", sql_cases.no_pool_no_tls),
        ("QueuePool", sql_cases.queue_pool),
        ("QueuePool, pre-ping", sql_cases.queue_pool_pre_ping),
        ("one connection held", sql_cases.held_connection),
    ):
        steps.append(("pooling", "MySQL", path, args.queries, "queries", fn, mysql_url))

    dynamo = nosql_cases.dynamodb_model(load("04", "settings"))
    for path, fn in (
        ("save() per item", nosql_cases.dynamodb_save_each),
        ("batch_write()", nosql_cases.dynamodb_batch_write),
    ):
        steps.append(("dynamodb", "DynamoDB Local", path, args.items, "items", fn, dynamo))

    influx_settings = load("05", "settings")
    client = influx_settings.connect()
    bucket = influx_settings.bucket()
    for path, fn, size in (
        ("synchronous write per point", nosql_cases.influx_write_each, args.items),
        ("synchronous write of a list", nosql_cases.influx_write_list, args.points),
        ("batching write API", nosql_cases.influx_batching, args.points),
    ):
        steps.append(
            (
                "influxdb",
                "InfluxDB",
                path,
                size,
                "points",
                lambda c, n, f=fn: f(client, bucket, n),
                None,
            )
        )
    steps = [step for step in steps if not args.case or step[0] in args.case]
    return steps, [sqlite, mysql, client]


def measure(steps, repeats, console):
    results = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("measuring", total=len(steps) * (repeats + 1))
        for case, engine, path, size, unit, fn, target in steps:
            progress.update(task, description=f"{case}: {engine}, {path}, {size} {unit}")
            fn(target, size)  # warm-up: caches, connections, query plans
            progress.advance(task)
            runs = []
            for _ in range(repeats):
                seconds, extra = fn(target, size)
                runs.append(seconds)
                progress.advance(task)
            median = statistics.median(runs)
            per_item = unit == "lookup"  # the index case times one lookup, not the batch
            results.append(
                {
                    "case": case,
                    "engine": engine,
                    "path": path,
                    "size": size,
                    "unit": unit,
                    "seconds_median": median,
                    "seconds_min": min(runs),
                    "seconds_max": max(runs),
                    "runs": len(runs),
                    "rate": (1 if per_item else size) / median,
                    **extra,
                }
            )
    return compare(results)


def compare(results):
    """Add × the naive path (the first path of each case and engine) and the ceiling share."""
    first = {}
    for r in results:
        key = (r["case"], r["engine"], r["size"] if r["case"] == "index" else None)
        first.setdefault(key, r)
        r["vs_naive"] = r["rate"] / first[key]["rate"]
    ceilings = {
        (r["case"], r["engine"]): r["rate"]
        for r in results
        if r["path"] == "raw driver executemany"
    }
    for r in results:
        ceiling = ceilings.get((r["case"], r["engine"]))
        r["vs_ceiling"] = r["rate"] / ceiling if ceiling else None
    return results


def seconds_text(seconds):
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def show(results, console):
    table = Table(title="make bench: per case, the naive path first, then the lesson's paths")
    for column in ("case", "path", "size", "median (min–max)", "rate", "× naive", "of ceiling"):
        table.add_column(column, justify="left" if column in ("case", "path") else "right")
    table.add_column("notes")
    for r in results:
        spread = (
            f"{seconds_text(r['seconds_median'])} ({seconds_text(r['seconds_min'])}–"
            f"{seconds_text(r['seconds_max'])})"
        )
        unit = "lookups" if r["unit"] == "lookup" else r["unit"]
        notes = ", ".join(
            f"{k} {r[k]}" for k in ("statements", "connections", "requests") if k in r
        )
        table.add_row(
            f"{r['case']} ({r['engine']})",
            r["path"],
            f"{r['size']:,}",
            spread,
            f"{r['rate']:,.0f} {unit}/s",
            f"{r['vs_naive']:.1f}×",
            f"{r['vs_ceiling']:.2f}" if r["vs_ceiling"] else "",
            notes,
        )
    console.print(table)
    for case, why in WHY.items():
        console.print(f"[bold]{case}[/bold]: {why}")


def main(argv=None):
    args = parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 160)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            steps, closers = plan(args, tmp)
            results = measure(steps, args.repeats, console)
        except OperationalError as exc:  # MySQL: one line that says what to do
            mysql = load("03", "settings")
            mysql.exit_unreachable(mysql.database_url(), exc)
        except (PynamoDBException, BotoCoreError, ClientError) as exc:
            load("04", "settings").fail(exc)
        for closer in closers:
            (getattr(closer, "dispose", None) or closer.close)()
    show(results, console)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "arguments": {k: str(v) for k, v in vars(args).items()},
        "why": WHY,
        "results": results,
    }
    (args.out / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
    draw(report, args.out / "bench.png")
    console.print(f"Wrote {args.out / 'bench.json'} and {args.out / 'bench.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
