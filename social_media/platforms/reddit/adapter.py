"""RedditAdapter: self, link and image posts to the subreddit each target names, through praw.

Exactly once without an idempotency key: prawcore's own retries are off for submit (client.no_retries),
so a failure after sending is OutcomeUnknown; reconcile then reads the account's newest submissions
for one with this target's subreddit and title created after the claim.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone as dt_timezone
from typing import Sequence

from django.conf import settings
from praw.models import PostMedia

from ..base import (
    AccountProfile, InvalidContent, MediaItem, Metrics, OutcomeUnknown, PlatformAdapter, PlatformError, PublishResult,
    Reconciliation, TokenSet,
)
from . import oauth
from .client import build, no_retries
from .comments import RedditComments
from .errors import translate
from .rules import TARGET_SETTINGS, content_errors, post_kind, settings_errors, subreddit_name

RECENT_LIMIT = 25
CLOCK_SKEW = timedelta(minutes=2)
IMAGE_LISTING_TRIES = 3  # image posts come back without an id; look for them this many times
IMAGE_LISTING_WAIT = 2.0
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}


class RedditAdapter(RedditComments, PlatformAdapter):
    platform = "reddit"
    idempotent_publish = False
    posting_rate = (30, 3600)  # conservative: Reddit throttles new posts per account (RATELIMIT)
    required_settings = ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET")
    connect_style = "oauth"
    target_setting_fields = TARGET_SETTINGS
    content_limits = {
        "max_title_characters": 300, "max_characters": 40_000, "max_images": 1, "max_image_bytes": 20 * 1024 * 1024,
        "image_types": ["image/jpeg", "image/png", "image/gif"],
        "target_settings": {s.key: "required" if s.required else "optional" for s in TARGET_SETTINGS},
    }

    def __init__(self, account):
        super().__init__(account)
        self._reddit = None

    @property
    def reddit(self):
        if self._reddit is None:
            self._reddit = build(refresh_token=self.account.refresh_token)
        return self._reddit

    def _call(self, fn, *, what, unsafe=False):
        try:
            if unsafe:
                with no_retries(self.reddit):
                    return fn()
            return fn()
        except PlatformError:
            raise
        except Exception as exc:  # noqa: BLE001 - translated in one place
            raise translate(exc, what=what, unsafe=unsafe) from exc

    # --- Posting ----------------------------------------------------------------------------
    def validate(self, content: str, media: Sequence[MediaItem]) -> list[str]:
        return content_errors(content, list(media))

    def validate_target_settings(self, settings: dict) -> dict[str, list[str]]:
        return settings_errors(settings)

    def publish(self, target, content: str, media: Sequence[MediaItem]) -> PublishResult:
        media = list(media)
        options = target.platform_specific_settings or {}
        errors = self.validate(content, media) + [m for messages in settings_errors(options).values() for m in messages]
        if errors:
            raise InvalidContent(" ".join(errors), errors=errors)
        kind, body = post_kind(content, media, options)
        if kind == "image":
            item = media[0]
            with item.open() as handle:
                body["image"] = PostMedia(handle.read(), name=f"image.{EXTENSIONS[item.mime_type]}")
            body["without_websockets"] = True  # praw would wait on Reddit's websocket for the id; we list instead
        subreddit = self.reddit.subreddit(subreddit_name(options["subreddit"]))
        flair = {key: options[key] for key in ("flair_id", "flair_text") if options.get(key)}
        submission = self._call(lambda: subreddit.submit(options["title"], **flair, **body), what="post", unsafe=True)
        if submission is None:  # an image post: Reddit answers with the user's page, not the post
            return self._find_image_post(target)
        return self._result(submission)

    def _find_image_post(self, target) -> PublishResult:
        for attempt in range(IMAGE_LISTING_TRIES):
            found = self.reconcile(target).found
            if found is not None:
                return found
            if attempt + 1 < IMAGE_LISTING_TRIES:
                time.sleep(IMAGE_LISTING_WAIT)
        raise OutcomeUnknown("Reddit accepted the image post but has not listed it yet.")

    def _result(self, submission, created_utc=None) -> PublishResult:
        created = created_utc if created_utc is not None else submission.__dict__.get("created_utc")
        return PublishResult(
            platform_post_id=str(submission.id),
            url=f"{settings.REDDIT_URL.rstrip('/')}/comments/{submission.id}/",
            published_at=datetime.fromtimestamp(created, dt_timezone.utc) if created else None,
        )

    def delete(self, platform_post_id: str) -> None:
        self._call(lambda: self.reddit.submission(id=platform_post_id).delete(), what="post deletion")

    # --- Account metrics (analytics, issue 15) --------------------------------------------------
    def account_metrics(self):
        """GET /api/v1/me (identity scope): link_karma, comment_karma and total_karma; the followers of
        a Reddit account are the subscribers of its profile subreddit (`subreddit.subscribers`), when it
        has one (www.reddit.com/dev/api#GET_api_v1_me)."""
        from ..base import AccountMetrics

        def read():
            me = self.reddit.user.me()
            return dict(me.__dict__)

        data = self._call(read, what="account")
        raw = {key: int(data[key]) for key in ("link_karma", "comment_karma", "total_karma") if isinstance(data.get(key), (int, float))}
        profile = data.get("subreddit")
        subscribers = getattr(profile, "subscribers", None) if profile is not None and not isinstance(profile, dict) else (profile or {}).get("subscribers")
        if isinstance(subscribers, int):
            raw["subscribers"] = subscribers
        return AccountMetrics(followers=raw.get("subscribers"), raw=raw)
    # --- end of account metrics ------------------------------------------------------------------

    def fetch_metrics(self, platform_post_id: str) -> Metrics:
        def read():
            submission = self.reddit.submission(id=platform_post_id)
            submission._fetch()
            return submission

        submission = self._call(read, what="post")
        raw = {"score": int(submission.score), "upvote_ratio": float(submission.upvote_ratio), "num_comments": int(submission.num_comments)}
        return Metrics(likes=raw["score"], replies=raw["num_comments"], raw=raw)

    def reconcile(self, target) -> Reconciliation:
        options = target.platform_specific_settings or {}
        wanted_sub, wanted_title = subreddit_name(options.get("subreddit")).lower(), options.get("title")
        since = next((t for t in (target.claimed_at, target.dispatched_at, target.last_attempt_at) if t), None)
        cutoff = since.timestamp() - CLOCK_SKEW.total_seconds() if since else None
        listing = self._call(
            lambda: list(self.reddit.redditor(self.account.platform_username).submissions.new(limit=RECENT_LIMIT)), what="recent posts"
        )
        for submission in listing:
            created = submission.__dict__.get("created_utc")
            recent = cutoff is None or created is None or created >= cutoff
            if recent and submission.title == wanted_title and str(submission.subreddit).lower() == wanted_sub:
                return Reconciliation(found=self._result(submission, created))
        oldest = min((s.__dict__.get("created_utc") or 0 for s in listing), default=None)
        saw_everything = len(listing) < RECENT_LIMIT or (cutoff is not None and oldest is not None and oldest < cutoff)
        return Reconciliation(not_found=True) if saw_everything else Reconciliation()

    # --- Account ----------------------------------------------------------------------------
    def verify_credentials(self) -> AccountProfile:
        me = self._call(lambda: self.reddit.user.me(), what="account")
        return AccountProfile(platform_user_id=str(me.id), platform_username=str(me.name), display_name=f"u/{me.name}", platform="reddit")

    def refresh_access_token(self) -> TokenSet:
        return oauth.refresh(self.account.refresh_token)

    # --- Connect flow -----------------------------------------------------------------------
    @classmethod
    def authorization_url(cls, *, state, redirect_uri, code_challenge, instance_url="", oauth_app=None) -> str:
        return oauth.authorization_url(state=state, redirect_uri=redirect_uri)

    @classmethod
    def exchange_code(cls, *, code, redirect_uri, code_verifier, instance_url="", oauth_app=None) -> AccountProfile:
        return oauth.exchange_code(code=code, redirect_uri=redirect_uri)
