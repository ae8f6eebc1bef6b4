"""MySQL protocol server, natively: MariaDB (or MySQL) in .services/mysql, on loopback."""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from ..listener_check import NO_CLEAR_TEXT
from ..platforms import command
from .builds import apt_install, which
from .common import STATE, Fail, log, run
from .env_settings import file_settings, is_port
from .own_server import ensure_ours
from .places import as_user, owned_folder, runtime_user
from .processes import Daemon, wait_until
from .server import Address, Server

NAME = "mysql"
daemon = Daemon(NAME)


def _client():
    return which("mariadb", "mysql")


def _pymysql():
    try:
        import pymysql
    except ImportError as exc:
        raise Fail(
            f"PyMySQL is missing: the service manager runs in .venv (`{command('install')}`)"
        ) from exc
    return pymysql


def _admin_socket():
    """mariadbd's unix socket, where this checkout runs it: root's password then never
    crosses TCP, where another program could be listening."""
    try:
        path = Path((daemon.dir / "socket").read_text().strip())
    except OSError:
        return None
    return path if daemon.pid() and path.is_socket() else None


def _connect(s, database=True, timeout=3, admin=False, read_timeout=None):
    """A PyMySQL connection with the settings: the same protocol the lesson speaks, so no
    mysql client is needed on the host (a laptop with Docker has none). admin: as root,
    for setting the server up (over its unix socket where it has one); otherwise as the
    scripts' own user. read_timeout: how long any answer may take (a probe's: a program
    that is no MySQL never greets). Nothing is sent to a program on a port of this
    machine that is not this checkout's server, nor a password in clear text."""
    where = {"host": s["MYSQL_HOST"], "port": int(s["MYSQL_PORT"])}
    socket_path = _admin_socket() if admin else None
    if socket_path:
        where = {"unix_socket": str(socket_path)}
    else:
        ensure_ours(NAME, address(s), daemon)
    return _pymysql().connect(
        **where,
        user="root" if admin else s["MYSQL_USER"],
        password=s["MYSQL_ROOT_PASSWORD"] if admin else s["MYSQL_PASSWORD"],
        database=s["MYSQL_DATABASE"] if database else None,
        connect_timeout=timeout,
        read_timeout=read_timeout,
        autocommit=True,
        auth_plugin_map=NO_CLEAR_TEXT,
    )


# Any text a student types, emoji included: MariaDB's built-in default, latin1, refuses
# them (1366 Incorrect string value). The server's default collation for it is kept.
UNICODE = "CHARACTER SET utf8mb4"


def _lesson_grants(s):
    """account, and the ON targets it should have: MYSQL_DATABASE and the databases named
    after it (`demo\\_%`: demo_migrations, a test worker's demo_gw0, ...), both for the
    database in use and for the one .env names (a database exported in the shell, as
    each parallel test worker has, is added to .env's, never put in its place)."""
    account = f"{_quote(s['MYSQL_USER'])}@'%'"  # under Docker, clients arrive from the bridge
    targets = []
    for database in (file_settings().get("MYSQL_DATABASE") or s["MYSQL_DATABASE"],
                     s["MYSQL_DATABASE"]):  # fmt: skip
        scratch = database.replace("_", "\\_") + "\\_%"
        targets += [t for t in (f"`{database}`.*", f"`{scratch}`.*") if t not in targets]
    return account, targets


def lesson_account_sql(s):
    """The scripts' own account: all rights on MYSQL_DATABASE and on the databases named
    after it, none on the server or on anything else. For a server that is starting (no
    client yet): everything an older .env granted is taken back first."""
    if s["MYSQL_USER"] == "root":
        return []  # an .env that keeps root: nothing to create (doctor warns)
    account, targets = _lesson_grants(s)
    return [
        f"CREATE USER IF NOT EXISTS {account} IDENTIFIED BY {_quote(s['MYSQL_PASSWORD'])};",
        f"ALTER USER {account} IDENTIFIED BY {_quote(s['MYSQL_PASSWORD'])};",
        f"REVOKE ALL PRIVILEGES, GRANT OPTION FROM {account};",  # what an older .env granted
        *(f"GRANT ALL PRIVILEGES ON {target} TO {account};" for target in targets),
    ]


