"""MySQL protocol server, natively: MariaDB (or MySQL) in .services/mysql, on loopback."""

import hashlib
import os
import re
import subprocess
from pathlib import Path

from common import STATE, Daemon, Fail, apt_install, log, run, wait_until, which

NAME = "mysql"
daemon = Daemon(NAME)


def _client():
    return which("mariadb", "mysql")


def probe(s):
    """("ok" | "refused" | "down", detail): does the server answer AND accept the settings?"""
    client = _client()
    if client is None:
        return "down", "no mysql/mariadb client to ask it with"
    argv = [client, "--no-defaults", "--protocol=TCP", "--connect-timeout=3", "-h", s["MYSQL_HOST"]]
    argv += ["-P"]
    argv += [s["MYSQL_PORT"], "-u", s["MYSQL_USER"], "-N", "-e", "SELECT 1", s["MYSQL_DATABASE"]]
    env = dict(os.environ, MYSQL_PWD=s["MYSQL_PASSWORD"])
    try:
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        return "down", "no answer within 10 s"
    if proc.returncode == 0 and proc.stdout.strip() == "1":
        return "ok", ""
    error = " ".join(proc.stderr.split())
    if "Access denied" in error:
        return "refused", f"MYSQL_USER/MYSQL_PASSWORD ({error})"
    if "Unknown database" in error:
        return "refused", f"MYSQL_DATABASE (there is no database {s['MYSQL_DATABASE']!r})"
    return "down", error or f"exit {proc.returncode}"


def client_argv(s, engine, *extra):
    """The mysql/mariadb client logged in with the settings; under Docker without a client
    on this machine, the one inside the container (`docker compose exec`)."""
    if engine == "docker" and not _client():
        compose = ["docker", "compose", "--project-directory", str(STATE.parent)]
        password = f"MYSQL_PWD={s['MYSQL_PASSWORD']}"
        return [*compose, "exec", "-T", "-e", password, "mysql", "mysql", "-h", "127.0.0.1", *extra]
    client = _client()
    if client is None:
        raise Fail("no mysql or mariadb client on PATH: `make services` installs one natively")
    login = ["-h", s["MYSQL_HOST"], "-P", s["MYSQL_PORT"], "-u", s["MYSQL_USER"]]
    return [client, "--no-defaults", "--protocol=TCP", *login, *extra]


def sql(s, engine, statement):
    """Run statements with the client; the rows, tab-separated, one list per line."""
    env = dict(os.environ, MYSQL_PWD=s["MYSQL_PASSWORD"])
    out = run([*client_argv(s, engine, "-N", "-B"), "-e", statement], "mysql", env=env)
    return [line.split("\t") for line in out.splitlines() if line]


def reset(s, engine):
    """Drop the lesson's databases and create MYSQL_DATABASE again, empty."""
    name = s["MYSQL_DATABASE"]
    ours = [
        row[0] for row in sql(s, engine, "SHOW DATABASES") if row[0] in (name, f"{name}_migrations")
    ]
    tables = sql(
        s, engine, f"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{name}'"
    )
    statements = "".join(f"DROP DATABASE IF EXISTS `{db}`;" for db in ours)
    sql(s, engine, statements + f"CREATE DATABASE `{name}`;")
    dropped = ", ".join(ours) or "nothing"
    return f"dropped {dropped} ({tables[0][0]} tables in {name}); created {name} empty"


def healthy(s):
    """True when `SELECT 1` succeeds over TCP with the configured user and database."""
    return probe(s)[0] == "ok"


def reset_advice(engine):
    """How to make the server take .env's credentials again."""
    if engine == "docker":
        return (
            "the volume keeps the password it was created with: put that one in .env, or "
            "`docker compose down -v` (deletes its data), then `make services`"
        )
    return "`make services` restarts our server and applies .env's user, password and database"


def address(s):
    """(port, host) where the server should answer, from the settings."""
    return s["MYSQL_PORT"], s["MYSQL_HOST"]


def describe(s):
    return (
        f"{s['MYSQL_HOST']}:{s['MYSQL_PORT']} user {s['MYSQL_USER']} database {s['MYSQL_DATABASE']}"
    )


def _server():
    server = which("mariadbd", "mysqld")
    if server is None:
        log(NAME, "no mariadbd/mysqld on PATH: installing Debian's mariadb-server")
        apt_install(["mariadb-server", "mariadb-client"], "no MySQL-protocol server on PATH")
        server = which("mariadbd", "mysqld")
    if server is None or _client() is None:
        raise Fail("mysql: a server (mariadbd or mysqld) and its client are both needed")
    return server


def _quote(value):
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _init_sql(s):
    """Run at every start: users, passwords and database follow .env."""
    pw = _quote(s["MYSQL_PASSWORD"])
    lines = []
    for user in dict.fromkeys(["root", s["MYSQL_USER"]]):
        for host in ("localhost", "127.0.0.1", "::1"):
            account = f"{_quote(user)}@{_quote(host)}"
            lines += [
                f"CREATE USER IF NOT EXISTS {account} IDENTIFIED BY {pw};",
                f"ALTER USER {account} IDENTIFIED BY {pw};",
                f"GRANT ALL PRIVILEGES ON *.* TO {account} WITH GRANT OPTION;",
            ]
    lines.append(f"CREATE DATABASE IF NOT EXISTS `{s['MYSQL_DATABASE']}`;")
    return "\n".join(lines) + "\n"


def _socket_path():
    path = daemon.dir / "mysqld.sock"
    if len(str(path)) > 100:  # unix sockets have a short path limit
        digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
        path = Path("/tmp") / f"lesson17-mysqld-{digest}.sock"
    return path


def start(s):
    server = _server()
    banner = run([server, "--version"], "mysqld --version")
    mariadb = "MariaDB" in banner
    number = re.search(r"Ver (\d+\.\d+\.\d+)", banner)
    version = ("MariaDB " if mariadb else "MySQL ") + (number.group(1) if number else "?")
    data = daemon.dir / "data"
    as_root = ["--user=root"] if os.geteuid() == 0 else []
    if not (data / "mysql").is_dir():
        log(NAME, f"initialising a data directory in {data}")
        data.mkdir(parents=True, exist_ok=True)
        if mariadb:
            install_db = which("mariadb-install-db", "mysql_install_db")
            run(
                [
                    install_db,
                    "--no-defaults",
                    f"--datadir={data}",
                    "--skip-test-db",
                    "--auth-root-authentication-method=normal",
                    *as_root,
                ],
                "mariadb-install-db",
            )
        else:
            run(
                [server, "--no-defaults", "--initialize-insecure", f"--datadir={data}", *as_root],
                "mysqld --initialize-insecure",
            )
    init = daemon.dir / "init.sql"
    init.write_text(_init_sql(s))
    init.chmod(0o600)
    daemon.start(
        [
            server,
            "--no-defaults",
            f"--datadir={data}",
            f"--port={s['MYSQL_PORT']}",
            f"--bind-address={s['MYSQL_HOST']}",
            f"--socket={_socket_path()}",
            f"--pid-file={daemon.dir / 'mysqld.server.pid'}",
            f"--init-file={init}",
            "--console",
            *as_root,
        ],
        s["MYSQL_PORT"],
    )
    wait_until(lambda: healthy(s), 60, f"mysql ({version})", daemon)
    return version
