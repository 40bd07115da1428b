"""Outgoing HTTP to hosts a user chose (a Mastodon instance, a Bluesky PDS; later webhooks and feeds),
guarded against server-side request forgery.

The rule: a connection only ever goes to a public internet address, or to an address the operator
listed in settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES. It is enforced where the socket is opened, not
on the URL someone typed: the host name is resolved once, every address it resolves to is checked,
and the connection is made to one of those checked addresses (never by resolving the name again), so
a redirect to 169.254.169.254, a hop to another port of 127.0.0.1 or a DNS answer that changes between
check and connect (rebinding) all meet the same check. TLS still sends the host name (SNI) and checks
the certificate against it. Every hop of a redirect is a new request and is checked again; a hop to
plain http is refused unless settings.ALLOW_INSECURE_NETWORK_URLS is on (which allows http, never an
address). Environment proxies are not used: a proxy would resolve the name itself, out of our sight.

    from config import safe_http
    safe_http.check_url(url)             # early, friendly refusal (raises BlockedAddress / Unresolvable)
    session = safe_http.session()        # a requests.Session (give it to Mastodon.py as session=)
    session = safe_http.session(pooled=True)  # the same, on the process's kept-alive connections
    client = safe_http.httpx_client()    # an httpx.Client; or transport=safe_http.httpx_transport()
    safe_http.blocked_cause(exc)         # the BlockedAddress behind a library's wrapped exception, or None

BlockedAddress is a plain Exception (not a requests/httpx error), so client libraries that translate
their transport errors let it through; an adapter maps it to its own error where it translates errors.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from functools import lru_cache
from urllib.parse import urlsplit

import httpcore
import httpx
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

__all__ = [
    "BlockedAddress", "Unresolvable", "check_url", "resolve", "session", "httpx_transport", "httpx_client",
    "blocked_cause",
]

NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class BlockedAddress(Exception):
    """A request would reach an address the scheduler must not connect to. `message` is for users and
    names the host, never the address it resolved to."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Unresolvable(Exception):
    """check_url: the host name does not resolve."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- the address policy --------------------------------------------------------------------
def _embedded_ipv4(ip):
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), which is where it really goes."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if any(ip in net for net in NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip) -> bool:
    """A globally routable unicast address: not loopback, private, link-local (cloud metadata),
    shared (CGNAT), reserved, multicast or unspecified, also when wrapped in IPv6."""
    inner = _embedded_ipv4(ip)
    if inner is not None:
        return is_public(inner)
    return ip.is_global and not ip.is_multicast and not ip.is_reserved and not ip.is_unspecified


def _parse_entry(item: str) -> tuple:
    """'127.0.0.1', '127.0.0.1:3900', '10.0.0.0/8:8000-8100', '[::1]:3000', '::1' -> (network, low, high)."""
    if item.startswith("["):
        address, bracket, rest = item[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(item)
        ports = rest[1:]
    elif item.count(":") >= 2:  # a bare IPv6 address or network: any port
        address, ports = item, ""
    else:
        address, _, ports = item.partition(":")
    network = ipaddress.ip_network(address, strict=False)
    if not ports:
        return network, 0, 65535
    low, _, high = ports.partition("-")
    if not low.isdigit() or (high and not high.isdigit()):
        raise ValueError(item)
    low, high = int(low), int(high or low)
    if not 0 < low <= high <= 65535:
        raise ValueError(item)
    return network, low, high


@lru_cache(maxsize=8)
def allowlist(raw: str) -> tuple:
    """OUTBOUND_ALLOWED_PRIVATE_ADDRESSES parsed, one (network, first port, last port) per entry. An entry
    is an address or network with an optional port or port range: 127.0.0.1, 127.0.0.1:3900,
    10.0.0.0/8:8000-8100, [::1]:3000. Host names are refused: a name can resolve anywhere."""
    entries = []
    for item in re.split(r"[\s,]+", raw.strip()):
        if not item:
            continue
        try:
            entries.append(_parse_entry(item))
        except ValueError:
            raise ImproperlyConfigured(
                f"OUTBOUND_ALLOWED_PRIVATE_ADDRESSES: {item!r} is not an IP address or network with an optional "
                "port or port range (127.0.0.1, 127.0.0.1:3900, 10.0.0.0/8:8000-8100, [::1]:3000)."
            ) from None
    return tuple(entries)


def address_allowed(address: str, port: int) -> bool:
    """May we connect to `address`:`port`? Public addresses yes; others only when listed."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if is_public(ip):
        return True
    candidates = {ip, _embedded_ipv4(ip)} - {None}
    for network, low, high in allowlist(settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES):
        if low <= port <= high and any(c.version == network.version and c in network for c in candidates):
            return True
    return False


