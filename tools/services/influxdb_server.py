"""InfluxDB 2.8 OSS, natively: built once from the Go module proxy, then run on loopback."""

import csv
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from ..platforms import command, unset_command
from .builds import apt_install, go_build, verified, which
from .common import CACHE, Fail, log, run
from .env_settings import write_env_setting
from .own_server import ensure_ours
from .places import shared_copy
from .processes import Daemon, wait_until
from .server import Server, url_address

NAME = "influxdb"
MODULE, VERSION = "github.com/influxdata/influxdb/v2", "v2.8.0"  # the compose image's version
HERE = Path(__file__).resolve().parent
BINARY = CACHE / f"influxd-{VERSION}" / "influxd"
EXPECTED = "3 to 6 minutes on 2 cores"  # Go modules, libflux with cargo, then the link
daemon = Daemon(NAME)


class AdminTokenRefused(Fail):
    """INFLUXDB_ADMIN_TOKEN got 401: the server was set up with another operator token."""


def _api(s, method, path, body=None, token=True, admin=False):
    """A call to InfluxDB's HTTP API: with the scripts' token, or the operator's (admin)."""
    try:
        return _call(s, method, path, body, token, admin)
    except urllib.error.HTTPError as exc:
        if admin and exc.code == 401:
            raise AdminTokenRefused(
                "influxdb: the server refuses INFLUXDB_ADMIN_TOKEN (it was set up with another one)"
            ) from None
        raise


def _call(s, method, path, body, token, admin):
    ensure_ours(NAME, address(s), daemon)  # no token, no set-up body to another's program
    headers = {"Content-Type": "application/json"}
    if token:
        name = "INFLUXDB_ADMIN_TOKEN" if admin else "INFLUXDB_TOKEN"
        headers["Authorization"] = f"Token {s[name]}"
    data = json.dumps(body).encode() if body is not None else None
    url = s["INFLUXDB_URL"].rstrip("/") + path
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = resp.read()
        return json.loads(body) if body else {}


def _server_up(s):
    return _api(s, "GET", "/health", token=False).get("status") == "pass"


def probe(s):
    """("ok" | "refused" | "down", detail): does it answer, and take the token, org, bucket?"""
    try:
        if not _server_up(s):
            return "down", "/health does not pass"
        if _api(s, "GET", "/api/v2/setup", token=False).get("allowed"):
            return (
                "refused",
                f"the first-time setup (not done yet: `{command('services')}` does it)",
            )
        query = f"/api/v2/buckets?name={quote(s['INFLUXDB_BUCKET'])}&org={quote(s['INFLUXDB_ORG'])}"
        if _api(s, "GET", query).get("buckets"):
            return "ok", ""
        return "refused", f"INFLUXDB_BUCKET (no bucket {s['INFLUXDB_BUCKET']!r} in the org)"
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            return "refused", "INFLUXDB_TOKEN (401 unauthorized)"
        return "refused", f"INFLUXDB_ORG (HTTP {exc.code} for org {s['INFLUXDB_ORG']!r})"
    except (OSError, ValueError) as exc:
        return "down", str(getattr(exc, "reason", exc))


def buckets(s):
    """The org's own buckets (not the _monitoring and _tasks system ones)."""
    path = f"/api/v2/buckets?org={quote(s['INFLUXDB_ORG'])}&limit=100"
    found = _api(s, "GET", path, admin=True)["buckets"]
    return [b for b in found if not b["name"].startswith("_")]


def lesson_buckets(s):
    """The buckets the lesson's scripts and exercises write (a test keeps this list equal to
    the bucket names in their code): `reset` deletes these and no other."""
    return (s["INFLUXDB_BUCKET"], "sensors_recent", "sensors_downsampled", "practice_analytics")


LESSON_TASKS = ("downsample sensors_recent",)  # lesson-17/05/performance_downsample.py's


def tasks(s):
    found = _api(s, "GET", f"/api/v2/tasks?org={quote(s['INFLUXDB_ORG'])}&limit=100", admin=True)
    return [t for t in found["tasks"] if t["name"] in LESSON_TASKS]


