"""App registration and OAuth as Mastodon (Doorkeeper) does them, refusing what Mastodon refuses, with
its error bodies. Sources (mastodon/documentation): content/en/methods/apps.md (required client_name and
redirect_uris, 422 "Validation failed: ..."), content/en/methods/oauth.md (scope must be a subset of the
app's scopes, token scope equal to the authorized one, invalid_scope / invalid_client / invalid_grant
bodies), content/en/api/oauth-scopes.md (the scope names); Doorkeeper's en.yml for
unsupported_grant_type, unsupported_response_type and "Scopes doesn't match configured on the server.";
Mastodon's Api::BaseController for "This action is outside the authorized scopes"."""

import base64
import hashlib
import secrets
import time
from urllib.parse import urlencode, urlsplit

from .errors import Reply

INVALID_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the "
    "authorization request, or was issued to another client."
)
INVALID_CLIENT = (
    "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."
)
INVALID_SCOPE = "The requested scope is invalid, unknown, or malformed."
UNSUPPORTED_GRANT_TYPE = "The authorization grant type is not supported by the authorization server."
UNSUPPORTED_RESPONSE_TYPE = "The authorization server does not support this response type."
OUTSIDE_SCOPES = "This action is outside the authorized scopes"

_GRANULAR = ("accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows", "lists", "mutes",
             "notifications", "search", "statuses", "media", "reports")
SCOPES = frozenset(
    {"read", "write", "follow", "push", "profile", "admin:read", "admin:write"}
    | {f"read:{name}" for name in _GRANULAR if name not in ("media", "reports")}
    | {f"write:{name}" for name in _GRANULAR if name != "search"}
    | {"write:conversations"}
)
GRANTS = ("authorization_code", "client_credentials")
OOB = "urn:ietf:wg:oauth:2.0:oob"


def covers(granted, needed):
    """Does a token with `granted` scopes allow `needed` (e.g. write covers write:statuses)?"""
    return needed in granted or needed.split(":")[0] in granted


def _form(request):
    if isinstance(request.json, dict):
        return {k: (" ".join(v) if isinstance(v, list) else str(v)) for k, v in request.json.items()}
    return {k: v[-1] for k, v in request.form.items()}


def _absolute(uri):
    parts = urlsplit(uri)
    return uri == OOB or bool(parts.scheme and parts.netloc)


class MastodonOAuth:
    """Mixin of MastodonApi: the state (apps, codes, tokens, token_scopes) lives on the fake."""

    def _register_app(self, request):
        form = _form(request)
        if not form.get("client_name"):
            raise Reply(422, {"error": "Validation failed: Application name can't be blank"})
        redirect_uris = form.get("redirect_uris", "").split()
        if not redirect_uris:
            raise Reply(422, {"error": "Validation failed: Redirect URI can't be blank"})
        if not all(_absolute(uri) for uri in redirect_uris):
            raise Reply(422, {"error": "Validation failed: Redirect URI must be an absolute URI."})
        scopes = (form.get("scopes") or "read").split()
        if not set(scopes) <= SCOPES:
            raise Reply(422, {"error": "Validation failed: Scopes doesn't match configured on the server."})
        app = {"id": str(next(self._ids)), "name": form["client_name"], "website": form.get("website"), "scopes": scopes,
               "redirect_uris": redirect_uris, "client_id": secrets.token_urlsafe(16), "client_secret": secrets.token_urlsafe(24),
               "client_secret_expires_at": 0}
        self.apps[app["client_id"]] = app
        return {**app, "redirect_uri": "\n".join(redirect_uris)}

    def _authorize(self, request):
        query = {k: v[-1] for k, v in request.query.items()}
        app = self.apps.get(query.get("client_id"))
        if app is None or query.get("redirect_uri") not in app["redirect_uris"]:
            raise Reply(400, {"error": "invalid_client"})  # Doorkeeper shows an error page: nowhere safe to redirect

        def refuse(error, description):
            params = {"error": error, "error_description": description, "state": query.get("state", "")}
            raise Reply(302, None, {"Location": f"{query['redirect_uri']}?{urlencode(params)}"})

        if query.get("response_type") != "code":
            refuse("unsupported_response_type", UNSUPPORTED_RESPONSE_TYPE)
        scope = query.get("scope") or "read"
        if not set(scope.split()) <= set(app["scopes"]):
            refuse("invalid_scope", INVALID_SCOPE)
        if self.deny_authorization:
            refuse("access_denied", "The resource owner or authorization server denied the request.")
        code = secrets.token_urlsafe(16)
        username = self.authorize_as or next(iter(self.accounts.values()))["username"]
        account_id = next(a["id"] for a in self.accounts.values() if a["username"] == username)
        self.codes[code] = {"account_id": account_id, "client_id": app["client_id"], "redirect_uri": query["redirect_uri"],
                            "challenge": query.get("code_challenge"), "method": query.get("code_challenge_method"), "scope": scope}
        raise Reply(302, None, {"Location": f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"})

    def _issue(self, account_id, scope):
        token = secrets.token_urlsafe(24)
        if account_id is not None:
            self.tokens[token] = account_id
        else:
            self.app_tokens.add(token)
        self.token_scopes[token] = frozenset(scope.split())
        return {"access_token": token, "token_type": "Bearer", "scope": scope, "created_at": int(time.time())}

    def _token(self, request):
        form = _form(request)
        grant_type = form.get("grant_type")
        if not grant_type:
            raise Reply(400, {"error": "invalid_request", "error_description": "Missing required parameter: grant_type."})
        if grant_type not in GRANTS:
            raise Reply(400, {"error": "unsupported_grant_type", "error_description": UNSUPPORTED_GRANT_TYPE})
        app = self.apps.get(form.get("client_id"))
        if app is None or app["client_secret"] != form.get("client_secret"):
            raise Reply(401, {"error": "invalid_client", "error_description": INVALID_CLIENT})
        if grant_type == "client_credentials":
            scope = form.get("scope") or "read"
            if not set(scope.split()) <= set(app["scopes"]):
                raise Reply(400, {"error": "invalid_scope", "error_description": INVALID_SCOPE})
            return self._issue(None, scope)
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant["client_id"] != app["client_id"] or grant["redirect_uri"] != form.get("redirect_uri"):
            raise Reply(400, {"error": "invalid_grant", "error_description": INVALID_GRANT})
        if form.get("scope") and set(form["scope"].split()) != set(grant["scope"].split()):
            raise Reply(400, {"error": "invalid_scope", "error_description": INVALID_SCOPE})
        if grant["challenge"]:
            verifier = form.get("code_verifier", "").encode()
            expected = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            if grant["method"] != "S256" or expected != grant["challenge"]:
                raise Reply(400, {"error": "invalid_grant", "error_description": "The code verifier does not match the code challenge."})
        return self._issue(grant["account_id"], grant["scope"])

    def _require_scope(self, token, needed):
        if not covers(self.token_scopes.get(token, frozenset()), needed):
            raise Reply(403, {"error": OUTSIDE_SCOPES})
