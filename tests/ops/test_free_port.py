"""The test servers' ports: outside the kernel's ephemeral range and one slice per xdist worker.

CI once lost 40 Bluesky tests because the PDS's port, picked with bind(0), was taken by an outgoing
connection before the PDS listened on it (EADDRINUSE).
"""

import socket

import pytest

from tests import services


def test_ports_are_below_the_ephemeral_range_and_never_repeat():
    ports = [services.free_port() for _ in range(200)]
    assert len(set(ports)) == 200
    assert all(services._LOWEST_PORT <= port < services._ephemeral_low() for port in ports)


def test_each_xdist_worker_has_its_own_slice(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    slices = []
    for worker in ("gw0", "gw1"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        slices.append(services._port_slice())
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    slices.append(services._port_slice())  # the controller: tests.services' PostgreSQL and Redis
    assert [set(a) & set(b) for a, b in ((slices[0], slices[1]), (slices[0], slices[2]), (slices[1], slices[2]))] == [set()] * 3
    assert all(s.start >= services._LOWEST_PORT and s.stop <= services._ephemeral_low() for s in slices)


def test_a_port_something_listens_on_is_never_handed_out(monkeypatch):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        taken = listener.getsockname()[1]
        monkeypatch.setattr(services, "_port_slice", lambda: range(taken, taken + 1))
        with pytest.raises(RuntimeError, match=f"no free loopback port in {taken}-{taken}"):
            services.free_port()