def prepare(s):
    """After a start, as the operator: what the scripts need that a server lacks."""
    ensure_lesson_account(s)


def ensure_lesson_account(s):
    """As root, on a running server: the scripts' account exists, with .env's password and
    only its rights. Rights it keeps are never taken away, not even for a moment (other
    clients are using them); only grants beyond them are revoked, one by one."""
    with _connect(s, database=False, admin=True) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE IF NOT EXISTS `{s['MYSQL_DATABASE']}` {UNICODE}")
        cur.execute(f"ALTER DATABASE `{s['MYSQL_DATABASE']}` {UNICODE}")  # an older one's
        if s["MYSQL_USER"] == "root":
            return
        account, targets = _lesson_grants(s)
        password = _quote(s["MYSQL_PASSWORD"])
        cur.execute(f"CREATE USER IF NOT EXISTS {account} IDENTIFIED BY {password}")
        cur.execute(f"ALTER USER {account} IDENTIFIED BY {password}")
        for target in targets:
            cur.execute(f"GRANT ALL PRIVILEGES ON {target} TO {account}")
        cur.execute(f"SHOW GRANTS FOR {account}")
        for (grant,) in cur.fetchall():
            for revoke in _beyond(grant, targets, account):
                cur.execute(revoke)


def _beyond(grant, targets, account):
    """REVOKE statements for one line of SHOW GRANTS that gives more than `targets`."""
    found = re.match(r"GRANT (.+?) ON (\S+) TO ", grant)
    if not found:
        return []
    privileges, target = found.groups()
    if target in targets or (target == "*.*" and privileges == "USAGE"):
        return []
    statements = [f"REVOKE ALL PRIVILEGES ON {target} FROM {account}"]
    if "WITH GRANT OPTION" in grant:
        statements.append(f"REVOKE GRANT OPTION ON {target} FROM {account}")
    return statements


def probe(s):
    """("ok" | "refused" | "down", detail): does the server answer AND accept the settings?"""
    pymysql = _pymysql()
    if not is_port(s["MYSQL_PORT"]):
        return "refused", f"MYSQL_PORT (must be a number, not {s['MYSQL_PORT']!r})"
    try:
        with _connect(s, read_timeout=3) as conn, conn.cursor() as cur:
            cur.execute("SELECT 1")
            return "ok", ""
    except pymysql.err.OperationalError as exc:
        code, reason = (exc.args + ("", ""))[:2]
        if code == 1045:
            return "refused", f"MYSQL_USER/MYSQL_PASSWORD ({reason})"
        if code == 1049:
            return "refused", f"MYSQL_DATABASE (there is no database {s['MYSQL_DATABASE']!r})"
        return "down", str(reason) or f"error {code}"
    except pymysql.err.MySQLError as exc:
        return "down", str(exc)


def client_argv(s, engine, *extra):
    """The mysql/mariadb client logged in with the settings; under Docker without a client
    on this machine, the one inside the container (`docker compose exec`). The password
    goes by name through the environment (MYSQL_PWD), never on a command line: `ps`
    shows every user the command line, while the environment is readable only by the
    same user and root, who can read .env anyway. MySQL's manual still calls MYSQL_PWD
    insecure and deprecated ("End-User Guidelines for Password Security")."""
    if engine == "docker" and not _client():
        compose = ["docker", "compose", "--project-directory", str(STATE.parent)]
        login = ["-h", "127.0.0.1", "-u", s["MYSQL_USER"]]
        tty = [] if os.isatty(0) else ["-T"]  # -T: reading a pipe, not a terminal
        return [*compose, "exec", *tty, "-e", "MYSQL_PWD", "mysql", "mysql", *login, *extra]
    client = _client()
    if client is None:
        raise Fail(
            f"no mysql or mariadb client on PATH: `{command('services')}` installs one natively"
        )
    login = ["-h", s["MYSQL_HOST"], "-P", s["MYSQL_PORT"], "-u", s["MYSQL_USER"]]
    return [client, "--no-defaults", "--protocol=TCP", *login, *extra]


