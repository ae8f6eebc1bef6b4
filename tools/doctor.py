#!/usr/bin/env python3
"""`make doctor`: check everything the lesson needs, one line each, with the fix.

    python3 -m tools.doctor [--venv .venv]

Each line is `ok`, `warn` (works, but may surprise you) or `FAIL` (blocks the lesson),
then what was checked and, when it is not ok, the command or change that fixes it.
Exits 1 when anything FAILs. The first checks (Python, .venv, .env, lesson files) need
only the standard library, so they work when nothing else does; the settings and servers
are then checked inside .venv, with the readers and drivers the lesson itself uses.
"""

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .install import (
    MIN_PYTHON,
    published_secrets,
    python_problem,
    venv_version,
    version_mismatches,
)
from .platforms import command, emulation_note, unset_command, venv_python
from .services import influxdb_server, services
from .services.builds import compose_plugin_present, which
from .services.common import ROOT, Fail
from .services.env_settings import (
    exported_overrides,
    is_port,
    name_problems,
    read_settings,
    redact,
)
from .services.owners import holder, public_listener
from .services.processes import port_in_use
from .services.servers import SERVERS, docker_engine_present, engine

# Packages the lesson imports: a student's file of the same name in a section folder
# is imported instead of the package (`lesson-17/03/sqlalchemy.py`).
IMPORTED = (
    "sqlalchemy", "pymysql", "pynamodb", "influxdb_client", "dotenv", "alembic", "boto3",
    "botocore", "sqlite3", "matplotlib", "cryptography", "rich",
)  # fmt: skip

URL = re.compile(r"https?://[^/:\s]+(:\d+)?/?")
failed = []


def report(verdict, topic, message):
    message = redact(message)  # no secret on screen (outside .venv it cannot read them)
    print(f"{verdict:<5} {topic:<9} {message}", flush=True)
    if verdict == "FAIL":
        failed.append(topic)


def check_python():
    problem = python_problem(sys.version_info)
    version = ".".join(map(str, sys.version_info[:3]))
    if problem:
        report("FAIL", "python", problem)
    else:
        report("ok", "python", f"Python {version} ({sys.executable})")


def check_venv(venv):
    python = Path(venv_python(venv))
    if not python.exists():
        return report("FAIL", "venv", f"no virtualenv at {venv}: run `{command('install')}`")
    made_with = venv_version(str(venv))
    if made_with != tuple(sys.version_info[:2]):
        was = ".".join(map(str, made_with or ())) or "an unknown Python"
        return report(
            "FAIL", "venv", f"{venv} was made with {was}: `{command('install')}` rebuilds it"
        )
    wrong = version_mismatches(str(python), str(ROOT / "requirements.txt"))
    if wrong:
        found = ", ".join(
            f"{name} {have or 'missing'} (pinned {pinned})"
            for name, (have, pinned) in wrong.items()
        )
        return report(
            "FAIL", "venv", f"{found}: `{command('install')}` installs the pinned versions"
        )
    report("ok", "venv", f"{venv} has every pinned version of requirements.txt")
    return True


def names(path):
    """The variable names a .env file sets (`export NAME=...` included)."""
    return {
        line.split("=", 1)[0].strip().removeprefix("export ").strip()
        for line in path.read_text().splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }


