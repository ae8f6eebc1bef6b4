"""MySQL settings of section 03, from the environment or .env, never written into code.

Imported by the scripts of this folder; reading it contacts no server. What it promises
the scripts, so that they need not say it each time:
- a missing or malformed setting ends the script with one line naming it (secret, port,
  tls), and so does a server that is down or refuses the login (one_line_errors);
- every line says where the value came from: .env, the shell, or the default (where);
- the scripts touch only a database that is the lesson's (only_the_lessons_database);
- SQL_ECHO=1 shows the statements the lesson sends, on stderr, not the dialect's own.
"""

import logging
import os
import platform
import re
import runpy
import socket
import ssl
import sys
from contextlib import contextmanager
from pathlib import Path

from dotenv import dotenv_values, find_dotenv, load_dotenv
from sqlalchemy import URL, Engine, NullPool, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import Pool

EXPORTED = frozenset(os.environ)  # names exported before .env is read: they win over .env
load_dotenv()  # reads .env into os.environ; contacts nothing


def task(name):
    """A command of the repository root as this OS types it: `make NAME`, or in Windows'
    PowerShell, which has no make, `py tasks.py NAME`."""
    return f"py tasks.py {name}" if platform.system() == "Windows" else f"make {name}"


HOW_TO_START = f"Start it with `{task('services')}` (from the repository root)."
# Is a server on this machine this checkout's own? Asked before a password, key or token is
# sent, by one check for every section: the checkout's tools/listener_check.py (standard
# library only). A section copied out of the checkout has none, and no servers of its own.
CHECK = Path(__file__).resolve().parents[2] / "tools" / "listener_check.py"
OWN_SERVER = runpy.run_path(str(CHECK)) if CHECK.is_file() else {"refusal": lambda *at: None}


class LessonStatements(logging.Filter):
    """For SQL_ECHO=1 on a projector: the statements the lesson sends. Left out: the
    questions the MySQL dialect asks the server when it first connects (SELECT
    DATABASE(), @@sql_mode, ...) and the parameter lines of statements without any."""

    STARTUP = ("SELECT DATABASE()", "SELECT @@", "SHOW VARIABLES")

    def filter(self, record):
        text = record.getMessage()
        no_parameters = re.fullmatch(r"\[[^\]]*\] (\{\}|\(\))", text)
        return not (text.startswith(self.STARTUP) or no_parameters)


if os.getenv("SQL_ECHO") == "1":  # show a class every statement, on stderr: SQL_ECHO=1
    logging.basicConfig(format="%(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(LessonStatements())
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)


def where(name):
    """Where a setting came from, for error messages."""
    if name in EXPORTED:
        return f"{name} (exported in your shell, which overrides .env)"
    return f"{name} in .env" if name in dotenv_values(find_dotenv()) else f"{name} (default)"


def secret(name):
    """A password from the environment or .env. It has no default in the code: a missing
    one is a one-line error that says where it comes from."""
    value = os.getenv(name)
    if not value:
        sys.exit(f"error: {name} is not set: `{task('install')}` writes it into .env at the root")
    return value


def port():
    value = os.getenv("MYSQL_PORT", "3306")
    if not (value.isascii() and value.isdigit()):  # not ² or ３: int() fails or misleads
        sys.exit(f"error: {where('MYSQL_PORT')} must be a port number such as 3306, not {value!r}")
    return int(value)


def tls():
    """The URL's query for TLS: MYSQL_SSL_CA, the path of a CA certificate, turns on TLS
    with the server's certificate checked against it, as a managed MySQL asks for."""
    ca = os.getenv("MYSQL_SSL_CA")
    if ca and not os.path.isfile(ca):
        sys.exit(f"error: {where('MYSQL_SSL_CA')} names no file: {ca!r}")
    try:  # what the driver will load: a file that holds no certificate is one line here
        if ca:
            ssl.create_default_context(cafile=ca)
    except ssl.SSLError as exc:
        sys.exit(f"error: {where('MYSQL_SSL_CA')} holds no CA certificate (PEM): {exc.reason}")
    return {"ssl_ca": ca} if ca else {}


def database_url(database=None):
    """The SQLAlchemy URL of the configured server, as main.py builds it;
    `database` overrides MYSQL_DATABASE."""
    return URL.create(
        "mysql+pymysql",
        username=os.getenv("MYSQL_USER", "lesson"),
        password=secret("MYSQL_PASSWORD"),
        host=os.getenv("MYSQL_HOST", "127.0.0.1"),
        port=port(),
        database=database or os.getenv("MYSQL_DATABASE", "demo"),
        query=tls(),
    )


@event.listens_for(Engine, "do_connect")
def only_our_own_server(dialect, connection_record, cargs, cparams):
    """Before each login: not to another user's program on a port of this machine, and
    never with the password in clear text, whatever plugin the server asks for."""
    if dialect.driver != "pymysql":
        return  # SQLite (performance_indexing.py): a file, no password
    problem = OWN_SERVER["refusal"]("mysql", cparams.get("host"), cparams.get("port"))
    if problem:
        sys.exit(f"error: MySQL at {cparams.get('host')}:{cparams.get('port')}: {problem}")
    cparams["auth_plugin_map"] = OWN_SERVER.get("NO_CLEAR_TEXT", {})


