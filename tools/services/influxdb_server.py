"""InfluxDB 2.8 OSS, natively: built once from the Go module proxy, then run on loopback."""

import contextlib
import json
import os
import sys
import time
from pathlib import Path

from ..platforms import command, unset_command
from .builds import apt_install, go_build, verified, which
from .common import CACHE, Fail, log, run
from .env_settings import write_env_setting
from .own_server import ensure_ours
from .places import shared_copy
from .processes import Daemon, wait_until
from .server import Server, answered, url_address

NAME = "influxdb"
MODULE, VERSION = "github.com/influxdata/influxdb/v2", "v2.8.0"  # the compose image's version
HERE = Path(__file__).resolve().parent
BINARY = CACHE / f"influxd-{VERSION}" / "influxd"
EXPECTED = "3 to 6 minutes on 2 cores"  # Go modules, libflux with cargo, then the link
daemon = Daemon(NAME)


class AdminTokenRefused(Fail):
    """INFLUXDB_ADMIN_TOKEN got 401: the server was set up with another operator token."""


def _client(s, token="INFLUXDB_TOKEN"):
    """influxdb-client's client with the scripts' token, the operator's, or none (token=None,
    for the first-time setup): only for this checkout's own server, when it is on this
    machine."""
    ensure_ours(NAME, address(s), daemon)  # no token, no set-up body to another's program
    from influxdb_client import InfluxDBClient  # here, not on top: it takes most of a second

    value = s[token] if token else None
    return InfluxDBClient(s["INFLUXDB_URL"], value, org=s["INFLUXDB_ORG"], timeout=10_000)


@contextlib.contextmanager
def _operator(s):
    """The client as the operator (INFLUXDB_ADMIN_TOKEN), whose refusal is one line."""
    with _client(s, "INFLUXDB_ADMIN_TOKEN") as client:
        from influxdb_client.rest import ApiException  # after _client: only for our server

        try:
            yield client
        except ApiException as exc:
            if exc.status == 401:
                raise AdminTokenRefused(
                    "influxdb: the server refuses INFLUXDB_ADMIN_TOKEN (it was set up with "
                    "another one)"
                ) from None
            raise


def _health_passes(client):
    from influxdb_client.service import HealthService

    return HealthService(client.api_client).get_health().status == "pass"


def _setup_allowed(client):
    """Is the server waiting for its first-time setup (no user, org or token yet)?"""
    from influxdb_client.service import SetupService

    return SetupService(client.api_client).get_setup().allowed


def _server_up(s):
    with _client(s) as client:
        return _health_passes(client)


def probe(s):
    """("ok" | "refused" | "down", detail): does it answer, and take the token, org, bucket?
    No answer at all (influxdb-client's connection errors) is "down" in Server.probe."""
    with _client(s) as client:
        from influxdb_client.rest import ApiException  # after _client: only for our server

        try:
            if not _health_passes(client):
                return "down", "/health does not pass"
        except ApiException as exc:  # starting, or another program's answer
            return "down", f"/health answered HTTP {exc.status}"
        try:
            if _setup_allowed(client):
                return (
                    "refused",
                    f"the first-time setup (not done yet: `{command('services')}` does it)",
                )
            found = client.buckets_api().find_buckets(
                name=s["INFLUXDB_BUCKET"], org=s["INFLUXDB_ORG"]
            )
        except ApiException as exc:
            if exc.status == 401:
                return "refused", "INFLUXDB_TOKEN (401 unauthorized)"
            if exc.status != 404 or not _message(exc).startswith("bucket "):
                return "refused", f"INFLUXDB_ORG (HTTP {exc.status} for org {s['INFLUXDB_ORG']!r})"
            found = None  # 404 `bucket "x" not found` (InfluxDB 2.8), not `organization name`
    if found and found.buckets:
        return "ok", ""
    return "refused", f"INFLUXDB_BUCKET (no bucket {s['INFLUXDB_BUCKET']!r} in the org)"


def _message(exc):
    """The message of InfluxDB's JSON error answer."""
    try:
        return json.loads(exc.body or "{}").get("message", "")
    except (ValueError, AttributeError):  # not JSON, or not an object: not InfluxDB's
        return ""