def check_env_file():
    env, example = ROOT / ".env", ROOT / ".env.example"
    if not env.exists():
        return report(
            "FAIL", ".env", f"there is no .env: `{command('install')}` copies .env.example"
        )
    known = names(example)
    for name in sorted(names(env) - known):
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
        if close:
            report("FAIL", ".env", f"{name} is not a setting: did you mean {close[0]}? (ignored)")
    if os.name == "posix" and env.stat().st_mode & 0o077:
        report("warn", ".env", "other users of this machine can read it: chmod 600 .env")
    published = published_secrets(env.read_text())
    if published:
        report(
            "FAIL",
            ".env",
            f"{', '.join(published)} hold a value this repository published, which anyone "
            f"who read it knows: `{command('install')}` replaces them with random ones",
        )
    if re.search(r"(?m)^MYSQL_USER=root\s*$", env.read_text()):
        host = (re.findall(r"(?m)^MYSQL_HOST=(.*)$", env.read_text()) or ["127.0.0.1"])[-1]
        local = host.strip() in ("127.0.0.1", "localhost", "::1")
        fix = (
            f"`{command('install')}` moves .env to the lesson's own user"
            if local  # tasks.py: with_lesson_user
            else "give them a user of their own on that server"
        )
        report(
            "warn",
            ".env",
            f"MYSQL_USER is root: the scripts should not log in as the server's administrator "
            f"({fix})",
        )
    missing = sorted(known - names(env))
    if missing:
        return report("FAIL", ".env", f"lacks {', '.join(missing)}: copy them from .env.example")
    report("ok", ".env", "present, with every variable of .env.example")


def check_shadowing():
    """A file or folder named like a package the lesson imports hides that package."""
    lesson = ROOT / "lesson-17"
    for folder in sorted(
        p for p in lesson.rglob("*") if p.is_dir() and "site-packages" not in p.parts
    ):
        for name in IMPORTED:
            for path in (folder / f"{name}.py", folder / name / "__init__.py"):
                if path.exists():
                    shown = path.relative_to(ROOT)
                    report(
                        "FAIL",
                        "files",
                        f"{shown} hides the installed package {name} from the scripts in "
                        f"{folder.relative_to(ROOT)}: rename it",
                    )


def check_exported():
    names = exported_overrides()
    if names:
        report(
            "warn",
            "shell",
            f"exported, so .env's value is ignored: {', '.join(names)} "
            f"(`{unset_command(names)}` to use .env)",
        )
    else:
        report("ok", "shell", "no setting of .env is overridden by an exported variable")


def check_values(s):
    for problem in name_problems(s):
        report("FAIL", "settings", problem)
    for name in ("DYNAMODB_HOST", "INFLUXDB_URL"):
        if s[name] and not URL.fullmatch(s[name]):
            report("FAIL", "settings", f"{name} must look like http://host:port, not {s[name]!r}")
    if s["DYNAMODB_HOST"]:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            if not s[name].isalnum():
                report(
                    "FAIL",
                    "settings",
                    f"{name}={s[name]!r}: DynamoDB Local takes letters and digits only "
                    "(.env.example has a working pair)",
                )


def java_major():
    proc = subprocess.run(["java", "-version"], capture_output=True, text=True)
    found = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr)
    if not found:
        return 0
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def check_engine():
    try:
        chosen = engine(for_up=False)  # the service manager's own choice
    except Fail as exc:
        report("FAIL", "engine", str(exc))
        return "native"
    if chosen == "docker" and docker_engine_present():
        report("ok", "engine", "a Docker engine and the Compose plugin: servers run in containers")
        if emulation_note():
            report("warn", "engine", emulation_note())
        return "docker"
    if chosen == "docker":
        report(
            "FAIL", "engine", "SERVICES_ENGINE=docker, but no Docker engine with Compose answers"
        )
        return "docker"
    if shutil.which("docker") and not compose_plugin_present():
        report("warn", "engine", "a docker command without the Compose plugin: running natively")
    problems = []
    if not which("java") or java_major() < 17:
        problems.append("Java 17+ for DynamoDB Local (apt-get install openjdk-17-jre-headless)")
    if not which("mariadbd", "mysqld") and not which("apt-get"):
        problems.append("a MySQL or MariaDB server (install mariadb-server)")
    if not influxdb_server.BINARY.exists():
        for tool, package in (("go", "Go"), ("cargo", "Rust's cargo")):
            if not which(tool):
                problems.append(f"{package} to build InfluxDB once")
    if problems:
        report("FAIL", "engine", "natively, this machine lacks: " + "; ".join(problems))
    else:
        report("ok", "engine", "no Docker engine: the servers run natively (tools/services)")
    return "native"


