"""A lesson server as one object: what the CLI (services.py), doctor.py, look.py and the
tests use. Each server module (mysql_server.py, dynamodb_server.py, influxdb_server.py)
builds its SERVER from its own functions; servers.py lists them."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

from ..platforms import command
from .common import Fail
from .own_server import NotOurs


class Address(NamedTuple):
    """Where a server should answer, from the settings."""

    host: str
    port: str | int


def url_address(url, default_port):
    """The Address of an http://host:port URL."""
    parts = urlsplit(url)
    return Address(parts.hostname, parts.port or default_port)


def answered(name, status, reason):
    """The Fail for a server that answered a request with an error (its SDK raised it)."""
    return Fail(
        f"{name} answered {status} {reason}: `{command('doctor')}` checks the settings in .env"
    )


@dataclass(frozen=True)
class Server:
    name: str
    daemon: object  # processes.Daemon: its process when it runs natively
    address: Callable  # address(s) -> Address
    describe: Callable  # describe(s) -> one line for people: where, which user/org/bucket
    check: Callable  # check(s) -> ("ok" | "refused" | "down", detail): answers AND accepts s
    start: Callable  # start(s) -> version: installs or builds what is missing, starts natively
    prepare: Callable  # prepare(s): as the operator, the scripts' own account or token
    reset_plan: Callable  # reset_plan(s) -> [what reset would delete: the lesson's own]
    reset: Callable  # reset(s, plan) -> one line: what was deleted
    reset_advice: Callable  # reset_advice(engine, detail) -> how to make it take the
    # setting it refused (detail: as check() names it)
    look: Callable  # look(s, engine): show what it holds, with a real client (make *-shell)

    @classmethod
    def of(cls, module):
        """The Server made of a server module's own functions, by their names (check is
        its probe(); prepare is optional)."""
        return cls(
            name=module.NAME,
            daemon=module.daemon,
            address=module.address,
            describe=module.describe,
            check=module.probe,
            start=module.start,
            prepare=getattr(module, "prepare", lambda s: None),
            reset_plan=module.reset_plan,
            reset=module.reset,
            reset_advice=module.reset_advice,
            look=module.look,
        )

    def probe(self, s):
        """check(s); a check that breaks is a server we cannot use ("down"), but our own
        missing tooling (Fail) is said as such, never as "the server is down". A port
        held by somebody else's program is "foreign", with the line that names it."""
        try:
            return self.check(s)
        except NotOurs as exc:
            return "foreign", str(exc)
        except Fail:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever breaks, the server is unusable
            return "down", str(exc)

    def healthy(self, s):
        """True when it answers and accepts s; a foreign program on its port stops the
        caller at once (a start waiting for its server must not wait for an impostor)."""
        state, detail = self.probe(s)
        if state == "foreign":
            raise NotOurs(detail)
        return state == "ok"

    def stop(self):
        """Stop its native process, if this checkout runs one (Compose stops containers);
        True if there was one."""
        return self.daemon.stop()
