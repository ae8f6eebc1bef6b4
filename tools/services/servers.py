"""The lesson's three servers, in the order they start, and which engine runs them."""

import functools
import os
import subprocess

from ..platforms import native_refusal
from . import dynamodb_server, influxdb_server, mysql_server
from .builds import compose_plugin_present
from .common import STATE, Fail

SERVERS = (mysql_server.SERVER, dynamodb_server.SERVER, influxdb_server.SERVER)
ENGINE_FILE = STATE / "engine"  # what `up` chose, so that status and down find them


def by_name(name):
    return next(server for server in SERVERS if server.name == name)


@functools.cache  # `docker info` may take seconds: asked once a run
def docker_engine_present():
    try:
        info = subprocess.run(["docker", "info"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return info.returncode == 0 and compose_plugin_present()


def record_engine(chosen):
    """Write what `up` chose, whole or not at all: a parallel `up` rewrites it while other
    commands read it, and a half-written (empty) file was read as SERVICES_ENGINE=''."""
    partial = ENGINE_FILE.with_name(f"engine.{os.getpid()}")
    partial.write_text(chosen)
    os.replace(partial, ENGINE_FILE)


def engine(for_up):
    """docker or native: SERVICES_ENGINE, else (not for `up`) what `up` chose, else
    Docker when an engine with Compose answers."""
    chosen = os.getenv("SERVICES_ENGINE", "auto")
    if chosen == "auto" and not for_up and ENGINE_FILE.exists():
        chosen = ENGINE_FILE.read_text().strip()  # stop or check what `up` started
    if chosen == "auto":
        chosen = "docker" if docker_engine_present() else "native"
    if chosen not in ("docker", "native"):
        raise Fail(f"SERVICES_ENGINE must be docker, native or auto, not {chosen!r}")
    if chosen == "native" and native_refusal():
        raise Fail(native_refusal())
    return chosen
