"""MYSQL_SSL_CA: 03's scripts speak TLS to a server that demands it, as managed MySQL does.

A second MySQL-protocol server (the same binary `make services` runs natively) starts
on a free loopback port with a certificate made here, and refuses plain connections.
"""

import datetime
import ipaddress
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymysql
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from utils.paths import ROOT
from utils.scripts import ORM_OUTPUT, assert_one_line_error, run_script
from utils.settings import SETTINGS

sys.path.insert(0, str(ROOT / "tools" / "services"))
import mysql as native  # noqa: E402  (tools/services/mysql.py)


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


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls-mysql")
    certs = make_certificates(folder)
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
    login = {
        "host": "127.0.0.1", "port": port, "user": SETTINGS["MYSQL_USER"],
        "password": SETTINGS["MYSQL_PASSWORD"], "database": SETTINGS["MYSQL_DATABASE"],
    }  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            pymysql.connect(**login, ssl={"ca": str(certs["ca"])}, connect_timeout=2).close()
            break
        except pymysql.err.OperationalError:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the TLS server did not start: {(folder / 'server.log').read_text()}")
            time.sleep(0.5)
    yield {"port": str(port), "login": login, **certs}
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


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
