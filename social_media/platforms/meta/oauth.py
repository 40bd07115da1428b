"""The Meta login shared by Facebook Pages and Instagram.

Dialog `{META_AUTHORIZE_URL}/{version}/dialog/oauth` (with PKCE; `scope` for a classic "Facebook Login" app,
`config_id` for a "Facebook Login for Business" one) → `GET /oauth/access_token` (code → short-lived user
token) → `grant_type=fb_exchange_token` (→ long-lived user token, ~60 days) → `GET /me/accounts` (the Pages
and their Page tokens) and `GET /me/businesses` → `/{business-id}/owned_pages` and `/client_pages` (Pages
reachable only through a Business portfolio) → `GET /{page-id}?fields=instagram_business_account{...}` per
Page. Every Page and every Instagram account becomes one AccountProfile.

Tokens stored per account: `access_token` is the Page token (Meta issues Page tokens derived from a
long-lived user token without an expiry), `refresh_token` the long-lived user token it derives from,
and `token_expires_at` that user token's expiry: the daily refresh job renews the login before it
lapses (`refresh`), re-reading the Page token with the new user token.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils import timezone

from social_media.platforms.base import (
    AccountDisconnected,
    AccountProfile,
    InvalidContent,
    PlatformError,
    TokenExpired,
    TokenSet,
    TransientError,
)
from social_media.platforms.http import checked_url

from .graph import Graph, app_credentials

SCOPES = (
    "pages_show_list", "pages_read_engagement", "pages_manage_posts", "pages_manage_engagement", "read_insights",
    "business_management", "instagram_basic", "instagram_content_publish", "instagram_manage_insights",
    "instagram_manage_comments",  # first comments (first_comments app)
)
INSTAGRAM_FIELDS = "instagram_business_account{id,username,name,profile_picture_url}"
PAGE_FIELDS = "id,name,username,access_token,tasks"
BUSINESS_PAGE_FIELDS = "id,name,username,access_token"
POSTING_TASK = "CREATE_CONTENT"


def authorization_url(*, state: str, redirect_uri: str, code_challenge: str) -> str:
    """The login dialog. A "Facebook Login for Business" app names its login configuration (`config_id`,
    META_LOGIN_CONFIG_ID), which holds the permissions: it takes no `scope`. A classic "Facebook Login"
    app asks for SCOPES."""
    app_id, _secret = app_credentials()
    base = checked_url(settings.META_AUTHORIZE_URL, setting="META_AUTHORIZE_URL")
    query = {"client_id": app_id, "redirect_uri": redirect_uri, "state": state, "response_type": "code"}
    if settings.META_LOGIN_CONFIG_ID:
        query["config_id"] = settings.META_LOGIN_CONFIG_ID
    else:
        query["scope"] = ",".join(SCOPES)
    query.update({"code_challenge": code_challenge, "code_challenge_method": "S256"})
    return f"{base}/{settings.META_GRAPH_VERSION}/dialog/oauth?{urlencode(query, quote_via=quote)}"


def exchange_code(*, code: str, redirect_uri: str, code_verifier: str) -> list[AccountProfile]:
    app_id, secret = app_credentials()
    short = Graph().get("/oauth/access_token", what="login", client_id=app_id, client_secret=secret, redirect_uri=redirect_uri,
                        code=code, code_verifier=code_verifier)
    user_token, expires_at = long_lived(short.get("access_token", ""))
    found = profiles(user_token, expires_at)
    if not found:
        raise PlatformError("Your Meta login gives access to no Facebook Page you can post to. Create a Page, or ask its "
                            "admin for content access, then connect again.")
    return found


def long_lived(user_token: str) -> tuple[str, object]:
    """Exchange a user token for a long-lived one: (token, expiry or None)."""
    if not user_token:
        raise TransientError("Meta answered the login without an access token; try connecting again.")
    app_id, secret = app_credentials()
    answer = Graph().get("/oauth/access_token", what="login", grant_type="fb_exchange_token", client_id=app_id, client_secret=secret,
                         fb_exchange_token=user_token)
    token = answer.get("access_token")
    if not token:
        raise TransientError("Meta did not return a long-lived token; try connecting again.")
    expires_in = answer.get("expires_in")
    return token, (timezone.now() + timedelta(seconds=int(expires_in)) if expires_in else None)


def profiles(user_token: str, expires_at) -> list[AccountProfile]:
    """A profile per Page the user can post to, and per Instagram account linked to one of them."""
    graph = Graph(user_token)
    me = graph.get("/me", fields="id,name")
    found = []
    for page in _pages(graph):
        if not page.get("access_token") or POSTING_TASK not in (page.get("tasks") or [POSTING_TASK]):
            continue
        tokens = TokenSet(access_token=page["access_token"], refresh_token=user_token, expires_at=expires_at)
        common = {"meta_user_id": str(me.get("id", "")), "page_id": str(page["id"])}
        found.append(AccountProfile(
            platform="facebook", platform_user_id=str(page["id"]), platform_username=page.get("username") or page.get("name", ""),
            display_name=page.get("name", ""), tokens=tokens, platform_settings={**common, "page_name": page.get("name", "")},
        ))
        instagram = _instagram_of(page)
        if instagram.get("id"):
            found.append(AccountProfile(
                platform="instagram", platform_user_id=str(instagram["id"]), platform_username=instagram.get("username", ""),
                display_name=instagram.get("name") or instagram.get("username", ""), tokens=tokens,
                platform_settings={**common, "page_name": page.get("name", "")},
            ))
    return found


def _pages(graph) -> list[dict]:
    """The Pages the user manages directly (/me/accounts), then those reachable only through a Business
    portfolio the user belongs to: /me/businesses, and each business's owned_pages and client_pages (Graph
    API reference: User businesses, Business owned_pages, Business client_pages; needs business_management).
    A Page comes with its access_token only when the user can act on it; each Page appears once."""
    pages = {str(page["id"]): page for page in graph.pages("/me/accounts", fields=PAGE_FIELDS, limit=100)}
    try:
        businesses = graph.pages("/me/businesses", fields="id,name", limit=100)
    except (AccountDisconnected, InvalidContent):  # business_management not granted: the direct Pages only
        return list(pages.values())
    for business in businesses:
        for edge in ("owned_pages", "client_pages"):
            try:
                edge_pages = graph.pages(f"/{business['id']}/{edge}", fields=BUSINESS_PAGE_FIELDS, limit=100)
            except (AccountDisconnected, InvalidContent):
                continue  # this business does not let the user list that edge
            for page in edge_pages:
                pages.setdefault(str(page["id"]), page)
    return list(pages.values())


def _instagram_of(page: dict) -> dict:
    """The Page's Instagram professional account, or {} (none linked, or the Instagram permissions
    were not granted: the Page still connects)."""
    try:
        answer = Graph(page["access_token"]).get(f"/{page['id']}", fields=INSTAGRAM_FIELDS)
    except (AccountDisconnected, InvalidContent):
        return {}
    return answer.get("instagram_business_account") or {}


def refresh(account) -> TokenSet:
    """Renew the long-lived user token and re-read the account's Page token with it. When Meta
    refuses the user token but the Page token still works, keep the Page token (it does not expire)."""
    page_id = (account.platform_settings or {}).get("page_id") or account.platform_user_id
    if not account.refresh_token:
        raise AccountDisconnected("This Meta account has no stored login to renew; reconnect it.")
    try:
        user_token, expires_at = long_lived(account.refresh_token)
    except (AccountDisconnected, TokenExpired) as refused:
        try:
            Graph(account.access_token).get(f"/{page_id}", fields="id")
        except (AccountDisconnected, TokenExpired):
            raise AccountDisconnected(f"{refused.message} Reconnect the account.", http_status=refused.http_status) from None
        return TokenSet(access_token=account.access_token, refresh_token="", expires_at=None)
    page = Graph(user_token).get(f"/{page_id}", fields="access_token")
    if not page.get("access_token"):
        raise AccountDisconnected("Meta no longer gives this login access to the Page; reconnect the account.")
    return TokenSet(access_token=page["access_token"], refresh_token=user_token, expires_at=expires_at)
