#!/usr/bin/env python3
"""Start, stop and check the lesson's three database servers.

    python3 -m tools.services up|down|status|reset|restart [mysql|dynamodb|influxdb]

With a Docker engine: `docker compose` on the top-level docker-compose.yml.
Without one: real servers started natively (MariaDB, DynamoDB Local, InfluxDB 2.8),
installed or built on first use, with data, logs and pid files in .services/.
SERVICES_ENGINE=docker|native overrides the choice. Runs in the project's virtualenv
(`make services` installs it first): probes speak each server's own protocol from
Python (PyMySQL, botocore, influxdb-client), so the host needs no database client.

One checkout owns the servers: before `up` starts or reuses one, owners.py says who
holds its port, and anyone else's server (another checkout's, the other engine's,
another program) stops `up` with one line that names it and the fix.

Each server is one object (server.py's Server; servers.py lists the three, and says
which engine runs them): the same interface here, in doctor.py, look.py and the tests.
"""

import json
import os
import shutil
import subprocess
import sys
import time

from ..platforms import command
from . import influxdb_server, mysql_server
from .common import ROOT, Fail, log
from .env_settings import checked_settings, exported_overrides, is_port, read_settings, redact
from .own_server import LOCAL_HOSTS
from .owners import holder, refusal
from .places import forget_gone_checkouts, private_state
from .servers import SERVERS, docker_engine_present, engine, record_engine

COMPOSE = ["docker", "compose", "--project-directory", str(ROOT), "--env-file", str(ROOT / ".env")]


def compose(*args):
    """`docker compose ARGS`, with the containers' settings taken from .env alone: a setting
    exported in the shell changes what the scripts use (a test worker's own database, a
    student's other bucket), never how the servers are built, since Compose would
    recreate a container whose settings changed."""
    if not (ROOT / ".env").exists():
        raise Fail(f"there is no .env: run `{command('install')}` (or cp .env.example .env)")
    exported = set(exported_overrides())
    env = {name: value for name, value in os.environ.items() if name not in exported}
    try:
        returncode = subprocess.run([*COMPOSE, *args], env=env).returncode
    except OSError as exc:
        raise Fail(f"docker compose: {exc}") from exc
    if returncode != 0:
        raise Fail(f"docker compose {' '.join(args)} failed")


