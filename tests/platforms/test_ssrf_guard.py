"""config.safe_http, the guarded HTTP layer for user-chosen hosts, driven over real loopback sockets.

The test settings allow 127.0.0.1 (where the Mastodon and Bluesky test servers listen). Most tests here
narrow that to the exact port of one stand-in server, so the audit's reproduction holds as it was found:
a redirect to *another port of the same loopback address* is a different, refused destination.
"""

import socket

import httpx
import pytest
import requests
from django.core.exceptions import ImproperlyConfigured

from config import safe_http
from tests.platforms.ssrf_servers import Recorder, ScriptedResolver, redirecting_to

METADATA = "/latest/meta-data/iam/security-credentials/"


@pytest.fixture
def internal():
    """The server nobody may reach: it stands for 169.254.169.254."""
    server = Recorder()
    yield server
    server.stop()


@pytest.fixture
def instance():
    server = Recorder(answer=lambda request: (200, {}, {"ok": True}))
    yield server
    server.stop()


def requests_get(url):
    with safe_http.session() as session:
        return session.get(url, timeout=5)


def pooled_get(url):
    with safe_http.session(pooled=True) as session:  # closing it leaves the process's pool open
        return session.get(url, timeout=5)


def httpx_get(url):
    with safe_http.httpx_client(follow_redirects=True, timeout=5) as client:
        return client.get(url)


CLIENTS = pytest.mark.parametrize("get", [requests_get, pooled_get, httpx_get], ids=["requests", "pooled", "httpx"])


@CLIENTS
def test_a_redirect_to_another_loopback_port_is_refused_and_never_reached(get, instance, internal, settings):
    settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = f"127.0.0.1:{instance.port}"
    for status in (301, 302, 303, 307, 308):
        instance.answer = redirecting_to(internal.base_url + METADATA, status)
        with pytest.raises(safe_http.BlockedAddress, match=f"127.0.0.1 is not a public internet address"):
            get(instance.base_url + "/api/v1/instance")
    assert len(instance.requests) == 5
    assert internal.requests == []


@CLIENTS
def test_a_redirect_to_an_allowed_address_is_followed(get, instance, settings):
    """The guard refuses destinations, not redirects: a hop to an allowed server is followed."""
    second = Recorder(answer=lambda request: (200, {}, {"moved": True}))
    try:
        settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = f"127.0.0.1:{instance.port}, 127.0.0.1:{second.port}"
        instance.answer = redirecting_to(second.base_url + "/here")
        assert get(instance.base_url + "/there").json() == {"moved": True}
        assert second.requests == [("GET", "/here")]
    finally:
        second.stop()


@CLIENTS
@pytest.mark.parametrize("location", [
    "http://169.254.169.254" + METADATA,       # cloud metadata (link-local)
    "http://10.0.0.5/admin",                   # private network
    "http://[::ffff:169.254.169.254]/",        # the same, written as IPv4-mapped IPv6
    "http://[fd00::1]/",                        # unique local IPv6
    "http://100.64.0.1/",                      # carrier-grade NAT
    "http://0.0.0.0:8080/",
    "http://127.0.0.2/",                       # loopback, but not the allowed address
    "http://2852039166/",                      # 169.254.169.254 as one decimal number (a name to urllib)...
    "http://0xa9fea9fe/",                      # ...or hexadecimal: the resolver turns both into the address
])
def test_a_redirect_to_a_private_literal_address_is_refused_before_connecting(get, instance, location, settings, monkeypatch):
    settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = f"127.0.0.1:{instance.port}"
    instance.answer = redirecting_to(location)
    connects = []
    real_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", lambda sock, address: connects.append(address) or real_connect(sock, address))
    with pytest.raises(safe_http.BlockedAddress):
        get(instance.base_url + "/")
    assert instance.requests == [("GET", "/")]
    assert [address for address in connects if address[0] != "127.0.0.1"] == []