def resolve(host: str, port: int) -> list[tuple]:
    """Every getaddrinfo result for host:port (TCP), after checking that each address is allowed.
    Raises BlockedAddress if any is not (a name with one private address among public ones is refused
    whole), socket.gaierror if the name does not resolve."""
    host = host.strip("[]").rstrip(".")
    infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    if not infos:
        raise socket.gaierror(f"{host} has no address")
    if not all(address_allowed(info[4][0], port) for info in infos):
        raise BlockedAddress(f"{host} is not a public internet address; the scheduler does not connect there.")
    return infos


def _check_scheme(scheme: str, host: str) -> None:
    if scheme == "https" or (scheme == "http" and settings.ALLOW_INSECURE_NETWORK_URLS):
        return
    raise BlockedAddress(f"The address {scheme}://{host} is refused: only https:// is allowed.")


def _check_hop(url: str) -> None:
    """What can be said of one request's URL before connecting: its scheme, and a literal address."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    _check_scheme(parts.scheme, host)
    try:
        literal = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return  # a name: checked where it is resolved and connected
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not address_allowed(str(literal), port):
        raise BlockedAddress(f"{host} is not a public internet address; the scheduler does not connect there.")


def check_url(url: str) -> str:
    """Check a URL up front (scheme, and every address its host resolves to now) to tell the user early;
    the connection itself is checked again when it is made. Returns the URL. Raises BlockedAddress,
    or Unresolvable when the host has no address."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise BlockedAddress(f"{url} has an invalid port.") from None
    if not parts.hostname:
        raise BlockedAddress(f"{url} has no host.")
    _check_hop(url)
    try:
        resolve(parts.hostname, port)
    except (OSError, UnicodeError):  # UnicodeError: an empty or over-long DNS label (a..b)
        raise Unresolvable(f"The server {parts.hostname} could not be found.") from None
    return url


def blocked_cause(exc: BaseException | None) -> BlockedAddress | None:
    """The BlockedAddress somewhere in `exc`'s chain (causes, contexts, wrapped reasons), or None."""
    seen, pending = set(), [exc]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:  # a `reason` can be a string
            continue
        seen.add(id(current))
        if isinstance(current, BlockedAddress):
            return current
        pending.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        pending.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
    return None


# --- requests ------------------------------------------------------------------------------
def _guarded_new_conn(conn) -> socket.socket:
    """urllib3's _new_conn, connecting only to the checked addresses of the host."""
    try:
        infos = resolve(conn._dns_host, conn.port)
    except (socket.gaierror, UnicodeError) as e:
        raise NameResolutionError(conn.host, conn, e if isinstance(e, socket.gaierror) else socket.gaierror(str(e))) from e
    last = None
    for *_, sockaddr in infos:
        try:
            return urllib3_connection.create_connection(
                (sockaddr[0], conn.port), conn.timeout, source_address=conn.source_address, socket_options=conn.socket_options
            )
        except socket.timeout as e:
            last = ConnectTimeoutError(conn, f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})")
            last.__cause__ = e
        except OSError as e:
            last = NewConnectionError(conn, f"Failed to establish a new connection: {e}")
            last.__cause__ = e
    raise last


def _check_peer(conn) -> None:
    """A kept-alive connection is checked again before each request it carries: the address it is
    connected to must still be allowed (the policy is the operator's settings, read now)."""
    if conn.sock is None:
        return  # not connected yet: _new_conn resolves and checks
    try:
        address = conn.sock.getpeername()[0]
    except OSError:
        return  # gone: sending fails on its own
    if not address_allowed(address, conn.port):
        conn.close()
        raise BlockedAddress(f"{conn.host} is not a public internet address; the scheduler does not connect there.")


