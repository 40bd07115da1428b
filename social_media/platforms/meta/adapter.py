"""What the Facebook Page and Instagram adapters share: the Meta login, token renewal, a Graph
session with the account's Page token."""

from __future__ import annotations

from social_media.platforms.base import AccountProfile, PlatformAdapter, TokenSet

from . import oauth
from .graph import Graph


class MetaAdapter(PlatformAdapter):
    required_settings = ("META_APP_ID", "META_APP_SECRET")
    connect_style = "oauth"
    idempotent_publish = False  # no idempotency key on the Graph API: reconcile() decides after OutcomeUnknown

    def graph(self) -> Graph:
        return Graph(self.account.access_token)

    @property
    def page_id(self) -> str:
        return str((self.account.platform_settings or {}).get("page_id") or self.account.platform_user_id)

    def refresh_access_token(self) -> TokenSet:
        return oauth.refresh(self.account)

    @classmethod
    def authorization_url(cls, *, state: str, redirect_uri: str, code_challenge: str, instance_url: str = "", oauth_app=None) -> str:
        return oauth.authorization_url(state=state, redirect_uri=redirect_uri, code_challenge=code_challenge)

    @classmethod
    def exchange_code(cls, *, code: str, redirect_uri: str, code_verifier: str, instance_url: str = "", oauth_app=None) -> list[AccountProfile]:
        return oauth.exchange_code(code=code, redirect_uri=redirect_uri, code_verifier=code_verifier)
