"""OAuth 2.0 (www.linkedin.com/oauth/v2/...) and OpenID userinfo (api.linkedin.com/v2/userinfo).

Token answers follow LinkedIn's authorization-code-flow docs: {"access_token", "expires_in": 5184000,
"refresh_token", "refresh_token_expires_in": 31536000, "scope"} (refresh fields only for apps allowed
programmatic refresh); a refresh answers a new access token and the SAME refresh token, whose lifetime
is not extended. Refused grants: 400 {"error": "invalid_request", "error_description": ...}.
"""

import secrets
import time
from urllib.parse import urlencode

from .server import Reply

ACCESS_SECONDS = 60 * 24 * 3600
REFRESH_SECONDS = 365 * 24 * 3600
BAD_GRANT = "The provided authorization grant or refresh token is invalid, expired or revoked"


class OAuthRoutes:
    def authorize(self, request):
        q = request.query
        if q.get("client_id") != self.client_id or q.get("response_type") != "code" or not q.get("redirect_uri"):
            raise Reply(400, {"error": "invalid_request", "error_description": "client_id, response_type=code and redirect_uri are required"})
        if self.deny_next:
            self.deny_next = False
            query = {"error": "user_cancelled_authorize", "error_description": "The user cancelled the authorization", "state": q.get("state", "")}
        else:
            code = secrets.token_urlsafe(24)
            self.codes[code] = {"member": self.login, "scopes": q.get("scope", "").split(), "redirect_uri": q["redirect_uri"]}
            query = {"code": code, "state": q.get("state", "")}
        raise Reply(302, None, {"Location": f"{q['redirect_uri']}?{urlencode(query)}"})

    def access_token(self, request):
        form = request.form
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            raise Reply(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        if form.get("grant_type") == "authorization_code":
            grant = self.codes.pop(form.get("code", ""), None)
            if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                raise Reply(400, {"error": "invalid_request", "error_description": BAD_GRANT})
            return self.issue_tokens(grant["member"], scopes=grant["scopes"])
        if form.get("grant_type") == "refresh_token":
            held = self.refresh_tokens.get(form.get("refresh_token", ""))
            if held is None or held["expires_at"] < time.time() or held.get("revoked"):
                raise Reply(400, {"error": "invalid_request", "error_description": BAD_GRANT})
            answer = self._new_access(held["member"], held["scopes"])
            answer.update(refresh_token=form["refresh_token"], refresh_token_expires_in=int(held["expires_at"] - time.time()))
            return answer
        raise Reply(400, {"error": "unsupported_grant_type", "error_description": "grant_type is not supported"})

    def userinfo(self, request):
        member = self.authenticated(request)["member"]
        return {"sub": member.id, "email_verified": True, "name": member.name, "locale": {"country": "US", "language": "en"},
                "given_name": member.given_name, "family_name": member.family_name, "picture": "https://media.licdn.com/dms/image/fake"}

    # --- state helpers -----------------------------------------------------------------------
    def issue_tokens(self, member, *, scopes=None, refresh=None) -> dict:
        scopes = list(scopes if scopes is not None else self.default_scopes)
        answer = self._new_access(member, scopes)
        if self.grant_refresh_tokens if refresh is None else refresh:
            token = "AQX" + secrets.token_urlsafe(32)
            self.refresh_tokens[token] = {"member": member, "scopes": scopes, "expires_at": time.time() + REFRESH_SECONDS}
            answer.update(refresh_token=token, refresh_token_expires_in=REFRESH_SECONDS)
        return answer

    def _new_access(self, member, scopes) -> dict:
        token = "AQV" + secrets.token_urlsafe(32)
        self.access_tokens[token] = {"member": member, "scopes": set(scopes), "expires_at": time.time() + ACCESS_SECONDS, "revoked": False}
        return {"access_token": token, "expires_in": ACCESS_SECONDS, "scope": ",".join(scopes), "token_type": "Bearer"}