class _Guarded:
    """urllib3 connection: opened only to checked addresses, and checked again before every request."""

    def _new_conn(self):  # for https, TLS is then started by connect() with server_hostname=self.host
        return _guarded_new_conn(self)

    def request(self, *args, **kwargs):
        _check_peer(self)
        return super().request(*args, **kwargs)


class _GuardedHTTPConnection(_Guarded, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_Guarded, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """A requests transport adapter that checks each request's URL and connects only to checked addresses."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        raise BlockedAddress("Requests to user-chosen hosts are never sent through a proxy.")

    def send(self, request, *args, **kwargs):
        _check_hop(request.url)  # every hop of a redirect passes here again
        return super().send(request, *args, **kwargs)


class _SharedGuardedAdapter(GuardedAdapter):
    """The process's one pooled GuardedAdapter: a session that closes does not close it."""

    def close(self):
        pass


_shared_adapter = None
_shared_lock = threading.Lock()
SHARED_POOL_HOSTS = 100  # hosts whose idle connections are kept


def _shared() -> GuardedAdapter:
    global _shared_adapter
    with _shared_lock:
        if _shared_adapter is None:
            # As many kept-alive connections per host as the engine has publish threads, so a busy
            # minute on one instance neither opens a connection per post nor discards them.
            per_host = max(10, settings.PUBLISH_THREADS)
            _shared_adapter = _SharedGuardedAdapter(pool_connections=SHARED_POOL_HOSTS, pool_maxsize=per_host)
    return _shared_adapter


def session(*, pooled: bool = False) -> requests.Session:
    """A requests.Session whose every request (and redirect hop) goes through GuardedAdapter.

    `pooled`: its connections come from one process-wide pool, kept alive and reused by later sessions
    to the same host (each connection was checked where it was opened, and its address is checked
    again before every request it carries). The engine publishes through these, rather than opening
    and TLS-handshaking a connection per post. Cookies and headers stay the session's own."""
    guarded = requests.Session()
    guarded.trust_env = False  # no environment proxies (they resolve names themselves) and no .netrc
    adapter = _shared() if pooled else GuardedAdapter()
    guarded.mount("https://", adapter)
    guarded.mount("http://", adapter)
    return guarded


# --- httpx ---------------------------------------------------------------------------------
class _GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to the checked addresses of the host."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            infos = resolve(host, port)
        except (socket.gaierror, UnicodeError) as e:
            raise httpcore.ConnectError(str(e)) from e
        last = None
        for *_, sockaddr in infos:
            try:  # start_tls is later called on the stream with server_hostname = the host name
                return super().connect_tcp(sockaddr[0], port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                last = e
        raise last


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport that checks each request's URL and connects only to checked addresses."""

    def __init__(self, **kwargs):
        if kwargs.get("proxy") is not None:
            raise TypeError("A guarded transport never sends through a proxy: the proxy would resolve names unchecked.")
        super().__init__(**kwargs)
        # httpx.HTTPTransport builds its httpcore pool without a way to pass a network backend.
        self._pool._network_backend = _GuardedBackend()

    def handle_request(self, request):
        _check_hop(str(request.url))  # httpx follows redirects by calling this again for each hop
        return super().handle_request(request)


def httpx_transport(**kwargs) -> GuardedTransport:
    return GuardedTransport(**kwargs)


_TRANSPORT_OPTIONS = {"verify", "cert", "http1", "http2", "limits", "retries"}


def httpx_client(**kwargs) -> httpx.Client:
    """An httpx.Client on GuardedTransport, ignoring environment proxies (which would bypass it). TLS and
    connection options (verify, cert, http2, limits, retries) go to the transport, where httpx reads them."""
    transport_options = {name: kwargs.pop(name) for name in list(kwargs) if name in _TRANSPORT_OPTIONS}
    return httpx.Client(transport=GuardedTransport(**transport_options), trust_env=False, **kwargs)
