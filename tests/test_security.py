"""Security: servers listen on loopback only, no credential is committed, .env stays local."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from utils.engine import engine
from utils.paths import ROOT
from utils.settings import SETTINGS

BIN = Path(sys.executable).parent


def listening_addresses(port):
    """The local addresses of the sockets listening on `port`, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, state = fields[1], fields[3]
            if state != "0A":  # LISTEN
                continue
            host, port_hex = address.rsplit(":", 1)
            if int(port_hex, 16) == int(port):
                found.add(decode(host))
    return found


def decode(host):
    """/proc's hex address (little-endian words) as text."""
    raw = bytes.fromhex(host)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    if len(words) == 4:
        return ".".join(str(b) for b in words)
    if words[:12] == b"\0" * 10 + b"\xff\xff":  # an IPv4 address in IPv6 form
        return ".".join(str(b) for b in words[12:])
    return "::1" if words == b"\0" * 15 + b"\1" else words.hex()


def is_loopback(address):
    return address.startswith("127.") or address == "::1"


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
    ports = {
        "mysql": SETTINGS["MYSQL_PORT"],
        "influxdb": SETTINGS["INFLUXDB_PORT"],
        "dynamodb": SETTINGS["DYNAMODB_PORT"],
    }
    native = engine() == "native"
    for name, port in ports.items():
        addresses = listening_addresses(port) if native else published_addresses(name, port)
        assert addresses, f"nothing listens on {name}'s port {port}"
        assert all(map(is_loopback, addresses)), f"{name} listens on {addresses}"


def test_the_loopback_check_can_tell_a_public_listener():
    assert decode("0100007F") == "127.0.0.1" and is_loopback("127.0.0.1")
    assert decode("00000000") == "0.0.0.0" and not is_loopback("0.0.0.0")
    assert decode("00000000000000000000000001000000") == "::1"


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
