"""Which engine runs the servers: what `make services` recorded in .services/engine."""

from utils.paths import ROOT

ENGINE_FILE = ROOT / ".services" / "engine"


def engine():
    """ "docker" or "native" (natively when nothing was recorded)."""
    return ENGINE_FILE.read_text().strip() if ENGINE_FILE.exists() else "native"