@CLIENTS
def test_a_redirect_to_a_name_that_resolves_to_a_private_address_is_refused(get, instance, settings, monkeypatch):
    hidden = Recorder(host="127.0.0.2")
    try:
        settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = "127.0.0.1"  # the whole test-settings allowance: any port
        monkeypatch.setattr(socket, "getaddrinfo", ScriptedResolver(socket.getaddrinfo, {"metadata.internal": ["127.0.0.2"]}))
        instance.answer = redirecting_to(f"http://metadata.internal:{hidden.port}{METADATA}")
        with pytest.raises(safe_http.BlockedAddress, match="metadata.internal is not a public internet address"):
            get(instance.base_url + "/")
        assert hidden.requests == []
    finally:
        hidden.stop()


def _pair_on_one_port():
    """A 'public' stand-in on 127.0.0.1 and a private server on 127.0.0.2, on the same port."""
    for _ in range(20):
        public = Recorder(answer=lambda request: (200, {}, {"from": "public"}))
        try:
            return public, Recorder(host="127.0.0.2", port=public.port)
        except OSError:
            public.stop()
    raise RuntimeError("no port free on both 127.0.0.1 and 127.0.0.2")


@pytest.fixture
def rebinding(settings, monkeypatch):
    public, private = _pair_on_one_port()
    settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = f"127.0.0.1:{public.port}"
    resolver = ScriptedResolver(socket.getaddrinfo, {"rebind.test": ["127.0.0.1", "127.0.0.2"]})
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    yield public, private, resolver
    public.stop()
    private.stop()


@CLIENTS
def test_dns_rebinding_cannot_swap_the_address_between_check_and_connect(get, rebinding):
    """The name answers the allowed address first and a private one afterwards: the connection goes to the
    address that was checked (one lookup serves both), never to a second answer."""
    public, private, resolver = rebinding
    assert get(f"http://rebind.test:{public.port}/").json() == {"from": "public"}
    assert resolver.lookups["rebind.test"] == 1
    assert private.requests == [] and public.requests == [("GET", "/")]


@CLIENTS
def test_a_name_that_rebinds_after_the_early_check_is_refused_at_connect(get, rebinding):
    public, private, resolver = rebinding
    safe_http.check_url(f"http://rebind.test:{public.port}/")  # what connect does first: fine, for now
    with pytest.raises(safe_http.BlockedAddress):
        get(f"http://rebind.test:{public.port}/")
    assert private.requests == [] and public.requests == []


def test_a_kept_alive_connection_is_reused_across_pooled_sessions_and_checked_before_every_request(settings, monkeypatch):
    """The engine's sessions share the process's kept-alive connections (no connection and TLS
    handshake per post), and a reused connection meets the address rule again before each request:
    once the operator withdraws the allowance, the open connection carries nothing more."""
    server = Recorder(answer=lambda request: (200, {}, {"ok": True}), keep_alive=True)
    try:
        settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = f"127.0.0.1:{server.port}"
        monkeypatch.setattr(socket, "getaddrinfo", ScriptedResolver(socket.getaddrinfo, {"pooled.test": ["127.0.0.1"]}))
        url = f"http://pooled.test:{server.port}/api/v1/statuses"
        for _ in range(3):
            assert pooled_get(url).json() == {"ok": True}
        assert len(server.requests) == 3 and len(set(server.peers)) == 1  # one connection carried all three
        settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = ""
        with pytest.raises(safe_http.BlockedAddress, match="pooled.test is not a public internet address"):
            pooled_get(url)
        assert len(server.requests) == 3
    finally:
        server.stop()


@CLIENTS
def test_environment_proxies_are_not_used(get, instance, settings, monkeypatch):
    """A proxy resolves names itself, where the guard cannot see: user-chosen hosts never go through one."""
    proxy = Recorder()
    try:
        settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = f"127.0.0.1:{instance.port}"
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
            monkeypatch.setenv(name, proxy.base_url)
        assert get(instance.base_url + "/").json() == {"ok": True}
        assert proxy.requests == []
    finally:
        proxy.stop()


