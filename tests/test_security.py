"""Security: servers listen on loopback only, no credential is committed, .env stays local."""

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from utils.engine import engine
from utils.paths import ROOT
from utils.processes import psutil_reads_processes
from utils.settings import SETTINGS

BIN = Path(sys.executable).parent


def published_addresses(service, port):
    """Under Docker: the host addresses Compose publishes the service's port on."""
    proc = subprocess.run(
        ["docker", "compose", "ps", "--format", "json", service],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.strip()
    rows = json.loads(out) if out.startswith("[") else [json.loads(x) for x in out.splitlines()]
    return {
        p["URL"]
        for row in rows
        for p in row.get("Publishers") or []
        if p["PublishedPort"] == int(port)
    }


def test_every_server_listens_on_loopback_only(mysql_conn, dynamodb, influx):
    """Natively: the service manager's own reader of the kernel's sockets says nothing
    listens beyond loopback on each port (the fixtures reached each server on it)."""
    from tools.services import owners

    ports = {
        "mysql": SETTINGS["MYSQL_PORT"],
        "influxdb": SETTINGS["INFLUXDB_PORT"],
        "dynamodb": SETTINGS["DYNAMODB_PORT"],
    }
    for name, port in ports.items():
        if engine() == "native":
            assert not owners.public_listener(port), f"{name} listens beyond loopback on {port}"
        else:
            addresses = published_addresses(name, port)
            assert addresses, f"nothing is published on {name}'s port {port}"
            assert all(a.startswith("127.") or a == "::1" for a in addresses), (name, addresses)


@pytest.mark.parametrize(
    ("family", "address", "public"),
    [
        (socket.AF_INET, "127.0.0.1", False),
        (socket.AF_INET, "127.0.0.2", False),
        (socket.AF_INET, "0.0.0.0", True),
        (socket.AF_INET6, "::1", False),
        (socket.AF_INET6, "::", True),
    ],
)
@pytest.mark.parametrize("table", ["/proc", "psutil"])
def test_the_loopback_check_tells_a_public_listener(family, address, public, table, monkeypatch):
    """owners.public_listener, the function the check above and `make services` use, on a
    real listening socket of each kind, through /proc (Linux) and psutil (the others: /proc
    hidden from the code, as tests/test_shared_machine.py does). The wildcard ones live for
    the check only and accept nothing."""
    from tools.services import common, owners

    if table == "/proc" and not (common.PROC / "net" / "tcp").exists():
        pytest.skip("no /proc/net/tcp on this OS (macOS, Windows): the psutil case proves it")
    if table == "psutil":
        if not psutil_reads_processes():
            pytest.skip(
                "an empty /proc (the Docker rig's --desktop), so psutil cannot list sockets "
                "either; no real OS is like that: the /proc case proves it elsewhere"
            )
        monkeypatch.setattr(common, "PROC", Path("/no-proc-here"))

    with socket.socket(family) as listener:
        if family == socket.AF_INET6:
            listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        listener.bind((address, 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert owners.public_listener(port) is public, (address, port)


def tracked_files():
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_no_credential_in_tracked_files_beyond_the_reviewed_baseline(tmp_path):
    """detect-secrets, with .secrets.baseline: the local placeholders are the only ones.

    The hook rewrites a baseline whose line numbers moved: it gets a copy, so that a
    test run never edits a tracked file. Refresh the real one with
    `.venv/bin/detect-secrets scan --baseline .secrets.baseline` after reviewing.
    """
    baseline = tmp_path / "baseline.json"
    shutil.copy(ROOT / ".secrets.baseline", baseline)
    files = [f for f in tracked_files() if f != ".secrets.baseline"]
    proc = subprocess.run(
        [BIN / "detect-secrets-hook", "--baseline", baseline, *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    # 3: nothing new, only the line numbers of reviewed findings moved (the copy was updated).
    assert proc.returncode in (0, 3), proc.stdout + proc.stderr
    assert "Potential secrets" not in proc.stdout


def test_the_scanner_catches_a_real_looking_secret(tmp_path):
    leak = tmp_path / "config.py"
    made_up = "Zq8vR2mN5kL9xW4tY7pB3cD6"  # pragma: allowlist secret
    leak.write_text(f'db_password = "{made_up}"\n')
    proc = subprocess.run(
        [BIN / "detect-secrets-hook", "--baseline", ROOT / ".secrets.baseline", leak],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "Secret Keyword" in proc.stdout


def test_env_files_are_ignored_by_git():
    for path in (".env", "lesson-17/05/.env", "lesson-17/03/.env"):
        proc = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert proc.returncode == 0, f"{path} is not git-ignored"
    assert ".env" not in tracked_files()