def reset_plan(s):
    """What `reset` would delete: the lesson's buckets and tasks that exist."""
    plan = [b["name"] for b in buckets(s) if b["name"] in lesson_buckets(s)]
    return plan + [f"task {t['name']!r}" for t in tasks(s)]


def make_bucket(s, name):
    """A bucket of the org, kept forever, unless it has one of that name already."""
    if name not in {b["name"] for b in buckets(s)}:
        body = {"name": name, "orgID": _org_id(s), "retentionRules": []}
        _api(s, "POST", "/api/v2/buckets", body, admin=True)


def delete_buckets(s, names):
    for bucket in buckets(s):
        if bucket["name"] in names:
            _api(s, "DELETE", f"/api/v2/buckets/{bucket['id']}", admin=True)


def reset(s, plan):
    """Delete the lesson's buckets and tasks (the plan); create INFLUXDB_BUCKET again."""
    for task in tasks(s):
        if f"task {task['name']!r}" in plan:
            _api(s, "DELETE", f"/api/v2/tasks/{task['id']}", admin=True)
    delete_buckets(s, plan)
    make_bucket(s, s["INFLUXDB_BUCKET"])
    names = ", ".join(plan) or "nothing"  # other buckets stay
    return f"deleted {names}; created {s['INFLUXDB_BUCKET']} empty"


def _org_id(s):
    return _api(s, "GET", f"/api/v2/orgs?org={quote(s['INFLUXDB_ORG'])}", admin=True)["orgs"][0][
        "id"
    ]


LESSON_TOKEN = "lesson-17 scripts: the buckets and tasks of this org, nothing else"
# The scripts' token belongs to a user of their own, not to the operator: a task made
# with a token runs with its user's rights (InfluxDB 2.8's task executor asks
# FindPermissionForUser(task.OwnerID)), and the operator's user owns the instance too.
# This user owns the lesson's org only (a member may only read, so the downsampling
# task of 05 could not write its bucket), and has no password: nobody logs in as it.
SCRIPTS_USER = "lesson17-scripts"


def _scripts_user(s, org):
    """The scripts' user's id: made once, and an owner of the org (nothing else)."""
    try:
        users = _api(s, "GET", f"/api/v2/users?name={quote(SCRIPTS_USER)}", admin=True)["users"]
    except urllib.error.HTTPError as exc:
        if exc.code != 404:  # 404: no user of that name yet
            raise
        users = []
    made = {"name": SCRIPTS_USER}
    user = users[0] if users else _api(s, "POST", "/api/v2/users", made, admin=True)
    owners = _api(s, "GET", f"/api/v2/orgs/{org}/owners", admin=True).get("users") or []
    if user["id"] not in {owner["id"] for owner in owners}:
        _api(s, "POST", f"/api/v2/orgs/{org}/owners", {"id": user["id"]}, admin=True)
    return user["id"]


def lesson_permissions(org_id):
    """The scripts' token: the org's buckets (their data, and new buckets such as
    performance_downsample.py's) and tasks (performance_downsample.py schedules one), and
    reading the org itself. No users, tokens, other orgs or settings."""
    return [
        {"action": action, "resource": {"type": kind, "orgID": org_id}}
        for kind in ("buckets", "tasks")
        for action in ("read", "write")
    ] + [{"action": "read", "resource": {"type": "orgs", "id": org_id}}]


def _rights(permissions):
    return sorted(
        (p["action"], p["resource"]["type"], p["resource"].get("orgID") or p["resource"].get("id"))
        for p in permissions
    )


def prepare(s):
    """After a start, as the operator: what the scripts need that a server lacks."""
    ensure_lesson_token(s)


