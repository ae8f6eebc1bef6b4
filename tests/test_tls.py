"""MYSQL_SSL_CA: 03's scripts speak TLS to a server that demands it, as managed MySQL does.

A second MySQL-protocol server starts on a free loopback port with a certificate made
here, and refuses plain connections: under Docker a container of the compose file's own
image (`--ssl-ca/--ssl-cert/--ssl-key` given to its server), natively the same binary
`make services` runs.
"""

import datetime
import ipaddress
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pymysql
import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tools.services import mysql_server as native
from utils.engine import engine
from utils.paths import LESSON
from utils.scripts import ORM_OUTPUT, assert_one_line_error, run_script
from utils.settings import SETTINGS


def certificate(subject, issuer_key, key, issuer=None, ca=False):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        builder = builder.add_extension(san, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def write_pem(path, cert=None, key=None):
    data = (
        cert.public_bytes(serialization.Encoding.PEM)
        if cert
        else key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    path.write_bytes(data)
    return path


def make_certificates(folder):
    """A CA, a server certificate for 127.0.0.1 signed by it, and an unrelated CA."""
    ca_key, server_key, other_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca = certificate("lesson-17 test CA", ca_key, ca_key, ca=True)
    server = certificate("127.0.0.1", ca_key, server_key, issuer=ca.subject)
    other = certificate("someone else's CA", other_key, other_key, ca=True)
    return {
        "ca": write_pem(folder / "ca.pem", cert=ca),
        "cert": write_pem(folder / "server-cert.pem", cert=server),
        "key": write_pem(folder / "server-key.pem", key=server_key),
        "other_ca": write_pem(folder / "other-ca.pem", cert=other),
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def login(port):
    return {
        "host": "127.0.0.1", "port": port, "user": SETTINGS["MYSQL_USER"],
        "password": SETTINGS["MYSQL_PASSWORD"], "database": SETTINGS["MYSQL_DATABASE"],
    }  # fmt: skip


def wait_for_tls(port, ca, exited, log):
    deadline = time.monotonic() + 120
    while True:
        try:
            pymysql.connect(**login(port), ssl={"ca": str(ca)}, connect_timeout=2).close()
            return
        except pymysql.err.OperationalError:
            if exited() or time.monotonic() > deadline:
                pytest.fail(f"the TLS server did not start: {log()}")
            time.sleep(0.5)


def docker(*args, env=None):
    proc = subprocess.run(
        ["docker", *args], capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    assert proc.returncode == 0, f"docker {args[0]}: {proc.stderr}"
    return proc.stdout.strip()


def tls_container(folder):
    """The compose file's MySQL image, its server given the test's certificate."""
    compose = yaml.safe_load((LESSON / "03" / "docker-compose.yml").read_text())
    image = compose["services"]["mysql"]["image"]
    secrets = {"MYSQL_ROOT_PASSWORD": SETTINGS["MYSQL_ROOT_PASSWORD"]}  # by name: not in `ps`
    if SETTINGS["MYSQL_USER"] != "root":
        secrets.update(MYSQL_USER=SETTINGS["MYSQL_USER"], MYSQL_PASSWORD=SETTINGS["MYSQL_PASSWORD"])
    names = [arg for name in secrets for arg in ("-e", name)]
    container = docker(
        "create", "-p", "127.0.0.1::3306", *names,
        "-e", f"MYSQL_DATABASE={SETTINGS['MYSQL_DATABASE']}", image,
        "--ssl-ca=/tmp/tls/ca.pem", "--ssl-cert=/tmp/tls/server-cert.pem",
        "--ssl-key=/tmp/tls/server-key.pem", "--require-secure-transport=ON",
        env=secrets,
    )  # fmt: skip
    docker("cp", f"{folder}/.", f"{container}:/tmp/tls")  # no bind mount: works everywhere
    docker("start", container)
    port = int(docker("port", container, "3306/tcp").splitlines()[0].rsplit(":", 1)[1])

    def exited():
        return docker("inspect", "-f", "{{.State.Running}}", container) != "true"

    return port, exited, lambda: docker("logs", "--tail", "30", container), container


def tls_process(folder, certs):
    """A second native server: the binary `make services` runs, with the certificate."""
    server = native._server()
    data = folder / "data"
    as_root = ["--user=root"] if os.geteuid() == 0 else []
    banner = subprocess.run([server, "--version"], capture_output=True, text=True).stdout
    if "MariaDB" in banner:
        install = native.which("mariadb-install-db", "mysql_install_db")
        init = [
            install,
            "--no-defaults",
            f"--datadir={data}",
            "--skip-test-db",
            "--auth-root-authentication-method=normal",
            *as_root,
        ]
    else:
        init = [server, "--no-defaults", "--initialize-insecure", f"--datadir={data}", *as_root]
    subprocess.run(init, check=True, capture_output=True)
    port = free_port()
    settings = {**SETTINGS, "MYSQL_PORT": str(port)}
    (folder / "init.sql").write_text(native._init_sql(settings))
    sock = Path(tempfile.mkdtemp(prefix="l17tls")) / "s.sock"  # short: sockets have a path limit
    argv = [
        server, "--no-defaults", f"--datadir={data}", f"--port={port}",
        "--bind-address=127.0.0.1", f"--socket={sock}", f"--init-file={folder / 'init.sql'}",
        f"--ssl-ca={certs['ca']}", f"--ssl-cert={certs['cert']}", f"--ssl-key={certs['key']}",
        "--require-secure-transport=ON", f"--pid-file={folder / 'pid'}", *as_root,
    ]  # fmt: skip
    log = open(folder / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    return port, lambda: proc.poll() is not None, (folder / "server.log").read_text, proc


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls-mysql")
    (folder / "certs").mkdir()
    certs = make_certificates(folder / "certs")
    if engine() == "docker":
        port, exited, log, container = tls_container(certs["ca"].parent)
    else:
        port, exited, log, proc = tls_process(folder, certs)
    try:
        wait_for_tls(port, certs["ca"], exited, log)
        yield {"port": str(port), "login": login(port), **certs}
    finally:
        if engine() == "docker":
            docker("rm", "-f", "-v", container)
        else:
            proc.terminate()
            proc.wait(timeout=30)


def test_main_py_speaks_tls_with_mysql_ssl_ca(tls_server):
    env = {"MYSQL_PORT": tls_server["port"], "MYSQL_SSL_CA": str(tls_server["ca"])}
    result = run_script("03", "main.py", env=env)
    assert result.returncode == 0, result.stderr
    assert result.lines == ORM_OUTPUT
    conn = pymysql.connect(**tls_server["login"], ssl={"ca": str(tls_server["ca"])})
    with conn.cursor() as cur:
        cur.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
        assert cur.fetchone()[1], "the check connection itself is encrypted"
        cur.execute("SELECT name FROM user ORDER BY id")
        assert [row[0] for row in cur.fetchall()] == ["alice", "bob", "charlie"]
    conn.close()


def test_without_mysql_ssl_ca_the_link_is_encrypted_but_the_server_unchecked(tls_server):
    """PyMySQL encrypts whenever the server offers TLS; only MYSQL_SSL_CA makes it check
    whom it talks to (the next test: a certificate from another CA is refused)."""
    result = run_script("03", "main.py", env={"MYSQL_PORT": tls_server["port"]})
    assert result.returncode == 0, result.stderr  # require_secure_transport is satisfied


def test_a_certificate_from_another_ca_is_refused(tls_server):
    env = {"MYSQL_PORT": tls_server["port"], "MYSQL_SSL_CA": str(tls_server["other_ca"])}
    line = assert_one_line_error(
        run_script("03", "main.py", env=env), "TLS to MySQL", "MYSQL_SSL_CA"
    )
    assert "make services" not in line


def test_a_missing_ca_file_is_named():
    result = run_script("03", "main.py", env={"MYSQL_SSL_CA": "/nonexistent/ca.pem"})
    assert_one_line_error(result, "MYSQL_SSL_CA", "names no file")
