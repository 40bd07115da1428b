"""Content validation against each target's network, before a post is scheduled.

Each adapter's `validate(content, media)` knows its network's limits (X weighted characters, Bluesky
graphemes, Mastodon per-instance limits read into account.platform_settings); this module only feeds it
the right content and media for every target and collects the answers.
"""

from django.conf import settings

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
    return media_items_of([link.media for link in links])


def media_items_of(media_files) -> list[MediaItem]:
    """MediaFile rows as the adapters see them, in the given order (bytes opened lazily)."""
    return [
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
        for media in media_files
    ]


def validate_post(post) -> dict[str, list[str]]:
    """Problems of the post on each of its targets' networks: {"<account id>": ["..."]}; empty when valid.

    Each target is checked with its own content (custom_content, else the post's content).
    A target whose account is inactive cannot be published and is reported too."""
    media = media_items_for(post)
    errors = {}
    for target in post.targets.select_related("account").order_by("id"):
        account = target.account
        problems = _account_problems(account) or list(
            PlatformFactory.get_platform(account).validate(target.custom_content or post.content, media)
        )
        if problems:
            errors[str(account.pk)] = problems
    return errors


def _account_problems(account):
    if not account.is_active:
        return ["The account is disconnected; reconnect it or remove it from the post."]
    if not getattr(settings, f"{account.platform.upper()}_ENABLED", True):
        return [f"Publishing to {PLATFORMS[account.platform][0]} is turned off on this server."]
    return []


def validate_draft(*, accounts, content, custom_content=None, media_files=()) -> list[dict]:
    """What validate_post would say of a post not saved yet (the composer asks as the user types),
    plus each account's counter: [{"account", "content", "used", "limit", "errors"}], one per account."""
    media = media_items_of(media_files)
    custom_content = custom_content or {}
    report = []
    for account in accounts:
        text = custom_content.get(str(account.pk)) or content
        adapter = PlatformFactory.get_platform(account)
        used, limit = adapter.text_usage(text)
        problems = _account_problems(account) or list(adapter.validate(text, media))
        report.append({"account": account, "content": text, "used": used, "limit": limit, "errors": problems})
    return report
