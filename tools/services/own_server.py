"""Credentials go only to this checkout's own servers.

Another user of the machine can listen on a lesson port while the servers are down, or
bind it first while they start, and collect what a client sends: the lesson password,
the DynamoDB key, an InfluxDB token, root's password or the set-up body. So before the
service manager, `doctor` or `status` send anything to a server on this machine, the
program on its port must be this checkout's own: natively, the process its pid file
names (owners.py asks the kernel); under Docker, a container of this checkout.
Otherwise NotOurs says, in one line, who holds the port, and nothing is sent.
"""

from .common import Fail
from .env_settings import is_port
from .owners import holder, refusal

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
OURS = ("ours", "our-other-engine")  # this checkout's servers, under either engine


class NotOurs(Fail):
    """A lesson port of this machine is held by a program that is not this checkout's."""


def ensure_ours(name, address, daemon):
    """Raise NotOurs unless `address` is elsewhere, free, or held by our own server."""
    host, port = address
    if host not in LOCAL_HOSTS or not is_port(port):
        return  # a server on another host (a managed MySQL, AWS) is not ours to vouch for
    from .servers import docker_engine_present, engine  # servers imports the server modules

    chosen = engine(for_up=False)
    found = holder(port, daemon, chosen, chosen == "docker" or docker_engine_present())
    if found is not None and found.kind not in OURS:
        raise NotOurs(f"{refusal(name, port, found)} (nothing was sent to it)")
