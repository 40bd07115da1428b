"""The reference Bluesky PDS (with an in-memory PLC) on 127.0.0.1, for tests.

    pds = PdsServer(); base_url = pds.start()
    alice = pds.create_account()          # PdsAccount(handle, did, password, app_password)
    pds.list_posts(alice.did)             # records of app.bsky.feed.post, newest first
    pds.stop()

`node run-pds.js` in tests/fakes/bluesky_pds (dependencies installed by `make pds-deps`) starts in about
3 s and prints one JSON ready line. Every TCP listener is forced onto loopback by loopback.js. The dev
secrets below are the ones run-pds.js configures; `expired_access_token` uses the JWT secret to mint
an access token the PDS itself answers with ExpiredToken.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt

from tests.services import free_port

PDS_PACKAGE_DIR = Path(__file__).resolve().parent / "bluesky_pds"
JWT_SECRET = "jwt-secret"  # run-pds.js: jwtSecret
ADMIN_PASSWORD = "admin-pass"  # run-pds.js: adminPassword
_counter = itertools.count(1)


@dataclass(frozen=True)
class PdsAccount:
    handle: str
    did: str
    password: str  # the account's main password
    app_password: str  # what a user gives the scheduler


class _PortTaken(Exception):
    pass


class PdsServer:
    def __init__(self, startup_timeout: float = 60.0):
        self.startup_timeout = startup_timeout
        self.base_url = ""
        self._process: subprocess.Popen | None = None
        self._dir: Path | None = None

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> str:
        if not (PDS_PACKAGE_DIR / "node_modules" / "@atproto" / "pds").is_dir():
            raise RuntimeError(f"The reference PDS is not installed: run `make pds-deps` (npm ci in {PDS_PACKAGE_DIR}).")
        if shutil.which("node") is None:
            raise RuntimeError("node is not installed; the Bluesky adapter tests need Node 20 for the reference PDS.")
        for attempt in range(3):
            self._dir = Path(tempfile.mkdtemp(prefix="sched-pds-"))
            plc_port, pds_port = free_port(), free_port()
            env = dict(os.environ, PLC_PORT=str(plc_port), PDS_PORT=str(pds_port), PDS_DIR=str(self._dir / "data"), LOG_ENABLED="false")
            log = open(self._dir / "pds.log", "wb")
            self._process = subprocess.Popen(
                ["node", "-r", "./loopback.js", "run-pds.js"], cwd=PDS_PACKAGE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            log.close()
            try:
                self.base_url = self._wait_ready()
                return self.base_url
            except _PortTaken:
                self.stop()  # another program took a port between free_port() and listen: pick new ones
        raise RuntimeError("the PDS found its ports taken three times running")

    def _wait_ready(self) -> str:
        deadline = time.monotonic() + self.startup_timeout
        log_path = self._dir / "pds.log"
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                if "EADDRINUSE" in log_path.read_text(errors="replace"):
                    raise _PortTaken()
                raise RuntimeError(f"the PDS exited with {self._process.returncode}:\n{log_path.read_text(errors='replace')[-4000:]}")
            for line in log_path.read_text(errors="replace").splitlines():
                if line.startswith("{") and '"ready"' in line:
                    return json.loads(line)["pds"]
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the PDS did not start within {self.startup_timeout}s")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
        self._process = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    # --- XRPC helpers ------------------------------------------------------------------------
    def xrpc(self, method: str, nsid: str, *, token: str = "", admin: bool = False, **kwargs) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        auth = ("admin", ADMIN_PASSWORD) if admin else None
        return httpx.request(method, f"{self.base_url}/xrpc/{nsid}", headers=headers, auth=auth, timeout=10, **kwargs)

    def create_account(self, name: str = "") -> PdsAccount:
        """A fresh account `<name>.test` with an app password."""
        name = name or f"u{next(_counter)}{secrets.token_hex(3)}"
        password = secrets.token_urlsafe(12)
        created = self.xrpc(
            "POST", "com.atproto.server.createAccount",
            json={"handle": f"{name}.test", "email": f"{name}@example.com", "password": password},
        )
        created.raise_for_status()
        body = created.json()
        app = self.xrpc("POST", "com.atproto.server.createAppPassword", token=body["accessJwt"], json={"name": "scheduler"})
        app.raise_for_status()
        return PdsAccount(handle=body["handle"], did=body["did"], password=password, app_password=app.json()["password"])

    def list_posts(self, did: str) -> list[dict]:
        """Every app.bsky.feed.post record in the repo: [{"uri", "cid", "value"}], newest first."""
        answer = self.xrpc("GET", "com.atproto.repo.listRecords", params={"repo": did, "collection": "app.bsky.feed.post", "limit": 100})
        answer.raise_for_status()
        return answer.json()["records"]

    def get_post(self, uri: str) -> dict | None:
        """The record value at an at:// URI, or None when there is none."""
        did, collection, rkey = uri.removeprefix("at://").split("/")
        answer = self.xrpc("GET", "com.atproto.repo.getRecord", params={"repo": did, "collection": collection, "rkey": rkey})
        if answer.status_code == 400 and answer.json().get("error") == "RecordNotFound":
            return None
        answer.raise_for_status()
        return answer.json()["value"]

    def takedown(self, did: str) -> None:
        """Take the account down as the PDS admin (what a suspension looks like to its clients)."""
        answer = self.xrpc(
            "POST", "com.atproto.admin.updateSubjectStatus", admin=True,
            json={"subject": {"$type": "com.atproto.admin.defs#repoRef", "did": did}, "takedown": {"applied": True, "ref": "test"}},
        )
        answer.raise_for_status()

    @staticmethod
    def expired_access_token(access_jwt: str) -> str:
        """The same access token with an `exp` in the past, signed as the PDS signs its own."""
        claims = jwt.decode(access_jwt, options={"verify_signature": False})
        claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 60)
        with warnings.catch_warnings():  # the dev secret is short; only this local PDS trusts it
            warnings.simplefilter("ignore")
            return jwt.encode(claims, JWT_SECRET, algorithm="HS256", headers={"typ": "at+jwt"})