def reset_plan(s):
    """What `reset` would drop: the lesson's databases (MYSQL_DATABASE and its Alembic
    twin) that exist, with their table counts."""
    name = s["MYSQL_DATABASE"]
    with _connect(s, database=False, admin=True) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT schema_name, COUNT(table_name) FROM information_schema.schemata"
            " LEFT JOIN information_schema.tables ON table_schema = schema_name"
            " WHERE schema_name IN (%s, %s) GROUP BY schema_name ORDER BY schema_name",
            (name, f"{name}_migrations"),
        )
        return [f"{db} ({tables} tables)" for db, tables in cur.fetchall()]


def reset(s, plan):
    """Drop the lesson's databases (the plan) and create MYSQL_DATABASE again, empty."""
    name = s["MYSQL_DATABASE"]
    with _connect(s, database=False, admin=True) as conn, conn.cursor() as cur:
        for entry in plan:
            cur.execute(f"DROP DATABASE IF EXISTS `{entry.split(' (')[0]}`")
        cur.execute(f"CREATE DATABASE `{name}`")
    mark_as_the_lessons(s)
    return f"dropped {', '.join(plan) or 'nothing'}; created {name} empty (marked as the lesson's)"


# The mark lesson-17/03/settings.py looks for: its scripts drop and recreate their
# tables only in a database that has it (or is empty). The servers this checkout runs
# hold the lesson's database by construction, so `up` and `reset` put it there.
MARKER = "lesson17_marker"


def mark_as_the_lessons(s):
    with _connect(s) as conn, conn.cursor() as cur:
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS `{MARKER}` (note VARCHAR(200)) COMMENT "
            "'the lesson-17 scripts drop and recreate their tables in this database'"
        )


def reset_advice(engine, detail=""):
    """How to make the server take .env's credentials again. Under both engines `services`
    sets the lesson user's password and database as root (ensure_lesson_account), data
    kept. Only root's own password is fixed when a Docker volume is first set up (the
    image's entrypoint initialises an empty data directory only)."""
    fix = f"`{command('services')}` gives the lesson's user .env's password and database"
    if engine != "docker":
        return f"{fix} (it restarts our server if it must)"
    return (
        f"{fix}; if it says root is refused, the volume keeps the MYSQL_ROOT_PASSWORD it was "
        "created with: put that one back in .env, or `docker compose down -v` (deletes its data)"
    )


def address(s):
    return Address(s["MYSQL_HOST"], s["MYSQL_PORT"])


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
    if server is None:
        raise Fail("mysql: no MySQL-protocol server (mariadbd or mysqld) to start")
    return server


def _quote(value):
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _init_sql(s):
    """Run at every start: users, passwords and database follow .env. First of all, the
    install step's accounts without a password (anonymous, root@<this host>) go: a
    later statement that fails stops the file there."""
    pw = _quote(s["MYSQL_ROOT_PASSWORD"])
    here = _quote(socket.gethostname())
    lines = [f"DROP USER IF EXISTS ''@'localhost', ''@{here}, 'root'@{here};"]
    for host in ("localhost", "127.0.0.1", "::1"):  # root: for setting up, from here only
        account = f"'root'@{_quote(host)}"
        lines += [
            f"CREATE USER IF NOT EXISTS {account} IDENTIFIED BY {pw};",
            f"ALTER USER {account} IDENTIFIED BY {pw};",
            f"GRANT ALL PRIVILEGES ON *.* TO {account} WITH GRANT OPTION;",
        ]
    lines.append(f"CREATE DATABASE IF NOT EXISTS `{s['MYSQL_DATABASE']}` {UNICODE};")
    lines += lesson_account_sql(s)
    return "\n".join(lines) + "\n"


def _socket_path():
    """mariadbd's unix socket (the lesson connects over TCP). Its path has a short limit:
    where .services/mysql is too deep, a new private folder of random name in the temp
    directory holds it, so nobody can squat a predictable path first."""
    path = daemon.data / "mysqld.sock"
    if len(str(path)) > 100:
        path = Path(tempfile.mkdtemp(prefix="lesson17-mysqld-")) / "mysqld.sock"  # mode 0700
    return path