def buckets(s, client):
    """The org's own buckets (not the _monitoring and _tasks system ones)."""
    found = client.buckets_api().find_buckets(org=s["INFLUXDB_ORG"], limit=100).buckets
    return [b for b in found if not b.name.startswith("_")]


def lesson_buckets(s):
    """The buckets the lesson's scripts and exercises write (a test keeps this list equal to
    the bucket names in their code): `reset` deletes these and no other."""
    return (s["INFLUXDB_BUCKET"], "sensors_recent", "sensors_downsampled", "practice_analytics")


LESSON_TASKS = ("downsample sensors_recent",)  # lesson-17/05/performance_downsample.py's


def tasks(s, client):
    found = client.tasks_api().find_tasks(org=s["INFLUXDB_ORG"], limit=100)
    return [t for t in found if t.name in LESSON_TASKS]


def reset_plan(s):
    """What `reset` would delete: the lesson's buckets and tasks that exist."""
    with _operator(s) as client:
        plan = [b.name for b in buckets(s, client) if b.name in lesson_buckets(s)]
        return plan + [f"task {t.name!r}" for t in tasks(s, client)]


def make_bucket(s, name, client=None):
    """A bucket of the org, kept forever, unless it has one of that name already."""
    with contextlib.ExitStack() as stack:
        client = client or stack.enter_context(_operator(s))
        if name not in {b.name for b in buckets(s, client)}:  # no retention rule: forever
            client.buckets_api().create_bucket(bucket_name=name, org=s["INFLUXDB_ORG"])


def delete_buckets(s, names, client=None):
    with contextlib.ExitStack() as stack:
        client = client or stack.enter_context(_operator(s))
        for bucket in buckets(s, client):
            if bucket.name in names:
                client.buckets_api().delete_bucket(bucket)


def reset(s, plan):
    """Delete the lesson's buckets and tasks (the plan); create INFLUXDB_BUCKET again."""
    with _operator(s) as client:
        for task in tasks(s, client):
            if f"task {task.name!r}" in plan:
                client.tasks_api().delete_task(task.id)
        delete_buckets(s, plan, client)
        make_bucket(s, s["INFLUXDB_BUCKET"], client)
    names = ", ".join(plan) or "nothing"  # other buckets stay
    return f"deleted {names}; created {s['INFLUXDB_BUCKET']} empty"


LESSON_TOKEN = "lesson-17 scripts: the buckets and tasks of this org, nothing else"
# The scripts' token belongs to a user of their own, not to the operator: a task made
# with a token runs with its user's rights (InfluxDB 2.8's task executor asks
# FindPermissionForUser(task.OwnerID)), and the operator's user owns the instance too.
# This user owns the lesson's org only (a member may only read, so the downsampling
# task of 05 could not write its bucket), and has no password: nobody logs in as it.
SCRIPTS_USER = "lesson17-scripts"


def _scripts_user(client, org):
    """The scripts' user's id: made once, and an owner of the org (nothing else)."""
    from influxdb_client import AddResourceMemberRequestBody
    from influxdb_client.rest import ApiException
    from influxdb_client.service import OrganizationsService

    try:
        users = client.users_api().find_users(name=SCRIPTS_USER).users
    except ApiException as exc:
        if exc.status != 404:  # 404: no user of that name yet
            raise
        users = []
    user = users[0] if users else client.users_api().create_user(SCRIPTS_USER)
    orgs = OrganizationsService(client.api_client)
    owners = orgs.get_orgs_id_owners(org).users or []
    if user.id not in {owner.id for owner in owners}:
        orgs.post_orgs_id_owners(org, AddResourceMemberRequestBody(id=user.id))
    return user.id


def lesson_permissions(org_id):
    """The scripts' token: the org's buckets (their data, and new buckets such as
    performance_downsample.py's) and tasks (performance_downsample.py schedules one), and
    reading the org itself. No users, tokens, other orgs or settings."""
    from influxdb_client import Permission, PermissionResource

    return [
        Permission(action, PermissionResource(type=kind, org_id=org_id))
        for kind in ("buckets", "tasks")
        for action in ("read", "write")
    ] + [Permission("read", PermissionResource(type="orgs", id=org_id))]


