"""Meta login and reading accounts: the OAuth dialog, /oauth/access_token (code, fb_exchange_token),
/me, /me/accounts (paged) and Page / Instagram account fields. Tokens are checked on every call."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from urllib.parse import urlencode

from .server import Reply, graph_error

SHORT_LIVED_SECONDS = 3600 * 2
LONG_LIVED_SECONDS = 5183944  # what Meta answers for a long-lived user token (~60 days)


class LoginRoutes:
    # --- tokens ----------------------------------------------------------------------------
    def new_token(self, kind, user_id, page_id=None, lifetime=None):
        token = f"EAA{kind[0].upper()}{secrets.token_urlsafe(24)}"
        self.tokens[token] = {"kind": kind, "user_id": user_id, "page_id": page_id,
                              "expires_at": time.time() + lifetime if lifetime else None, "revoked": False}
        return token

    def token_of(self, request):
        header = request.headers.get("authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else request.param("access_token", "")
        record = self.tokens.get(token)
        if not token:
            raise graph_error(400, 2500, "An active access token must be used to query information about the current user.")
        if record is None:
            raise graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        proof = request.query.get("appsecret_proof")
        if proof is not None and proof != hmac.new(self.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest():
            raise graph_error(400, 100, "Invalid appsecret_proof provided in the API argument", kind="GraphMethodException")
        if self.require_appsecret_proof and proof is None:
            raise graph_error(400, 100, "API calls from the server require an appsecret_proof argument", kind="GraphMethodException")
        if record["revoked"]:
            raise graph_error(400, 190, f"Error validating access token: The user has not authorized application {self.app_id}.", subcode=458)
        if record["expires_at"] is not None and record["expires_at"] <= time.time():
            raise graph_error(400, 190, "Error validating access token: Session has expired on Tuesday, 01-Dec-26 12:00:00 PST. "
                              "The current time is Tuesday, 01-Dec-26 13:00:00 PST.", subcode=463)
        return record

    def page_token_for(self, request, page_id):
        record = self.token_of(request)
        if record["kind"] != "page" or record["page_id"] != page_id:
            raise graph_error(403, 200, "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts "
                              "as an admin with sufficient administrative permission", kind="OAuthException")
        return record

    # --- OAuth -----------------------------------------------------------------------------
    def dialog(self, request):
        query = request.query
        if query.get("client_id") != self.app_id:
            raise graph_error(400, 101, "Error validating application. Invalid application ID.")
        if self.login_config_ids and query.get("config_id") not in self.login_config_ids:
            # A "Facebook Login for Business" app logs in only with one of its configurations (`config_id`, which
            # replaces `scope`); without it Meta shows a page, not a redirect: "It looks like this app isn't
            # available" (laravel/socialite#716; omniauth-facebook#386: a blank login page).
            raise Reply(200, {"page": "It looks like this app isn't available. To fix this, please contact the app."})
        redirect = query["redirect_uri"]
        if self.deny_authorization or self.login is None:
            denied = {"error": "access_denied", "error_code": "200", "error_description": "Permissions error",
                      "error_reason": "user_denied", "state": query.get("state", "")}
            raise Reply(302, None, {"Location": f"{redirect}?{urlencode(denied)}"})
        code = secrets.token_urlsafe(32)
        self.codes[code] = {"user_id": self.login, "redirect_uri": redirect, "challenge": query.get("code_challenge"),
                            "scope": query.get("scope", ""), "config_id": query.get("config_id", "")}
        raise Reply(302, None, {"Location": f"{redirect}?{urlencode({'code': code, 'state': query.get('state', '')})}#_=_"})

    def access_token(self, request):
        query = request.query
        if query.get("client_id") != self.app_id or query.get("client_secret") != self.app_secret:
            raise graph_error(400, 1, "Error validating client secret.")
        if query.get("grant_type") == "fb_exchange_token":
            record = self.tokens.get(query.get("fb_exchange_token", ""))
            if record is None or record["revoked"] or record["kind"] == "page":
                raise graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
            if record["expires_at"] is not None and record["expires_at"] <= time.time():
                raise graph_error(400, 190, "Error validating access token: Session has expired.", subcode=463)
            token = self.new_token("user_long", record["user_id"], lifetime=LONG_LIVED_SECONDS)
            return {"access_token": token, "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS}
        grant = self.codes.pop(query.get("code", ""), None)
        if grant is None:
            raise graph_error(400, 100, "This authorization code has been used.", subcode=36009)
        if grant["redirect_uri"] != query.get("redirect_uri"):
            raise graph_error(400, 100, "Error validating verification code. Please make sure your redirect_uri is identical to "
                              "the one you used in the OAuth dialog request", subcode=36008)
        if grant["challenge"]:
            verifier = query.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if digest != grant["challenge"]:
                raise graph_error(400, 100, "Invalid code verifier", subcode=36007)
        token = self.new_token("user_short", grant["user_id"], lifetime=SHORT_LIVED_SECONDS)
        return {"access_token": token, "token_type": "bearer", "expires_in": SHORT_LIVED_SECONDS}

    # --- reading accounts ------------------------------------------------------------------
    def me(self, request):
        record = self.token_of(request)
        if record["kind"] == "page":
            page = self.pages[record["page_id"]]
            return {"id": page["id"], "name": page["name"]}
        user = self.users[record["user_id"]]
        return {"id": user["id"], "name": user["name"]}

    def me_accounts(self, request):
        record = self.token_of(request)
        user = self.users[record["user_id"]]
        limit, start = int(request.query.get("limit", 25)), int(request.query.get("after", 0) or 0)
        chosen = user["pages"][start:start + limit]
        data = [{"access_token": self.page_token(record["user_id"], page_id), "category": "Product/Service",
                 "category_list": [{"id": "2201", "name": "Product/Service"}], "name": self.pages[page_id]["name"],
                 "id": page_id, "tasks": self.pages[page_id]["tasks"]} for page_id in chosen]
        body = {"data": data, "paging": {"cursors": {"before": str(start), "after": str(start + len(chosen))}}}
        if start + limit < len(user["pages"]):
            query = {k: v for k, v in request.query.items() if k not in ("after", "appsecret_proof")}
            body["paging"]["next"] = f"{self.base_url}/{self.version}/me/accounts?{urlencode({**query, 'after': start + limit})}"
        return body

    def me_businesses(self, request):
        """GET /me/businesses: the Business portfolios the user belongs to (Graph API reference "User
        businesses"; needs business_management)."""
        record = self.token_of(request)
        if record["kind"] == "page":
            raise graph_error(400, 100, "(#100) Tried accessing nonexisting field (businesses) on node type (Page)")
        chosen = [b for b in self.businesses.values() if record["user_id"] in b["people"]]
        return {"data": [{"id": b["id"], "name": b["name"]} for b in chosen], "paging": {"cursors": {"before": "0", "after": "0"}}}

    def business_pages(self, request, business_id, edge):
        """GET /{business-id}/owned_pages and /client_pages (Graph API reference "Business Owned Pages" and
        "Business Client Pages"): Page nodes; a Page's access_token only for a person who can act on it."""
        record = self.token_of(request)
        business = self.businesses[business_id]
        if record["kind"] == "page" or record["user_id"] not in business["people"]:
            raise graph_error(403, 200, "(#200) Permissions error")
        fields = request.query.get("fields", "id,name")
        data = []
        for page_id in business["owned" if edge == "owned_pages" else "client"]:
            page = self.pages[page_id]
            body = {"id": page["id"], "name": page["name"]}
            if "access_token" in fields:
                body["access_token"] = self.page_token(record["user_id"], page_id)
            data.append(body)
        return {"data": data, "paging": {"cursors": {"before": "0", "after": "0"}}}

    def can_manage(self, user_id, page_id):
        """The user manages the Page directly, or through a Business portfolio that owns or serves it."""
        if page_id in self.users[user_id]["pages"]:
            return True
        return any(user_id in b["people"] and page_id in (*b["owned"], *b["client"]) for b in self.businesses.values())

    def page_token(self, user_id, page_id):
        """A Page token derived from the user's login: it has no expiry (like Meta's from a long-lived token)."""
        return self.new_token("page", user_id, page_id=page_id)

    def page_fields(self, request, page):
        record = self.token_of(request)
        fields = request.query.get("fields", "id,name")
        body = {"id": page["id"]}
        for name in ("name", "username"):
            if name in fields and page.get(name):
                body[name] = page[name]
        # Page node fields followers_count and fan_count (developers.facebook.com/docs/graph-api/reference/page):
        # always present on a Page; 0 until a test sets them on the page's dict.
        for name in ("followers_count", "fan_count"):
            if name in fields.split(","):
                body[name] = int(page.get(name, 0))
        if "access_token" in fields:
            if record["kind"] == "page" or not self.can_manage(record["user_id"], page["id"]):
                raise graph_error(400, 100, "(#100) Tried accessing nonexisting field (access_token)")
            body["access_token"] = self.page_token(record["user_id"], page["id"])
        if "instagram_business_account" in fields and not self.instagram_granted:
            raise graph_error(403, 10, "(#10) Application does not have permission for this action")
        if "instagram_business_account" in fields and page.get("instagram"):
            ig = self.instagram[page["instagram"]]
            body["instagram_business_account"] = {"id": ig["id"], "username": ig["username"], "name": ig["name"],
                                                  "profile_picture_url": f"https://scontent.cdninstagram.com/{ig['id']}.jpg"}
        if "permalink_url" in fields:
            body["permalink_url"] = f"https://www.facebook.com/{page['id']}"
        return body