def ensure_lesson_token(s):
    """INFLUXDB_TOKEN works and is not the operator's, or a new one is made and written
    into .env (InfluxDB makes token values itself: none can be chosen in advance)."""
    org = _org_id(s)
    user = _scripts_user(s, org)
    tokens = _api(s, "GET", "/api/v2/authorizations", admin=True)["authorizations"]
    current = [a for a in tokens if s["INFLUXDB_TOKEN"] and a.get("token") == s["INFLUXDB_TOKEN"]]
    if (
        current
        and current[0].get("userID") == user
        and _rights(current[0]["permissions"]) == _rights(lesson_permissions(org))
    ):
        return  # the scripts' own, of their own user, with exactly the rights they need
    if "INFLUXDB_TOKEN" in os.environ:  # exported in the shell: .env would not be read
        raise Fail(
            "influxdb: INFLUXDB_TOKEN, exported in your shell, is refused: "
            f"`{unset_command(['INFLUXDB_TOKEN'])}`"
        )
    for old in tokens:  # an earlier token of the scripts, with other rights: retired
        if old.get("description", "").startswith("lesson-17 scripts:"):
            _api(s, "DELETE", f"/api/v2/authorizations/{old['id']}", admin=True)
    made = _api(
        s,
        "POST",
        "/api/v2/authorizations",
        {
            "orgID": org,
            "userID": user,
            "description": LESSON_TOKEN,
            "permissions": lesson_permissions(org),
        },
        admin=True,
    )
    s["INFLUXDB_TOKEN"] = made["token"]
    write_env_setting("INFLUXDB_TOKEN", made["token"])
    log(
        NAME,
        f"made the scripts' token (user {SCRIPTS_USER}: the org's buckets and tasks only), "
        "wrote it into .env",
    )


def reset_advice(engine, detail="INFLUXDB_ADMIN_TOKEN"):
    """How to make the server take .env's settings, for the setting it refused (`detail`,
    as probe() says it). The scripts' token is made anew by `services` without losing a
    point; only the operator's token, fixed when the data was created, needs a reset."""
    if detail.startswith("INFLUXDB_TOKEN") and "INFLUXDB_TOKEN" in os.environ:
        unset = unset_command(["INFLUXDB_TOKEN"])
        return f"INFLUXDB_TOKEN is exported in your shell: `{unset}` to use .env's"
    if detail.startswith(("INFLUXDB_TOKEN", "the first-time setup")):
        return f"`{command('services')}` makes the scripts' own token and writes it into .env"
    if engine == "docker":
        return (
            "the volume keeps the token it was set up with: put that one in .env, or "
            f"`docker compose down -v` (deletes its data), then `{command('services')}`"
        )
    return (
        f"{daemon.data} keeps the token it was set up with: put that one in .env, or reset "
        f"it: {command('services-down')} && rm -rf {daemon.data} && {command('services')}"
    )


def address(s):
    return url_address(s["INFLUXDB_URL"], 8086)


def describe(s):
    return f"{s['INFLUXDB_URL']} org {s['INFLUXDB_ORG']} bucket {s['INFLUXDB_BUCKET']}"


def _rust_toolchain():
    """flux pins Rust 1.72, which rustup cannot fetch offline: use an installed toolchain."""
    if os.getenv("RUSTUP_TOOLCHAIN") or not which("rustup"):
        return os.getenv("RUSTUP_TOOLCHAIN")
    installed = run(["rustup", "toolchain", "list"], "rustup toolchain list").split()
    return "stable" if any(t.startswith("stable") for t in installed) else installed[0]


def _prepare(src, work):
    """libflux (Rust) is built by cargo, through influxdata's pkg-config wrapper."""
    run(
        ["go", "build", "-o", str(work / "pkg-config"), "github.com/influxdata/pkg-config"],
        "go build pkg-config",
        progress=(NAME, "building influxdata's pkg-config wrapper", EXPECTED),
        cwd=src,
    )
    env = {"PKG_CONFIG": str(work / "pkg-config")}
    env["RUSTC_WRAPPER"] = str(HERE / "rustc-cap-lints")  # flux denies newer Rust's warnings
    toolchain = _rust_toolchain()
    if toolchain:
        env["RUSTUP_TOOLCHAIN"] = toolchain
    return env


def build():
    """influxd without the UI (no `assets` tag), as `make` in the InfluxDB repository builds it."""
    if not which("cargo"):
        raise Fail(f"influxdb: building InfluxDB {VERSION} needs Rust's cargo on PATH")
    if not which("pkg-config"):  # influxdata's wrapper hands other libraries to the real one
        apt_install(["pkg-config"], "building InfluxDB needs pkg-config")
    log(NAME, f"building influxd {VERSION} from the Go module proxy into {BINARY} (once)")
    started = time.monotonic()
    go_build(
        MODULE,
        VERSION,
        "./cmd/influxd",
        BINARY,
        _prepare,
        flags=["-tags", "sqlite_foreign_keys,sqlite_json"],
        name=NAME,
        expected=EXPECTED,
    )
    log(NAME, f"built influxd in {time.monotonic() - started:.0f} s")


