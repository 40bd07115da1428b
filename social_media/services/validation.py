"""Content validation against each target's network, before a post is scheduled.

Each adapter's `validate(content, media)` knows its network's limits (X weighted characters, Bluesky
graphemes, Mastodon per-instance limits read into account.platform_settings); this module only feeds it
the right content and media for every target and collects the answers.
"""

from django.conf import settings

from social_media.models import without_secrets
from social_media.platforms import PLATFORMS, PlatformFactory
from social_media.platforms.base import MediaItem


def _opener(media_file):
    storage, name = media_file.file.storage, media_file.file.name
    return lambda: storage.open(name, "rb")


def media_items_for(post) -> list[MediaItem]:
    """The post's attachments, in their order, as the adapters see them (bytes opened lazily)."""
    if "post_media" in getattr(post, "_prefetched_objects_cache", {}):
        links = post.post_media.all()  # Meta ordering: order, id
    else:
        links = post.post_media.select_related("media")
    items = []
    for link in links:
        media = link.media
        items.append(
            MediaItem(
                media_id=media.pk,
                media_type=media.media_type,
                mime_type=media.mime_type,
                file_size=media.file_size,
                width=media.width,
                height=media.height,
                duration=media.duration,
                alt_text=media.alt_text,
                open=_opener(media),
            )
        )
    return items


def validate_target_settings(post) -> dict[str, dict[str, list[str]]]:
    """Field errors of each target's platform_specific_settings (Reddit: subreddit, title, flair):
    {"<account id>": {"title": ["..."]}}; empty when valid."""
    errors = {}
    for target in post.targets.select_related("account").order_by("id"):
        problems = PlatformFactory.get_platform(target.account).validate_target_settings(target.platform_specific_settings or {})
        if problems:
            errors[str(target.account_id)] = problems
    return errors


def validate_post(post) -> dict[str, list[str]]:
    """Problems of the post on each of its targets' networks: {"<account id>": ["..."]}; empty when valid.

    Each target is checked with its own content (custom_content, else the post's content).
    A target whose account is inactive cannot be published and is reported too."""
    media = media_items_for(post)
    errors = {}
    for target in without_secrets(post.targets.select_related("account"), "account").order_by("id"):
        account = target.account
        if not account.is_active:
            problems = ["The account is disconnected; reconnect it or remove it from the post."]
        elif not getattr(settings, f"{account.platform.upper()}_ENABLED", True):
            problems = [f"Publishing to {PLATFORMS[account.platform][0]} is turned off on this server."]
        else:
            content = target.custom_content or post.content
            problems = list(PlatformFactory.get_platform(account).validate(content, media))
        if problems:
            errors[str(account.pk)] = problems
    return errors
