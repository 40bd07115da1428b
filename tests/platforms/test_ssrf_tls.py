"""config.safe_http connects to the address it checked, yet TLS still speaks to the host name: the
server name (SNI) and the certificate check are the name's, not the address's. A throwaway CA signs a
certificate for instance.test; the resolver answers 127.0.0.1 for that name."""

import datetime
import socket
import ssl

import httpx
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from config import safe_http
from tests.platforms.ssrf_servers import Recorder, ScriptedResolver


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, issuer, public_key, signing_key, *, ca, dns_name=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(_name("SSRF test CA"), _name("SSRF test CA"), key.public_key(), key, ca=True)
    (folder / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    def server_context(dns_name):
        leaf_key = ec.generate_private_key(ec.SECP256R1())
        leaf = _certificate(_name(dns_name), _name("SSRF test CA"), leaf_key.public_key(), key, ca=False, dns_name=dns_name)
        (folder / f"{dns_name}.pem").write_bytes(
            leaf.public_bytes(serialization.Encoding.PEM)
            + leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(folder / f"{dns_name}.pem")
        return context

    return str(folder / "ca.pem"), server_context


@pytest.fixture
def tls_instance(ca, settings, monkeypatch):
    """An https server on 127.0.0.1 with a certificate for instance.test, and the names it answers SNI for."""
    ca_file, server_context = ca
    servers, names = [], []

    def start(certificate_name):
        context = server_context(certificate_name)
        context.sni_callback = lambda sock, name, ctx: names.append(name)
        server = Recorder(answer=lambda request: (200, {}, {"ok": True}), ssl_context=context)
        servers.append(server)
        settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = f"127.0.0.1:{server.port}"
        return server

    monkeypatch.setattr(socket, "getaddrinfo", ScriptedResolver(socket.getaddrinfo, {"instance.test": ["127.0.0.1"]}))
    yield start, ca_file, names
    for server in servers:
        server.stop()


def test_requests_verify_the_certificate_of_the_name_while_connecting_to_the_checked_address(tls_instance):
    start, ca_file, names = tls_instance
    server = start("instance.test")
    with safe_http.session() as session:
        assert session.get(f"https://instance.test:{server.port}/", verify=ca_file, timeout=5).json() == {"ok": True}
    assert names == ["instance.test"]


def test_httpx_verifies_the_certificate_of_the_name_while_connecting_to_the_checked_address(tls_instance):
    start, ca_file, names = tls_instance
    server = start("instance.test")
    with safe_http.httpx_client(verify=ssl.create_default_context(cafile=ca_file), timeout=5) as client:
        assert client.get(f"https://instance.test:{server.port}/").json() == {"ok": True}
    assert names == ["instance.test"]


def test_a_certificate_for_another_name_is_still_refused(tls_instance):
    start, ca_file, _names = tls_instance
    server = start("other.test")
    with safe_http.session() as session, pytest.raises(requests.exceptions.SSLError):
        session.get(f"https://instance.test:{server.port}/", verify=ca_file, timeout=5)
    with safe_http.httpx_client(verify=ssl.create_default_context(cafile=ca_file), timeout=5) as client:
        with pytest.raises(httpx.ConnectError, match="certificate verify failed"):
            client.get(f"https://instance.test:{server.port}/")
    assert server.requests == []
