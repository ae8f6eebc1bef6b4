"""`make bench` smoke test: tiny sizes on the real servers. Timings are never asserted."""

import json
import re
import subprocess
import sys
import time

import pytest

from utils.engine import healthcheck_logins
from utils.paths import ROOT

BENCH = ROOT / "benchmarks" / "bench.py"
TINY = ["--rows", "60", "--naive-rows", "10", "--sizes", "50,200", "--parents", "10"]
TINY += ["--queries", "10", "--items", "20", "--points", "40", "--repeats", "1"]
PATHS = {
    "inserts": {
        "commit per row",
        "add_all + one commit",
        "ORM bulk insert(Model), dicts",
        "Core insert() executemany",
        "raw driver executemany",
    },
    "index": {"no index", "index on email"},
    "n+1": {"lazy loading (N+1)", "joinedload", "selectinload"},
    "pooling": {
        "NullPool",
        "NullPool, TLS off",
        "QueuePool",
        "QueuePool, pre-ping",
        "one connection held",
    },
    "dynamodb": {"save() per item", "batch_write()"},
    "influxdb": {
        "synchronous write per point",
        "synchronous write of a list",
        "batching write API",
    },
}


@pytest.mark.alone  # counts the server's connections
def test_every_case_produces_numbers_a_json_and_a_real_png(tmp_path, mysql_conn, dynamodb, influx):
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, BENCH, *TINY, "--out", tmp_path],
        capture_output=True,
        text=True,
        timeout=300,
    )
    others = healthcheck_logins(time.monotonic() - started)  # 0 natively
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "bench.json").read_text())
    assert report["machine"]["cpus"] >= 1 and report["date"]
    found = {}
    for r in report["results"]:
        found.setdefault(r["case"], set()).add(r["path"])
        assert r["seconds_median"] > 0 and r["rate"] > 0 and r["vs_naive"] > 0, r
        assert r["seconds_min"] <= r["seconds_median"] <= r["seconds_max"], r
    assert found == PATHS
    assert {r["engine"] for r in report["results"] if r["case"] == "inserts"} == {"SQLite", "MySQL"}
    assert sorted({r["size"] for r in report["results"] if r["case"] == "index"}) == [50, 200]
    n_plus_1 = {r["path"]: r["statements"] for r in report["results"] if r["case"] == "n+1"}
    assert n_plus_1 == {"lazy loading (N+1)": 11, "joinedload": 1, "selectinload": 2}
    logins = {r["path"]: r["connections"] for r in report["results"] if r["case"] == "pooling"}
    assert logins["NullPool"] >= 10 and logins["QueuePool"] <= 2 + others, logins
    # TLS changes no count
    assert abs(logins["NullPool, TLS off"] - logins["NullPool"]) <= others, logins
    assert logins["QueuePool, pre-ping"] <= 2 + others, logins
    assert 1 <= logins["one connection held"] <= 1 + others, logins
    requests = {r["path"]: r["requests"] for r in report["results"] if r["case"] == "influxdb"}
    assert requests["synchronous write of a list"] == 1, requests
    assert (tmp_path / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for path in ("commit per row", "selectinload", "batch_write()", "batching write API"):
        assert path in proc.stdout  # the table
    assert "× naive" in proc.stdout


@pytest.mark.alone  # a bench run (the cheapest case: a few statements)
def test_one_case_alone_measures_only_it_and_still_draws_the_chart(tmp_path, mysql_conn):
    """`--case n+1`: the other cases are neither measured nor drawn (their panels say
    so), and an empty panel does not break the chart."""
    proc = subprocess.run(
        [sys.executable, BENCH, *TINY, "--case", "n+1", "--out", tmp_path],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "bench.json").read_text())
    assert {(r["case"], r["path"]) for r in report["results"]} == {
        ("n+1", path) for path in PATHS["n+1"]
    }
    assert (tmp_path / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


FLAGS = ["--rows", "--naive-rows", "--sizes", "--parents", "--queries", "--items", "--points"]
FLAGS += ["--repeats", "--case", "--out"]


def flag_help(text):
    """{flag: its help text, without the default} from argparse's --help output."""
    found, flag = {}, None
    for line in text.split("options:\n", 1)[1].splitlines():
        entry = re.match(r"  (-\w|--[\w-]+)(?:, --[\w-]+)?(?: [A-Z_]+| \{\S+})?(?:  +(.*))?$", line)
        if entry:
            flag = entry[1]
            found[flag] = entry[2] or ""
        elif flag and line.startswith(" " * 20):
            found[flag] += " " + line.strip()
    return {f: re.sub(r"\(default: [^)]*\)", "", h).strip() for f, h in found.items()}


def test_every_flag_is_explained():
    proc = subprocess.run([sys.executable, BENCH, "--help"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    explained = flag_help(proc.stdout)
    assert set(explained) == {"-h", *FLAGS}, explained
    for flag, text in explained.items():
        assert len(text.split()) >= 3, f"{flag} says too little: {text!r}"


def test_the_committed_sample_is_a_full_run():
    sample = json.loads((ROOT / "benchmarks" / "sample" / "bench.json").read_text())
    assert {r["case"] for r in sample["results"]} == set(PATHS)
    assert (ROOT / "benchmarks" / "sample" / "bench.png").read_bytes()[:4] == b"\x89PNG"