def _rights(permissions):
    return sorted(
        (p.action, p.resource.type, p.resource.org_id or p.resource.id) for p in permissions
    )


def prepare(s):
    """After a start, as the operator: what the scripts need that a server lacks (their
    token, and INFLUXDB_BUCKET when .env names one the server has not got)."""
    ensure_lesson_token(s)
    make_bucket(s, s["INFLUXDB_BUCKET"])


def ensure_lesson_token(s):
    """INFLUXDB_TOKEN works and is not the operator's, or a new one is made and written
    into .env (InfluxDB makes token values itself: none can be chosen in advance)."""
    with _operator(s) as client:
        org = client.organizations_api().find_organizations(org=s["INFLUXDB_ORG"])[0].id
        user = _scripts_user(client, org)
        tokens = client.authorizations_api().find_authorizations()
        current = [a for a in tokens if s["INFLUXDB_TOKEN"] and a.token == s["INFLUXDB_TOKEN"]]
        if (
            current
            and current[0].user_id == user
            and _rights(current[0].permissions) == _rights(lesson_permissions(org))
        ):
            return  # the scripts' own, of their own user, with exactly the rights they need
        if "INFLUXDB_TOKEN" in os.environ:  # exported in the shell: .env would not be read
            raise Fail(
                "influxdb: INFLUXDB_TOKEN, exported in your shell, is refused: "
                f"`{unset_command(['INFLUXDB_TOKEN'])}`"
            )
        for old in tokens:  # an earlier token of the scripts, with other rights: retired
            if (old.description or "").startswith("lesson-17 scripts:"):
                client.authorizations_api().delete_authorization(old)
        from influxdb_client import Authorization

        made = client.authorizations_api().create_authorization(
            authorization=Authorization(
                org_id=org,
                user_id=user,
                description=LESSON_TOKEN,
                permissions=lesson_permissions(org),
            )
        )
    s["INFLUXDB_TOKEN"] = made.token
    write_env_setting("INFLUXDB_TOKEN", made.token)
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
    if detail.startswith("INFLUXDB_BUCKET"):
        return f"`{command('services')}` creates it"
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
    with _client(s, token=None) as client:
        from influxdb_client import OnboardingRequest
        from influxdb_client.service import SetupService

        if _setup_allowed(client):
            first = OnboardingRequest(
                username=s["INFLUXDB_USERNAME"],
                password=s["INFLUXDB_PASSWORD"],
                org=s["INFLUXDB_ORG"],
                bucket=s["INFLUXDB_BUCKET"],
                token=s["INFLUXDB_ADMIN_TOKEN"],
            )
            SetupService(client.api_client).post_setup(first)
            log(NAME, f"set up org {s['INFLUXDB_ORG']}, bucket {s['INFLUXDB_BUCKET']}")
    prepare(s)
    state, detail = probe(s)
    if state != "ok":
        advice = reset_advice("native", detail)
        raise Fail(f"influxdb answers but refuses the .env settings: {detail}; {advice}")
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
    """The newest points of INFLUXDB_BUCKET, through influxdb-client."""
    from influxdb_client import Dialect
    from influxdb_client.rest import ApiException
    from urllib3.exceptions import HTTPError  # influxdb-client's transport: no answer

    flux = (
        f'from(bucket: "{s["INFLUXDB_BUCKET"]}") |> range(start: 0)'
        " |> toString() |> group()"  # fields of several types cannot share one table
        f' |> sort(columns: ["_time"], desc: true) |> limit(n: {SHOWN * 4})'
    )
    with _client(s) as client:
        try:  # as CSV: times as the server writes them (query() would make them datetimes)
            answer = client.query_api().query_csv(
                flux, dialect=Dialect(header=True, annotations=[])
            )
            header, *lines = [line for line in answer if line] or [[]]
        except ApiException as exc:  # it answered, but refused or failed the request
            raise answered(NAME, exc.status, exc.reason) from None
        except HTTPError as exc:  # it went away while we looked: look.py says so
            raise ConnectionError(str(exc)) from None
    rows = [dict(zip(header, line, strict=True)) for line in lines]
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
