"""BlueskyAdapter: the PlatformAdapter contract over atproto's XRPC client.

Sessions are the stored JWTs (access + refresh) of an app-password login; nothing logs in again on
publish. Each post is written with com.atproto.repo.createRecord at a record key derived from the
target (session.record_key), so a retry writes to the same key: the PDS refuses a second create, and
after any failure we read that key to learn whether the post landed. Metrics need an AppView
(app.bsky.feed.getPosts); a bare PDS answers "No service configured", which becomes TransientError.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Sequence

from atproto_client import models
from django.conf import settings

from social_media.platforms.base import (
    AccountDisconnected,
    AccountProfile,
    InvalidContent,
    MediaItem,
    Metrics,
    PlatformAdapter,
    PlatformError,
    PublishResult,
    Reconciliation,
    ThreadReply,
    TokenSet,
)

from . import auth, rules
from .comments import BlueskyComments
from .errors import CALL, LIBRARY_ERRORS, METRICS, PUBLISH, SESSION_ENDED, is_bad_request, is_record_not_found, translate
from .media import build_embed
from .richtext import build_facets
from .session import POST_COLLECTION, open_client, post_url, record_key

_POST_URI = re.compile(r"^at://(?P<repo>[^/]+)/(?P<collection>[^/]+)/(?P<rkey>[^/?#]+)$")


class BlueskyAdapter(BlueskyComments, PlatformAdapter):
    platform = "bluesky"
    idempotent_publish = True
    supports_threads = True  # a part is a post whose `reply` names the thread's root and the part before
    # A PDS allows 5,000 write points an hour and a created record costs 3 (~1,666 posts); stay below.
    posting_rate = (1000, 3600)
    connect_style = "password"  # handle + app password; no app credentials needed on this server
    content_limits = {
        "max_characters": rules.MAX_GRAPHEMES,
        "character_counting": "graphemes",
        "max_text_bytes": rules.MAX_TEXT_BYTES,
        "max_images": rules.MAX_IMAGES,
        "max_videos": rules.MAX_VIDEOS,
        "mixed_media": False,
        "max_image_bytes": rules.MAX_IMAGE_BYTES,
        "max_video_bytes": rules.MAX_VIDEO_BYTES,
        "max_alt_text_characters": rules.MAX_IMAGE_ALT_CHARS,
    }

    # --- helpers ---------------------------------------------------------------------------
    @property
    def _base_url(self) -> str:
        return self.account.instance_url or settings.BLUESKY_DEFAULT_SERVICE

    def _client(self):
        account = self.account
        if not account.access_token:
            raise AccountDisconnected(SESSION_ENDED)
        return open_client(
            self._base_url,
            handle=account.platform_username,
            did=account.platform_user_id,
            access_jwt=account.access_token,
            refresh_jwt=account.refresh_token,
        )

    def _result(self, uri: str, rkey: str, published_at: datetime | None) -> PublishResult:
        return PublishResult(platform_post_id=uri, url=post_url(self.account.platform_username, rkey), published_at=published_at)

    def _read_post(self, client, rkey: str) -> PublishResult | None:
        """The post at `rkey` in the account's repo, or None when there is none. Errors propagate."""
        try:
            record = client.com.atproto.repo.get_record(
                {"repo": self.account.platform_user_id, "collection": POST_COLLECTION, "rkey": rkey}
            )
        except LIBRARY_ERRORS as exc:
            if is_record_not_found(exc):
                return None
            raise
        return self._result(record.uri, rkey, auth.parse_time(auth.record_field(record.value, "created_at", "createdAt")))

    @staticmethod
    def _resolve(client, handle: str) -> str | None:
        try:
            return client.resolve_handle(handle).did
        except LIBRARY_ERRORS as exc:
            if is_bad_request(exc):  # the handle does not resolve: leave the mention as plain text
                return None
            raise

    def _own_rkey(self, platform_post_id: str) -> str:
        match = _POST_URI.match(platform_post_id or "")
        if not match or match["collection"] != POST_COLLECTION or match["repo"] != self.account.platform_user_id:
            raise InvalidContent(f"{platform_post_id!r} is not a Bluesky post of @{self.account.platform_username}.")
        return match["rkey"]

    # --- the contract ----------------------------------------------------------------------
    @classmethod
    def warm(cls) -> None:
        """Build the atproto models and text rules a publish uses (their first use costs ~100 ms)."""
        text = "Warm up #tag https://example.com @alice.test"
        rules.validate(text, [])
        record = models.AppBskyFeedPost.Record(
            text=text, created_at="2000-01-01T00:00:00.000Z", facets=build_facets(text, lambda handle: None) or None
        )
        models.ComAtprotoRepoCreateRecord.Data(repo="did:plc:warm", collection=POST_COLLECTION, rkey="2222222222222", record=record).model_dump(
            exclude_none=True, by_alias=True
        )
        with open_client("https://bsky.social"):  # builds the client and its namespaces; sends nothing
            pass

    def validate(self, content: str, media: Sequence[MediaItem]) -> list[str]:
        return rules.validate(content, media)

    def text_usage(self, content: str) -> tuple[int, int | None]:
        return rules.grapheme_count(content or ""), rules.MAX_GRAPHEMES

    def publish(self, target, content: str, media: Sequence[MediaItem]) -> PublishResult:
        return self._create_post(content, media, record_key(target))

    def publish_part(self, target, position: int, content: str, media: Sequence[MediaItem], *, reply_to: ThreadReply) -> PublishResult:
        """A reply record (app.bsky.feed.post `reply`: strong refs to the thread's root and the parent
        part) at the part's own record key, so a repeated create is refused and the key read instead."""
        return self._create_post(content, media, record_key(target, position), reply_to=reply_to)

    def reconcile_part(self, target, position: int, content: str, *, reply_to: ThreadReply) -> Reconciliation:
        return self._reconcile_key(record_key(target, position))

    def _reply_ref(self, client, reply_to: ThreadReply):
        """Strong refs (uri + cid) of the root and parent, read from the repo: only their URIs are stored."""
        refs = []
        for result in (reply_to.root, reply_to.parent):
            match = _POST_URI.match(result.platform_post_id or "")
            if not match:
                raise InvalidContent(f"{result.platform_post_id!r} is not a Bluesky post to reply to.")
            record = client.com.atproto.repo.get_record(
                {"repo": match["repo"], "collection": match["collection"], "rkey": match["rkey"]}
            )
            refs.append(models.ComAtprotoRepoStrongRef.Main(uri=record.uri, cid=record.cid))
        return models.AppBskyFeedPost.ReplyRef(root=refs[0], parent=refs[1])

    def _create_post(self, content: str, media: Sequence[MediaItem], rkey: str, *, reply_to: ThreadReply | None = None) -> PublishResult:
        errors = self.validate(content, media)
        if errors:
            raise InvalidContent(" ".join(errors), errors=errors)
        now = datetime.now(timezone.utc)
        with self._client() as client:
            try:
                facets = build_facets(content, lambda handle: self._resolve(client, handle))
                embed = build_embed(client, media)
                reply = self._reply_ref(client, reply_to) if reply_to is not None else None
            except LIBRARY_ERRORS as exc:
                raise translate(exc, action=CALL) from exc
            record = models.AppBskyFeedPost.Record(
                text=content,
                created_at=now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                facets=facets or None,
                embed=embed,
                reply=reply,
            )
            return self._put_record(client, record, rkey, now)

    def _put_record(self, client, record, rkey: str, now) -> PublishResult:
        """createRecord at our own record key. A refused or lost call is read back at that key: a retry of
        a record that landed is refused by the PDS as a duplicate, so nothing is written twice."""
        data = models.ComAtprotoRepoCreateRecord.Data(repo=self.account.platform_user_id, collection=POST_COLLECTION, rkey=rkey, record=record)
        try:
            response = client.com.atproto.repo.create_record(data)
        except LIBRARY_ERRORS as exc:
            error = translate(exc, action=PUBLISH)
            try:
                landed = self._read_post(client, rkey)
            except LIBRARY_ERRORS:
                landed = None
            if landed is not None:
                return landed
            raise error from exc
        return self._result(response.uri, rkey, now)

    def reconcile(self, target) -> Reconciliation:
        return self._reconcile_key(record_key(target))

    def _reconcile_key(self, rkey: str) -> Reconciliation:
        with open_client(self._base_url) as client:  # getRecord needs no session
            try:
                found = self._read_post(client, rkey)
            except LIBRARY_ERRORS:
                return Reconciliation()
        return Reconciliation(found=found) if found is not None else Reconciliation(not_found=True)

    def delete(self, platform_post_id: str) -> None:
        rkey = self._own_rkey(platform_post_id)
        with self._client() as client:
            try:
                client.com.atproto.repo.delete_record(
                    models.ComAtprotoRepoDeleteRecord.Data(repo=self.account.platform_user_id, collection=POST_COLLECTION, rkey=rkey)
                )
            except LIBRARY_ERRORS as exc:
                raise translate(exc, action=CALL) from exc

    # --- Account metrics (analytics, issue 15) --------------------------------------------------
    def account_metrics(self):
        """app.bsky.actor.getProfile for our DID: followersCount, followsCount, postsCount
        (docs.bsky.app/docs/api/app-bsky-actor-get-profile). The PDS answers it by proxying to its
        AppView; a PDS without one (no PDS_BSKY_APP_VIEW_URL) cannot, which is said, not retried."""
        from social_media.platforms.base import AccountMetrics, AccountMetricsUnavailable

        with self._client() as client:
            try:
                profile = client.app.bsky.actor.get_profile({"actor": self.account.platform_user_id})
            except LIBRARY_ERRORS as exc:
                error = translate(exc, action=METRICS)
                if error.http_status == 400 and "no AppView" in error.message:  # errors.py: "No service configured"
                    raise AccountMetricsUnavailable(
                        "This Bluesky server has no AppView to read profiles from, so followers cannot be counted.",
                        http_status=400,
                    ) from exc
                raise error from exc
        raw = {"followersCount": profile.followers_count, "followsCount": profile.follows_count, "postsCount": profile.posts_count}
        return AccountMetrics(followers=profile.followers_count, following=profile.follows_count, posts=profile.posts_count, raw=raw)
    # --- end of account metrics ------------------------------------------------------------------

    def fetch_metrics(self, platform_post_id: str) -> Metrics:
        self._own_rkey(platform_post_id)
        with self._client() as client:
            try:
                response = client.app.bsky.feed.get_posts({"uris": [platform_post_id]})
            except LIBRARY_ERRORS as exc:
                raise translate(exc, action=METRICS) from exc
        if not response.posts:
            raise PlatformError("Bluesky has no post at this address; it may have been deleted.", http_status=404)
        post = response.posts[0]
        counts = {
            "likes": post.like_count or 0,
            "reposts": post.repost_count or 0,
            "replies": post.reply_count or 0,
            "quotes": post.quote_count or 0,
        }
        return Metrics(likes=counts["likes"], reposts=counts["reposts"], replies=counts["replies"], raw=counts)

    def refresh_access_token(self) -> TokenSet:
        return auth.refresh(self._base_url, self.account.refresh_token)

    def verify_credentials(self) -> AccountProfile:
        with self._client() as client:
            return auth.verify(client, self._base_url)

    @classmethod
    def connect_with_password(cls, *, identifier: str, password: str, service_url: str) -> AccountProfile:
        return auth.connect(identifier=identifier, password=password, service_url=service_url)