def _setup(s):
    """Onboard once (user, org, bucket, token from .env); later starts check the token."""
    if _api(s, "GET", "/api/v2/setup", token=False).get("allowed"):
        _api(
            s,
            "POST",
            "/api/v2/setup",
            token=False,
            body={
                "username": s["INFLUXDB_USERNAME"],
                "password": s["INFLUXDB_PASSWORD"],
                "org": s["INFLUXDB_ORG"],
                "bucket": s["INFLUXDB_BUCKET"],
                "token": s["INFLUXDB_ADMIN_TOKEN"],
            },
        )
        log(NAME, f"set up org {s['INFLUXDB_ORG']}, bucket {s['INFLUXDB_BUCKET']}")
    ensure_lesson_token(s)
    state, detail = probe(s)
    if state != "ok":
        raise Fail(
            f"influxdb answers but refuses the .env settings: {detail}; {reset_advice('native')}"
        )
    return True


def start(s):
    if not BINARY.exists():
        build()
    binary = shared_copy(verified(BINARY))  # as root: a copy its user can run
    data = daemon.data
    port = address(s).port
    daemon.start(
        [
            str(binary),
            f"--bolt-path={data / 'influxd.bolt'}",
            f"--engine-path={data / 'engine'}",
            f"--sqlite-path={data / 'influxd.sqlite'}",
            f"--http-bind-address=127.0.0.1:{port}",
            "--reporting-disabled",
            # Flux's sql.from and http.* may reach only public addresses: no file of the
            # server's (sqlite3 DSNs have no host), nothing on this machine or its network
            "--hardening-enabled",
            "--template-file-urls-disabled",  # no template read from the server's files
            "--metrics-disabled",  # /metrics and /debug/pprof answer without a token
            "--pprof-disabled",
        ],
        port,
    )
    wait_until(lambda: _server_up(s), 60, "influxdb", daemon)
    _setup(s)
    return f"InfluxDB {VERSION}"


SHOWN = 5  # what a look shows: items per table, points per bucket


WEB_UI = {
    "docker": "its web UI is at {url} too: log in with .env's INFLUXDB_USERNAME and PASSWORD",
    "native": "the native build has no web UI; this is the command-line look",
}


def look(s, engine):
    """The newest points of INFLUXDB_BUCKET, through the HTTP API."""
    flux = (
        f'from(bucket: "{s["INFLUXDB_BUCKET"]}") |> range(start: 0)'
        " |> toString() |> group()"  # fields of several types cannot share one table
        f' |> sort(columns: ["_time"], desc: true) |> limit(n: {SHOWN * 4})'
    )
    body = json.dumps({"query": flux, "dialect": {"annotations": []}}).encode()
    url = f"{s['INFLUXDB_URL'].rstrip('/')}/api/v2/query?org={quote(s['INFLUXDB_ORG'])}"
    headers = {
        "Authorization": f"Token {s['INFLUXDB_TOKEN']}",
        "Content-Type": "application/json",
        "Accept": "application/csv",
    }
    ensure_ours(NAME, address(s), daemon)
    with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=30) as resp:
        rows = list(csv.DictReader(resp.read().decode().splitlines()))
    note = WEB_UI[engine].format(url=s["INFLUXDB_URL"])
    print(
        f"InfluxDB at {s['INFLUXDB_URL']}, bucket {s['INFLUXDB_BUCKET']}: the newest "
        f"{len(rows)} values ({note})"
    )
    for row in rows:
        skip = ("result", "table", "")
        tags = [f"{k}={v}" for k, v in row.items() if k not in skip and k[0] != "_" and v]
        series = ",".join([row["_measurement"], *tags])
        print(f"  {row['_time']}  {series}  {row['_field']}={row['_value']}")


SERVER = Server.of(sys.modules[__name__])
