"""Resolving `unconfirmed` targets: the engine could not tell whether the network has the post and
would not risk a duplicate. Staff settle it: ask the network again, or say what they saw."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import NotFound, ValidationError

from config.exceptions import Conflict
from social_media.models import PostTarget, Status
from social_media.platforms import PlatformFactory
from social_media.platforms.base import PlatformError

from .links import post_link
from .posts import post_refresh_status


def _locked_unconfirmed(target):
    locked = PostTarget.objects.select_for_update().select_related("account", "post").filter(pk=target.pk).first()
    if locked is None:
        raise NotFound("Target not found.")
    if locked.status != Status.UNCONFIRMED:
        raise Conflict(f"Only an unconfirmed target can be resolved; this one is {locked.status}.")
    return locked


def _settle(locked, **fields):
    PostTarget.objects.filter(pk=locked.pk, status=Status.UNCONFIRMED).update(**fields)
    post_refresh_status(post=locked.post)
    if fields.get("status") == Status.POSTED:
        from first_comments.services import delivery_create_for  # the post's first comment, if it has one

        delivery_create_for(target=locked)


def clean_post_url(value):
    """The link staff give to the published post: empty, or an http(s) URL that fits the column."""
    value = (value or "").strip()
    if not value:
        return ""
    if not value.startswith(("https://", "http://")):
        raise ValidationError({"platform_post_url": ["The link to the published post must start with https://."]})
    limit = PostTarget._meta.get_field("platform_post_url").max_length
    if len(value) > limit:
        raise ValidationError({"platform_post_url": [f"The link to the published post can be at most {limit} characters."]})
    try:
        URLValidator(schemes=["http", "https"])(value)
    except DjangoValidationError:
        raise ValidationError({"platform_post_url": ["Enter the link to the published post, like https://mastodon.social/@you/123."]}) from None
    return value


@transaction.atomic
def target_resolve(*, target, published, platform_post_url=""):
    """Staff checked the account: the post is there (published=True) or it is not."""
    platform_post_url = clean_post_url(platform_post_url)
    locked = _locked_unconfirmed(target)
    if published:
        _settle(locked, status=Status.POSTED, posted_at=locked.last_attempt_at or timezone.now(),
                platform_post_url=platform_post_url or locked.platform_post_url, error_message="")
    else:
        _settle(locked, status=Status.FAILED,
                error_message="Not published: confirmed missing on the network by staff. Retry to publish it.")
    return locked


@transaction.atomic
def target_reconcile_now(*, target):
    """Ask the network again. Returns 'posted', 'failed' (not there: retry to send) or 'unconfirmed'."""
    locked = _locked_unconfirmed(target)
    try:
        answer = PlatformFactory.get_platform(locked.account).reconcile(locked)
    except PlatformError:
        return Status.UNCONFIRMED
    if answer.found is not None:
        link, note = post_link(answer.found.url)  # only an http(s) link is stored
        _settle(locked, status=Status.POSTED, platform_post_id=answer.found.platform_post_id,
                platform_post_url=link, posted_at=answer.found.published_at or locked.last_attempt_at or timezone.now(),
                error_message=note)
        return Status.POSTED
    if answer.not_found:
        _settle(locked, status=Status.FAILED, error_message="Not published: the network has no such post. Retry to publish it.")
        return Status.FAILED
    return Status.UNCONFIRMED
