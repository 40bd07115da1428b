"""Reddit fixtures: the stateful Reddit fake (tests/fakes/reddit_fake/) driven by the real praw, with
settings pointed at it, and a connected account. Image uploads go to the fake's S3 endpoint over
https (praw builds `https:` + the lease's action), with a self-signed certificate for 127.0.0.1 that
requests trusts through REQUESTS_CA_BUNDLE for the test."""

import datetime
import ipaddress
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.factories import ConnectedAccountFactory
from tests.fakes.reddit_fake import RedditFake

__all__ = ["reddit_tls", "reddit_fake", "reddit_settings", "reddit_account"]


@pytest.fixture(scope="session")
def reddit_tls(tmp_path_factory):
    """(server SSLContext, CA bundle path) for a self-signed 127.0.0.1 certificate."""
    folder = tmp_path_factory.mktemp("reddit-tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context, str(cert_path)


@pytest.fixture
def reddit_fake(reddit_tls, monkeypatch):
    context, bundle = reddit_tls
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundle)
    fake = RedditFake(client_id="reddit-app", client_secret="reddit-secret")
    fake.start(tls=context)
    fake.add_subreddit("scheduler_test", flairs={"f-news": "News", "f-meta": "Meta"})
    yield fake
    fake.stop()


@pytest.fixture
def reddit_settings(settings, reddit_fake):
    settings.REDDIT_CLIENT_ID, settings.REDDIT_CLIENT_SECRET = "reddit-app", "reddit-secret"
    settings.REDDIT_OAUTH_URL = settings.REDDIT_URL = reddit_fake.base_url
    settings.REDDIT_USER_AGENT = "test:reddit-app:1.0 (by /u/scheduler-tests)"
    settings.REDDIT_TIMEOUT_SECONDS = 5
    return settings


@pytest.fixture
def reddit_account(db, reddit_settings, reddit_fake):
    user = reddit_fake.add_user("alice")
    account = ConnectedAccountFactory(
        platform="reddit", platform_user_id=user.id, platform_username=user.name, access_token="",
        refresh_token=reddit_fake.issue_refresh_token(user), instance_url="", platform_settings={}, token_expires_at=None,
    )
    account.remote = user
    return account