def _init_pipe(sql):
    """The read end of a pipe that holds the set-up SQL (root's and the lesson's
    passwords): mariadbd reads it as --init-file=/dev/fd/N. No file on disk, so nothing
    for another checkout's server to read, and no path where the servers' user could
    plant a link for root to follow."""
    read, write = os.pipe()
    data = sql.encode()
    if len(data) > 60000:  # a pipe holds 64 KiB before a writer waits for its reader
        raise Fail("mysql: the set-up SQL is too long for a pipe")
    os.write(write, data)
    os.close(write)
    user = runtime_user()
    if user:  # the server reopens it as /dev/fd/N: as its own user
        os.fchown(read, user[1], user[2])
    return read


def start(s):
    server = _server()
    banner = run([server, "--version"], "mysqld --version")
    mariadb = "MariaDB" in banner
    number = re.search(r"Ver (\d+\.\d+\.\d+)", banner)
    version = ("MariaDB " if mariadb else "MySQL ") + (number.group(1) if number else "?")
    data = daemon.data / "data"
    owned_folder(daemon.data)
    files = owned_folder(daemon.data / "files")  # the only folder INTO OUTFILE may write to
    user = as_user(runtime_user())  # never root: see places.py
    if not (data / "mysql").is_dir():
        log(NAME, f"initialising a data directory in {data}")
        owned_folder(data)
        if mariadb:
            install_db = which("mariadb-install-db", "mysql_install_db")
            run(
                [
                    install_db,
                    "--no-defaults",
                    f"--datadir={data}",
                    "--skip-test-db",
                    "--auth-root-authentication-method=normal",
                ],
                "mariadb-install-db",
                cwd=daemon.data,
                **user,
            )
        else:
            run(
                [server, "--no-defaults", "--initialize-insecure", f"--datadir={data}"],
                "mysqld --initialize-insecure",
                cwd=daemon.data,
                **user,
            )
    (daemon.data / "init.sql").unlink(missing_ok=True)  # older versions' file of passwords
    socket_path = _socket_path()
    argv = [
        server,
        "--no-defaults",
        f"--datadir={data}",
        f"--port={s['MYSQL_PORT']}",
        f"--bind-address={s['MYSQL_HOST']}",
        f"--socket={socket_path}",
        f"--pid-file={daemon.data / 'mysqld.server.pid'}",
        f"--secure-file-priv={files}",
        "--local-infile=0",
        "--skip-symbolic-links",  # no table files outside datadir (CREATE ... DATA DIRECTORY)
        "--character-set-server=utf8mb4",  # MariaDB's built-in default is latin1
        "--console",
    ]
    init = _init_pipe(_init_sql(s))
    try:
        daemon.start([*argv, f"--init-file=/dev/fd/{init}"], s["MYSQL_PORT"], pass_fds=(init,))
    finally:
        os.close(init)  # the server has its own copy
    (daemon.dir / "socket").write_text(f"{socket_path}\n")  # for root's set-up: _admin_socket
    wait_until(lambda: SERVER.healthy(s), 60, f"mysql ({version})", daemon)
    return version


def look(s, engine):
    """The client as a child process, waited for: interactive on a terminal, or reading
    stdin; its exit code. Not an exec: on Windows that starts the client and returns
    the prompt at once, while the client still reads the console (cpython#101191)."""
    ensure_ours(NAME, address(s), daemon)  # the client gets the password next
    argv = client_argv(s, engine, "--table", s["MYSQL_DATABASE"])
    print(
        f"MySQL at {s['MYSQL_HOST']}:{s['MYSQL_PORT']}, database {s['MYSQL_DATABASE']}: "
        "try SHOW TABLES; and quit with \\q",
        file=sys.stderr,
    )
    client = subprocess.Popen(argv, env={**os.environ, "MYSQL_PWD": s["MYSQL_PASSWORD"]})
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the client's
    try:
        return client.wait()
    finally:
        signal.signal(signal.SIGINT, previous)


SERVER = Server.of(sys.modules[__name__])
