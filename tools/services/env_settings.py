"""The settings, as the lesson scripts read them: .env.example, .env, the environment
(python-dotenv), and what an error line may show of them."""

import os
import re

from ..platforms import command, venv_python
from .common import ROOT, Fail


def _dotenv_values(path):
    try:
        from dotenv import dotenv_values
    except ImportError as exc:  # run by a Python without the project's packages
        raise Fail(
            f"the service manager runs in the project's virtualenv: `{command('install')}` "
            f"makes it (or run it with {venv_python('.venv')})"
        ) from exc
    return {k: v or "" for k, v in dotenv_values(path).items()} if path.exists() else {}


def read_settings():
    """The .env.example defaults, overridden by .env, overridden by the environment.

    python-dotenv reads both files, as in every lesson script: an inline `# comment`,
    quotes and `export` mean the same to the servers and to the scripts.
    """
    settings = file_settings()
    settings.update({k: v for k, v in os.environ.items() if k in settings})
    return settings


def file_settings():
    """The settings as .env.example and .env give them, without the environment: what the
    servers are set up with. A setting exported in the shell (a test worker's own
    database, a student's other one) changes what the scripts use, never the servers'
    accounts, as under Docker, where Compose builds the containers from .env alone."""
    return {**_dotenv_values(ROOT / ".env.example"), **_dotenv_values(ROOT / ".env")}


def write_env_setting(name, value):
    """Set NAME='value' in .env with python-dotenv's set_key (replaced where it is, else
    added), keeping the file's other lines, comments and owner; readable by its owner only.
    set_key's single quotes read the same in python-dotenv and in Docker Compose's env-file
    parser (compose-go), except for a backslash (python-dotenv unescapes it, Compose keeps
    it), `${` (python-dotenv expands it, Compose does not) and a line break (line-based
    readers here): those are refused."""
    if "\\" in value or "${" in value or "\n" in value:
        raise Fail(f"{name}: a value with a backslash, ${{ or a line break is not written to .env")
    from dotenv import set_key

    env = ROOT / ".env"
    before = env.stat() if env.exists() else None
    set_key(env, name, value)  # a new file, written beside .env and moved over it
    env.chmod(0o600)  # readable by its owner only, as make install makes it
    if before and hasattr(os, "chown") and os.geteuid() == 0:  # sudo: still the user's file
        os.chown(env, before.st_uid, before.st_gid)


SECRETS = (
    "MYSQL_PASSWORD",
    "MYSQL_ROOT_PASSWORD",
    "INFLUXDB_TOKEN",
    "INFLUXDB_ADMIN_TOKEN",
    "INFLUXDB_PASSWORD",
    "AWS_SECRET_ACCESS_KEY",
)


def redact(text):
    """A message with every secret of the settings replaced by ***: a failing command or
    a server's answer may quote one, and error lines end up in chats and screenshots."""
    try:
        settings = read_settings()
    except Fail:
        return text
    for name in SECRETS:
        if len(settings.get(name) or "") >= 4:
            text = text.replace(settings[name], "***")
    return text


def exported_overrides():
    """Settings exported in the shell: they win over .env, which is easy to forget."""
    names = {**_dotenv_values(ROOT / ".env.example"), **_dotenv_values(ROOT / ".env")}
    return sorted(name for name in names if name in os.environ)


# The names .env gives the servers go into SQL and URLs as set-up and reset use them: each
# must be a plain name, and not one of the server's own (`%` would grant every database,
# `mysql` the server's accounts, which `reset` would then drop).
NAMES = {
    "MYSQL_DATABASE": r"[A-Za-z][A-Za-z0-9_]{0,52}",  # + "_migrations" stays within 64
    "MYSQL_USER": r"[A-Za-z][A-Za-z0-9_]{0,31}",
    "INFLUXDB_ORG": r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}",  # "_" first: InfluxDB's own buckets
    "INFLUXDB_BUCKET": r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}",
    "INFLUXDB_USERNAME": r"[A-Za-z][A-Za-z0-9_-]{0,63}",
}
SYSTEM_DATABASES = {"mysql", "information_schema", "performance_schema", "sys"}


def is_port(value):
    """A port number as the servers take it: ASCII digits only (str.isdigit() also takes
    "²", which int() refuses, and "３", which it reads)."""
    return str(value).isascii() and str(value).isdigit() and 0 < int(value) < 65536


def name_problems(s):
    """One line for each name or port setting that the servers must not be given."""
    problems = []
    for name in ("MYSQL_PORT", "DYNAMODB_PORT", "INFLUXDB_PORT"):
        if name in s and not is_port(s[name]):
            problems.append(f"{name}={s[name]!r} is not a port number (1 to 65535, digits 0-9)")
    for name, pattern in NAMES.items():
        value = s.get(name, "")
        if not re.fullmatch(pattern, value):
            problems.append(
                f"{name}={value!r} is not a plain name: letters, digits and _ only, starting "
                "with a letter (InfluxDB's also - and a digit first)"
            )
    if s.get("MYSQL_DATABASE", "").lower() in SYSTEM_DATABASES:
        problems.append(f"MYSQL_DATABASE={s['MYSQL_DATABASE']!r} is the server's own database")
    return problems


def checked_settings():
    """read_settings(), refused in one line when a name would reach past the lesson."""
    s = read_settings()
    problems = name_problems(s)
    if problems:
        raise Fail(f"{problems[0]}: fix it in .env; nothing was changed")
    return s