@CLIENTS
def test_plain_http_is_refused_at_every_hop_unless_insecure_urls_are_allowed(get, instance, settings):
    settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = f"127.0.0.1:{instance.port}"
    settings.ALLOW_INSECURE_NETWORK_URLS = False
    with pytest.raises(safe_http.BlockedAddress, match="only https:// is allowed"):
        get(instance.base_url + "/")
    assert instance.requests == []


def test_allowing_insecure_urls_allows_http_not_addresses(instance, internal, settings):
    """ALLOW_INSECURE_NETWORK_URLS (on in the test settings) never widens the address rule."""
    settings.ALLOW_INSECURE_NETWORK_URLS = True
    settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = ""
    with pytest.raises(safe_http.BlockedAddress):
        requests_get(instance.base_url + "/")
    with pytest.raises(safe_http.BlockedAddress):
        safe_http.check_url(internal.base_url)
    assert instance.requests == [] and internal.requests == []


@pytest.mark.parametrize("address, port, allowed", [
    ("93.184.215.14", 443, True),
    ("2606:4700:4700::1111", 443, True),
    ("127.0.0.1", 2000, False),     # the allowance below is for port 3900 only
    ("127.0.0.1", 3900, True),
    ("::ffff:127.0.0.1", 3900, True),
    ("10.1.2.3", 8050, True),
    ("10.1.2.3", 9000, False),
    ("169.254.169.254", 80, False),
    ("::ffff:169.254.169.254", 80, False),
    ("64:ff9b::a9fe:a9fe", 80, False),    # NAT64 of 169.254.169.254
    ("2002:a9fe:a9fe::1", 80, False),     # 6to4 of 169.254.169.254
    ("192.168.1.1", 80, False),
    ("172.16.0.1", 80, False),
    ("100.64.0.1", 80, False),
    ("224.0.0.1", 80, False),
    ("0.0.0.0", 80, False),
    ("::1", 3000, True),
    ("::1", 3001, False),
    ("fe80::1%eth0", 80, False),
])
def test_the_address_rule(address, port, allowed, settings):
    settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = "127.0.0.1:3900, 10.0.0.0/8:8000-8100 [::1]:3000"
    assert safe_http.address_allowed(address, port) is allowed


@pytest.mark.parametrize("entry", ["localhost", "127.0.0.1:0", "127.0.0.1:9-8", "127.0.0.1:x", "[::1", "10.0.0.0/33", "example.com:80"])
def test_an_allowance_that_is_not_an_address_is_a_configuration_error(entry, settings):
    settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = entry
    with pytest.raises(ImproperlyConfigured, match="OUTBOUND_ALLOWED_PRIVATE_ADDRESSES"):
        safe_http.address_allowed("10.0.0.1", 80)


def test_blocked_cause_finds_the_refusal_inside_a_library_error():
    blocked = safe_http.BlockedAddress("x")
    try:
        try:
            raise blocked
        except safe_http.BlockedAddress as exc:
            raise RuntimeError("Could not complete request: x") from exc  # how Mastodon.py wraps it
    except RuntimeError as wrapped:
        assert safe_http.blocked_cause(wrapped) is blocked
    assert safe_http.blocked_cause(requests.ConnectionError("down")) is None
    not_found = requests.HTTPError("404")
    not_found.reason = "Not Found"  # a string where urllib3 puts the underlying exception
    assert safe_http.blocked_cause(not_found) is None
    assert safe_http.blocked_cause(httpx.ConnectError("down")) is None


def test_the_system_checks_refuse_a_bad_allowance_and_warn_about_the_metadata_address(settings):
    from config.checks import check_outbound_allowance

    settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = "127.0.0.1:3900"
    assert check_outbound_allowance() == []
    settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = "mastodon.internal"
    assert [m.id for m in check_outbound_allowance()] == ["scheduler.E020"]
    settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = "127.0.0.1, 169.254.0.0/16:80"
    assert [m.id for m in check_outbound_allowance()] == ["scheduler.W021"]