def compose_ps():
    """The rows of `docker compose ps` (a JSON array, or one object a line)."""
    try:
        out = subprocess.run(
            [*COMPOSE, "ps", "--format", "json"], capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return []
    if not out:
        return []
    return json.loads(out) if out.startswith("[") else [json.loads(x) for x in out.splitlines()]


def compose_health():
    """{server: health} from `docker compose ps`."""
    return {row.get("Service"): row.get("Health") for row in compose_ps()}


def published_ports(name):
    """The host ports this checkout's container of server `name` publishes (its Publishers)."""
    rows = [row for row in compose_ps() if row.get("Service") == name]
    return sorted(
        {
            p["PublishedPort"]
            for r in rows
            for p in r.get("Publishers") or []
            if p.get("PublishedPort")
        }
    )


def check_owners(s, chosen):
    """Stop at once when a port of ours is held by anyone but this checkout's `chosen` engine.
    A server on another host (a managed MySQL named in .env) is not ours to start or check."""
    docker = chosen == "docker" or docker_engine_present()
    for server in SERVERS:
        host, port = server.address(s)
        if host not in LOCAL_HOSTS or not is_port(port):
            continue
        found = holder(port, server.daemon, chosen, docker)
        if found is not None and found.kind != "ours":
            raise Fail(refusal(server.name, port, found))


def up():
    s = checked_settings()
    chosen = engine(for_up=True)
    try:
        return _up(s, chosen)
    except influxdb_server.AdminTokenRefused as exc:
        raise Fail(f"{exc}: {influxdb_server.reset_advice(chosen)}") from None


ENGINE_WAIT = 90  # s: docker-in-docker's dockerd may still be starting (dev container)


def wait_for_engine():
    """SERVICES_ENGINE=docker (the dev container sets it, whose postStartCommand races
    the docker-in-docker feature's dockerd): wait for the engine, bounded, and never
    fall back to native."""
    deadline = time.monotonic() + ENGINE_WAIT
    while not docker_engine_present():
        if time.monotonic() > deadline:
            raise Fail(
                f"no Docker engine answered in {ENGINE_WAIT} s, and SERVICES_ENGINE=docker "
                f"rules out the native servers: start Docker, then `{command('services')}`"
            )
        log("docker", "waiting for the Docker engine to answer")
        time.sleep(3)
        docker_engine_present.cache_clear()


def _up(s, chosen):
    private_state()
    if chosen == "docker":
        wait_for_engine()
    check_owners(s, chosen)
    if chosen == "docker":
        try:
            compose("up", "-d", "--wait")
        except Fail as exc:  # say which server, and why (a volume with an old password...)
            status()
            raise Fail(f"{exc}: the lines above say which server, and the fix") from None
        record_engine(chosen)  # so that status and down find them
        prepare_all(s)
        healthy = status()
        if healthy == 0:
            claim_database(s)
            summary(s)
        return healthy
    record_engine(chosen)
    for checkout in forget_gone_checkouts():
        log("data", f"deleted the servers' data of a checkout that is gone ({checkout})")
    for server in SERVERS:
        name = server.name
        state, detail = server.probe(s)
        pid = server.daemon.pid()
        if state == "refused" and pid:
            try:  # ours: perhaps only the scripts' account or token is missing
                server.prepare(s)
                state, detail = server.probe(s)
            except Exception:  # noqa: BLE001 - then a fresh start sets everything up
                pass
        if state == "ok":
            owner = f"pid {pid}" if pid else "on another host, not started here"
            log(name, f"healthy, already running ({owner}): {server.describe(s)}")
            continue
        if state == "refused" and not pid:  # not ours: we can neither stop nor fix it
            raise Fail(
                f"{name}: a server answers at {server.describe(s)} but refuses the settings: "
                f"{detail}. It was not started by this project: make .env match it"
            )
        if pid:
            server.stop()  # ours, but not answering as .env says: start it afresh
        started = time.monotonic()
        version = server.start(s)
        seconds = time.monotonic() - started
        log(name, f"healthy in {seconds:.1f} s: {version}, {server.describe(s)}")
    prepare_all(s)
    claim_database(s)
    summary(s)
    return 0


def prepare_all(s):
    """As the operator, on servers this checkout runs: the scripts' own MySQL account and
    InfluxDB token exist, with exactly the rights they need (quick when nothing is due)."""
    for server in SERVERS:
        if server.address(s).host in LOCAL_HOSTS:
            server.prepare(s)


def claim_database(s):
    """This checkout's own MySQL holds the lesson's database: mark it so (see mysql_server.py)."""
    if s["MYSQL_HOST"] in LOCAL_HOSTS:  # a server elsewhere is not ours to mark
        mysql_server.mark_as_the_lessons(s)


def summary(s):
    """Where each server listens, in one line to copy from."""
    mysql_at = f"{s['MYSQL_HOST']}:{s['MYSQL_PORT']}"
    print(
        f"Ready: MySQL at {mysql_at}, DynamoDB Local at {s['DYNAMODB_HOST']}, "
        f"InfluxDB at {s['INFLUXDB_URL']} (settings: .env; check: {command('services-status')})"
    )


def down(*options):
    """Stop the servers; `down --volumes` (make clean) also deletes their data under Docker,
    as removing .services/ does natively."""
    if options not in ((), ("--volumes",)):
        raise Fail("down takes no option but --volumes")
    if engine(for_up=False) == "docker":
        compose("down", *options)
        if options:
            log("docker", "removed the containers and their volumes (the servers' data)")
        return 0
    for server in SERVERS:
        stopped = server.stop()
        log(server.name, "stopped" if stopped else "was not running (nothing of ours to stop)")
        if options:  # the data folder (the logs in .services/ go with `make clean`)
            shutil.rmtree(server.daemon.data, ignore_errors=True)
    return 0


LABELS = {"ok": "healthy", "refused": "REFUSES", "down": "NOT REACHABLE", "foreign": "NOT OURS",
          "root": "REFUSES ROOT"}  # fmt: skip


def status():
    s = read_settings()
    chosen = engine(for_up=False)
    bad = []
    health = compose_health() if chosen == "docker" else {}
    for server in SERVERS:
        state, detail = server.probe(s)
        if (
            chosen == "docker"
            and state in ("ok", "refused")
            and health.get(server.name) != "healthy"
        ):
            state, detail = container_trouble(server, s, health.get(server.name))
        pid = server.daemon.pid() if chosen == "native" else None
        where = f"{chosen}, pid {pid}" if pid else chosen
        log(server.name, f"{LABELS[state]:<13} {server.describe(s)} ({where})")
        if state == "foreign":  # another program holds the port: it was sent nothing
            bad.append(detail)
        elif state == "root":
            bad.append(f"{server.name}: {detail}")
        elif state == "refused":
            advice = server.reset_advice(chosen, detail)
            bad.append(f"{server.name} answers but refuses {detail}: {advice}")
        elif state == "down":
            bad.append(
                f"{server.name}: nothing answers ({detail}). Start it with: {command('services')}"
            )
    for line in bad:
        print(line, file=sys.stderr)
    if bad and exported_overrides():
        print(
            f"note: exported in your shell, overriding .env: {', '.join(exported_overrides())}",
            file=sys.stderr,
        )
    return 1 if bad else 0


ROOT_KEPT = (
    "its container is unhealthy: the healthcheck logs in as root with .env's "
    "MYSQL_ROOT_PASSWORD, and a volume keeps the one it was created with: put that one back "
    "in .env, or `docker compose down -v` (deletes its data), then `{services}`"
)


def container_trouble(server, s, health):
    """(state, detail) for a server that answers while Compose does not call this checkout's
    container healthy: another program answers (a section's own compose project, say:
    "foreign"), or MySQL's healthcheck fails as root, whose password a volume keeps from its
    creation ("root"); else it is as good as down."""
    port = server.address(s).port
    if health is None:  # no container of ours: who answers, then?
        found = holder(port, server.daemon, "docker", True)
        if found is not None and found.kind != "ours":
            return "foreign", refusal(server.name, port, found)
        return "down", "compose reports no container"
    if server.name == "mysql" and health == "unhealthy":
        return "root", ROOT_KEPT.format(services=command("services"))
    return "down", f"compose reports {health}"


def restart(*names):
    """Stop and start some servers (all by default), as a crash or an upgrade would."""
    chosen = [server for server in SERVERS if not names or server.name in names]
    if names and len(chosen) != len(set(names)):
        raise Fail(
            f"restart takes server names among {', '.join(server.name for server in SERVERS)}"
        )
    if engine(for_up=False) == "docker":
        compose("restart", *(server.name for server in chosen))
        compose("up", "-d", "--wait")
        return 0
    s = checked_settings()
    for server in chosen:
        if not server.daemon.pid():
            raise Fail(
                f"{server.name} was not started by this project: there is nothing to restart"
            )
        server.stop()
        started = time.monotonic()
        server.start(s)
        log(server.name, f"restarted, healthy in {time.monotonic() - started:.1f} s")
    return 0


def reset():
    """Empty what the lesson's scripts made; nothing is rebuilt. Only on local servers
    that this checkout started, only the lesson's own databases, tables and buckets, and
    it says what it will delete before it does."""
    s = checked_settings()
    chosen = engine(for_up=False)
    docker = chosen == "docker" or docker_engine_present()
    for server in SERVERS:
        host, port = server.address(s)
        if host not in LOCAL_HOSTS:
            raise Fail(
                f"reset deletes only on this checkout's local servers, and {server.name} is "
                f"at {server.describe(s)}: nothing was deleted"
            )
        found = holder(port, server.daemon, chosen, docker) if is_port(port) else None
        if found is not None and found.kind != "ours":
            raise Fail(f"reset refuses: {refusal(server.name, port, found)}; nothing was deleted")
        state, detail = server.probe(s)
        if state != "ok" or found is None:
            raise Fail(f"{server.name} is not ready ({detail}): run `{command('services')}` first")
    plans = [(server, server.reset_plan(s)) for server in SERVERS]
    for server, plan in plans:
        log(server.name, f"will delete: {', '.join(plan) or 'nothing'}")
    for server, plan in plans:
        log(server.name, server.reset(s, plan))
    return 0


def main(argv):
    commands = {"up": up, "down": down, "status": status, "restart": restart, "reset": reset}
    takes_more = ("restart", "down")
    if len(argv) < 2 or argv[1] not in commands or (argv[1] not in takes_more and len(argv) > 2):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        return commands[argv[1]](*argv[2:])
    except Fail as exc:
        print(redact(f"error: {exc}"), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