# The scripts drop and recreate their tables (user, users, ...) in MYSQL_DATABASE. So
# they work only in a database that is the lesson's: empty (they mark it then), or
# marked by an earlier run. A database with other tables is somebody's data: nothing is
# touched, and one line says why. Checked once per engine, on its first connection.
MARKER = "lesson17_marker"
MIGRATION_TABLES = {"alembic_version", "user", "address", "users"}  # advanced_migrate.py's own


@event.listens_for(Pool, "first_connect")
def only_the_lessons_database(dbapi_connection, connection_record):
    if not type(dbapi_connection).__module__.startswith("pymysql"):
        return  # SQLite (performance_indexing.py): a file of the lesson's own
    with dbapi_connection.cursor() as cur:
        cur.execute("SELECT DATABASE()")
        (database,) = cur.fetchone()
        if database is None or database.endswith("_migrations"):
            return  # no database chosen; advanced_migrate.py's own one: see create_database
        cur.execute("SHOW TABLES")
        tables = sorted(row[0] for row in cur.fetchall())
        if not tables:
            cur.execute(
                f"CREATE TABLE `{MARKER}` (note VARCHAR(200)) COMMENT "
                "'the lesson-17 scripts drop and recreate their tables in this database'"
            )
        elif MARKER not in tables:
            shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
            sys.exit(
                f"error: database {database!r} is not the lesson's: it holds other tables "
                f"({shown}), and these scripts drop and recreate theirs. Nothing was touched. "
                f"Set {where('MYSQL_DATABASE')} to a new, empty database (the lesson's own "
                f"servers mark theirs: `{task('services')}`)"
            )


def create_database(name, fresh=False):
    """Create a database on the configured server (dropped first when fresh); its URL.
    A fresh one replaces only a database that holds nothing but advanced_migrate.py's tables."""
    server = database_url()
    with one_line_errors(server), create_engine(server, poolclass=NullPool).begin() as conn:
        if fresh:
            found = conn.execute(
                text("SELECT table_name FROM information_schema.tables WHERE table_schema = :d"),
                {"d": name},
            )
            others = sorted({row[0] for row in found} - MIGRATION_TABLES)
            if others:
                sys.exit(
                    f"error: database {name!r} holds tables advanced_migrate.py did not make "
                    f"({', '.join(others[:5])}): it was not dropped. Drop or rename it yourself"
                )
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        conn.execute(text(f"CREATE DATABASE IF NOT EXISTS `{name}`"))
    return database_url(database=name)


@contextmanager
def one_line_errors(url):
    """Inside this block, a MySQL error (OperationalError) ends the script with one line."""
    try:
        yield
    except OperationalError as exc:
        exit_unreachable(url, exc)


def why_not_found(error):
    """Why a host name did not resolve, by the resolver's error code, not its wording
    (glibc, macOS and Windows each word it differently)."""
    offline = {getattr(socket, n, None) for n in ("EAI_AGAIN", "EAI_FAIL")} - {None}
    if getattr(error, "errno", None) in offline:
        return "no name server answered: are you offline?"
    return "no such name"


def exit_unreachable(url, exc):
    """Turn a connection failure (sqlalchemy OperationalError) into one line and exit 1."""
    code, reason = (exc.orig.args + ("", ""))[:2]
    server = f"MySQL at {url.host}:{url.port}"
    if code == 1045:  # access denied: the server answers, but not to these credentials
        sys.exit(
            f"error: {server} refused the login: {reason}. Check {where('MYSQL_USER')} and "
            f"{where('MYSQL_PASSWORD')}: `{task('services')}` (from the repository root) gives "
            "the lesson's user the password in .env"
        )
    if code == 1044:  # the user may not use it (MySQL does not say whether it exists)
        sys.exit(
            f"error: {server} does not let {url.username!r} use database {url.database!r}: "
            f"check {where('MYSQL_DATABASE')}: the lesson's user may use only the lesson's "
            "database and those named after it"
        )
    if code == 1049:  # unknown database
        sys.exit(
            f"error: {server} has no database {url.database!r}. Check {where('MYSQL_DATABASE')}"
            f", or create it: CREATE DATABASE `{url.database}`"
        )
    lookup = getattr(exc.orig, "original_exception", None)  # PyMySQL keeps the OSError
    if code == 2005 or isinstance(lookup, socket.gaierror):  # the name did not resolve
        sys.exit(
            f"error: cannot find the host {url.host!r} ({why_not_found(lookup)}): "
            f"check {where('MYSQL_HOST')}"
        )
    if code == 2003 and "[SSL" in str(reason):  # the TLS handshake, e.g. an unknown CA
        sys.exit(f"error: TLS to {server} failed ({reason}). Check {where('MYSQL_SSL_CA')}")
    if code in (2002, 2003, 2006, 2013):  # no server there, or it went away
        sys.exit(f"error: cannot reach {server} ({reason}). {HOW_TO_START}")
    sys.exit(f"error: {server} refused a statement: {code} {reason}")
