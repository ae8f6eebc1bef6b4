"""Whether this machine's processes and sockets can be read: /proc (Linux), else psutil
(macOS, Windows). Neither where /proc is empty (the Docker rig's --desktop)."""

import os
from pathlib import Path


def psutil_reads_processes():
    import psutil

    try:
        return psutil.Process(os.getpid()).create_time() > 0
    except (psutil.Error, OSError, IndexError):  # an empty /proc
        return False


def processes_readable():
    return Path("/proc/self").exists() or psutil_reads_processes()


# What the port check says where they cannot be (tools/services/owners.py).
UNNAMED = "a program that cannot be named here (no /proc here, and psutil cannot list the sockets)"