def check_server(server, s, engine):
    name = server.name
    try:
        host, port = server.address(s)
    except ValueError:  # a port of other digits in a URL: the settings line said so
        return report("FAIL", name, f"not checked: its address in .env is not valid ({name})")
    if not is_port(port):
        return report("FAIL", name, "not checked: its port in .env is not a port number")
    state, detail = server.probe(s)
    if state == "ok" and engine == "native" and public_listener(port):
        return report(
            "warn",
            name,
            f"listens beyond 127.0.0.1 on port {port}: others on the network can reach it. "
            f"`{command('services-down')}`, then `{command('services')}` binds it to loopback "
            "(its log says why it could not)",
        )
    if state == "ok":
        return report("ok", name, f"answers and accepts the settings: {server.describe(s)}")
    if state == "foreign":  # another program on the port: it was sent nothing
        return report("FAIL", name, detail.removeprefix(f"{name}: "))
    if state == "refused":
        advice = server.reset_advice(engine, detail)
        return report("FAIL", name, f"answers, but refuses {detail}: {advice}")
    if port_in_use(port, host or "127.0.0.1"):
        found = holder(port, server.daemon, engine, engine == "docker")
        who = found.what if found else "a program"
        return report(
            "FAIL",
            name,
            f"port {port} is held by {who}, which does not answer as {name} ({detail}): "
            "stop it, or choose another port in .env",
        )
    ours = ports_of(server.daemon.pid()) if engine == "native" else None
    elsewhere = [p for p in ours or services.published_ports(name) if str(p) != str(port)]
    if elsewhere:  # ours, but on the port of an earlier .env
        return report(
            "FAIL",
            name,
            f"this checkout's {name} runs on port {', '.join(map(str, elsewhere))}, but "
            f"{asks(server)} asks for {port}: `{command('services')}` moves it there",
        )
    report("FAIL", name, f"not running ({server.describe(s)}): `{command('services')}` starts it")


PORT_SETTING = {"mysql": "MYSQL_PORT", "dynamodb": "DYNAMODB_HOST", "influxdb": "INFLUXDB_URL"}


def asks(server):
    """Where the port a server should have comes from: .env, or the shell that overrides it."""
    setting = PORT_SETTING[server.name]
    return f"{setting}, exported in your shell," if setting in exported_overrides() else ".env"


def ports_of(pid):
    """The TCP ports a process of ours listens on (psutil), [] when none can be seen."""
    if pid is None:
        return []
    import psutil

    try:
        found = psutil.Process(pid).net_connections("tcp")
    except psutil.Error:  # gone, or another user's
        return []
    return sorted({c.laddr.port for c in found if c.status == psutil.CONN_LISTEN})


def in_venv(venv):
    return Path(sys.prefix).resolve() == venv.resolve()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv")
    parser.add_argument(
        "--servers", type=int, metavar="FAILED", help="only the checks run in .venv, after FAILED"
    )
    args = parser.parse_args()
    if args.servers is None:
        minimum = ".".join(map(str, MIN_PYTHON))
        print(f"Checking what lesson 17 needs (minimum Python {minimum}):")
        check_python()
        venv_ok = check_venv(args.venv)
        check_env_file()
        check_shadowing()
        if not venv_ok:
            print(
                f"The settings and servers are checked in .venv: fix it, then `{command('doctor')}`"
            )
            return 1
        if not in_venv(args.venv):  # settings and servers: with the lesson's own readers
            python = venv_python(args.venv)
            again = [python, "-m", "tools.doctor", "--venv", str(args.venv)]
            again += ["--servers", str(len(failed))]
            return subprocess.run(again, cwd=ROOT).returncode
    check_exported()
    s = read_settings()
    check_values(s)
    engine = check_engine()
    for server in SERVERS:
        check_server(server, s, engine)
    problems = len(failed) + (args.servers or 0)
    if problems:
        print(
            f"{problems} problem(s): fix the FAIL lines above, then run `{command('doctor')}` again"
        )
        return 1
    print(f"All set: `{command('demo')}` runs every example.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
