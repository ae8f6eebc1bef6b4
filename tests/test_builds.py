"""The build cache is shared by every checkout on the machine: two that start their
servers at once must not build the same program over each other."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# One builder as its own process: it marks that it started building, then writes its
# program only once the test lets it (the file `go` appears), so the second builder is
# sure to arrive while the first is still building.
BUILDER = """
import sys, time
from pathlib import Path
from tools.services.builds import build_once

folder, who = Path(sys.argv[1]), sys.argv[2]

def build(partial):
    (folder / f"{who}-started").touch()
    while not (folder / "go").exists():
        time.sleep(0.02)
    partial.write_text(who)

print("built" if build_once(folder / "program", build, "test") else "reused")
"""


@pytest.fixture
def builders(tmp_path):
    """start(who) runs a builder in tmp_path; every builder is let finish at the end."""
    started = []

    def start(who):
        with open(tmp_path / f"{who}.out", "w") as out:
            started.append(
                subprocess.Popen(
                    [sys.executable, "-c", BUILDER, str(tmp_path), who],
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        return started[-1]

    yield start
    (tmp_path / "go").touch()
    for proc in started:
        proc.wait(60)


def first_of(events, proc, limit=60):
    """The name of the first of `events` to come true while `proc` runs. The bound only
    keeps a broken build from hanging the suite; nothing here depends on its length."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for name, happened in events.items():
            if happened():
                return name
        assert proc.poll() is None, "the builder stopped early"
        time.sleep(0.02)
    raise AssertionError(f"none of {list(events)} within {limit} s")


def test_a_second_builder_waits_for_the_first_and_uses_its_program(tmp_path, builders):
    def output(who):
        return (tmp_path / f"{who}.out").read_text()

    first = builders("first")
    first_of({"started": (tmp_path / "first-started").exists}, first)
    second = builders("second")
    events = {
        "waits": lambda: "another checkout is building program" in output("second"),
        "builds too": (tmp_path / "second-started").exists,
    }
    assert first_of(events, second) == "waits"
    (tmp_path / "go").touch()
    assert (first.wait(60), second.wait(60)) == (0, 0), (output("first"), output("second"))
    assert output("first").strip().endswith("built")
    assert output("second").strip().endswith("reused")
    assert not (tmp_path / "second-started").exists()
    assert (tmp_path / "program").read_text() == "first"
    assert not (tmp_path / "program.partial").exists()
    assert (tmp_path / "program.sha256").read_text().strip()
