"""Which engine runs the servers: what `make services` recorded in .services/engine."""

import math
import re

from utils.paths import ROOT

ENGINE_FILE = ROOT / ".services" / "engine"


def engine():
    """ "docker" or "native" (natively when nothing was recorded)."""
    return ENGINE_FILE.read_text().strip() if ENGINE_FILE.exists() else "native"


def healthcheck_logins(seconds):
    """How many logins, at most, other than the test's own, a MySQL server counts in
    `seconds`: under Docker the container's healthcheck logs in once per interval (as root,
    so the server's Connections counter counts it too); natively nothing else does."""
    if engine() != "docker":
        return 0
    compose = (ROOT / "lesson-17" / "03" / "docker-compose.yml").read_text()
    interval = float(re.search(r"^\s+interval: (\d+(?:\.\d+)?)s$", compose, re.M)[1])
    return math.ceil(seconds / interval) + 1
