"""The settings, as the lesson scripts read them: .env.example, .env, the environment
(python-dotenv), and what an error line may show of them."""

import os
import re

from ..platforms import command, venv_python
from .common import ROOT, Fail
from .places import open_private


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
    settings = {**_dotenv_values(ROOT / ".env.example"), **_dotenv_values(ROOT / ".env")}
    settings.update({k: v for k, v in os.environ.items() if k in settings})
    return settings


def write_env_setting(name, value):
    """Set one line NAME=value in .env (replaced where it is, else added), keeping the
    file's other lines, comments and private mode."""
    env = ROOT / ".env"
    text = env.read_text() if env.exists() else ""
    line = f"{name}={value}"
    if re.search(rf"(?m)^{name}=", text):
        text = re.sub(rf"(?m)^{name}=.*$", lambda _: line, text)
    else:
        text = text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"
    with open_private(env) as out:
        out.write(text)


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
