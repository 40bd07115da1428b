"""Content validation against each target's network, before a post is scheduled.

Each adapter's `validate(content, media)` knows its network's limits (X weighted characters, Bluesky
graphemes, Mastodon per-instance limits read into account.platform_settings); this module feeds it
each target's content and the media as that network will receive it: the per-network renditions of
media/ (a 1.3 MB photo is checked as the ≤ 1,000,000-byte Bluesky rendition it becomes). What no
rendition can fix (a video too long) is reported per target with what to do.
"""

from django.conf import settings
from django.db import transaction

from media.targets import fit_errors, item_of, media_fit, media_links, prepared_media
from social_media.models import without_secrets
from social_media.platforms import PLATFORMS, PlatformFactory
from social_media.platforms.base import InvalidContent, MediaItem

from .publishing_quota import quota_warnings


def media_items_for(post, target=None) -> list[MediaItem]:
    """The post's attachments, in their order, as `target`'s network gets them: its renditions, made
    now where missing, each with a signed public URL. Without a target: the stored originals.
    Raises InvalidContent when a file cannot be made acceptable to the network."""
    if target is None:
        return [item_of(media) for media in media_links(post)]
    items, problems, _pending = prepared_media(post, target.account, fit=media_fit(target), make_video=True)
    if problems:
        raise InvalidContent(problems[0] if len(problems) == 1 else " ".join(problems), errors=problems)
    return items


def validate_target_settings(post) -> dict[str, dict[str, list[str]]]:
    """Field errors of each target's platform_specific_settings (Reddit: subreddit, title, flair):
    {"<account id>": {"title": ["..."]}}; empty when valid."""
    errors = {}
    for target in without_secrets(post.targets.select_related("account"), "account").order_by("id"):
        problems = PlatformFactory.get_platform(target.account).validate_target_settings(target.platform_specific_settings or {})
        if problems:
            errors[str(target.account_id)] = problems
    return errors


def validate_post(post) -> dict[str, list[str]]:
    """Problems of the post on each of its targets' networks: {"<account id>": ["..."]}; empty when valid.

    Each target is checked with its own content (custom_content, else the post's content) and its own
    renditions. A target whose account is inactive cannot be published and is reported too. Video
    renditions still to be made are queued on the media queue once the transaction commits."""
    errors, pending = {}, set()
    media_files = media_links(post)  # read and checked once, for every target
    is_thread = post.thread_parts.exists()
    for target in without_secrets(post.targets.select_related("account"), "account").order_by("id"):
        account = target.account
        problems = _account_problems(account)
        if not problems:
            content = target.custom_content or post.content
            media, problems, waiting = prepared_media(post, account, fit=media_fit(target), make_video=False, media_files=media_files)
            problems = fit_errors(target) + problems
            adapter = PlatformFactory.get_platform(account)
            problems += list(adapter.validate(content, media))
            if is_thread and not adapter.supports_threads:
                problems.append(THREAD_REFUSED.format(network=PLATFORMS[account.platform][0]))
            if not problems:
                pending.update((target.pk, media_id) for media_id in waiting)
        if problems:
            errors[str(account.pk)] = problems
    if pending and not errors:
        from media.tasks import make_renditions

        target_ids = sorted({target_id for target_id, _ in pending})
        transaction.on_commit(lambda: make_renditions.delay(target_ids))
    return errors


THREAD_REFUSED = "{network} cannot publish a thread: remove the thread's other parts, or this account from the post."


def validate_thread(post) -> dict[str, dict[str, list[str]]]:
    """Problems of each part after the first on each target's network (docs/threads.md), keyed by the
    part's index in the API's `thread` list: {"0": {"content": ["Bluesky @alice: ..."]}}; empty when
    valid. Networks that cannot thread are reported by validate_post, per account."""
    from .threads import part_media_files, thread_parts_of

    parts = thread_parts_of(post)
    if not parts:
        return {}
    errors = {}
    files = {part.position: part_media_files(part, post.workspace_id) for part in parts}
    for target in without_secrets(post.targets.select_related("account"), "account").order_by("id"):
        account = target.account
        adapter = PlatformFactory.get_platform(account)
        if _account_problems(account) or not adapter.supports_threads:
            continue
        for part in parts:
            media, problems, _waiting = prepared_media(None, account, fit=media_fit(target), make_video=False, media_files=files[part.position])
            problems += list(adapter.validate(part.content, media))
            if problems:
                label = f"{PLATFORMS[account.platform][0]} @{account.platform_username}"
                errors.setdefault(str(part.position - 1), {}).setdefault("content", []).extend(f"{label}: {p}" for p in problems)
    return errors


def thread_usage(*, accounts, parts) -> list[list[dict]]:
    """The composer's per-part counters: for each part after the first ({"content", "media_files"}),
    one {"account", "used", "limit", "errors"} per account, as validate_thread will judge it."""
    report = []
    for part in parts:
        row = []
        for account in accounts:
            adapter = PlatformFactory.get_platform(account)
            text = part.get("content") or ""
            used, limit = adapter.text_usage(text)
            if not adapter.supports_threads:
                problems = [THREAD_REFUSED.format(network=PLATFORMS[account.platform][0])]
            else:
                media, problems, _waiting = prepared_media(
                    None, account, make_video=False, media_files=list(part.get("media_files") or []), check_stored=False
                )
                problems += list(adapter.validate(text, media))
            row.append({"account": account, "used": used, "limit": limit, "errors": problems})
        report.append(row)
    return report


def _account_problems(account):
    if not account.is_active:
        return ["The account is disconnected; reconnect it or remove it from the post."]
    if not getattr(settings, f"{account.platform.upper()}_ENABLED", True):
        return [f"Publishing to {PLATFORMS[account.platform][0]} is turned off on this server."]
    return []


def validate_draft(*, accounts, content, custom_content=None, media_files=(), target_settings=None, at=None, post_id=None) -> list[dict]:
    """What validate_post and validate_target_settings would say of a post not saved yet (the composer
    asks as the user types), plus each account's counter: [{"account", "content", "used", "limit",
    "errors", "warnings"}], one per account. Media is checked as each network will get it (its renditions), as
    when the post is scheduled; `target_settings` only for the accounts it names. `warnings`: what may make
    the post wait though valid (a daily publishing limit reached around `at`, publishing_quota.py)."""
    media_files = list(media_files)
    custom_content, target_settings = custom_content or {}, target_settings or {}
    report = []
    for account in accounts:
        text = custom_content.get(str(account.pk)) or content
        adapter = PlatformFactory.get_platform(account)
        used, limit = adapter.text_usage(text)
        problems = _account_problems(account)
        if not problems:
            media, problems, _waiting = prepared_media(None, account, make_video=False, media_files=media_files, check_stored=False)
            problems += list(adapter.validate(text, media))
            if str(account.pk) in target_settings:
                problems += [m for messages in adapter.validate_target_settings(target_settings[str(account.pk)]).values() for m in messages]
        warnings = quota_warnings(account=account, at=at, exclude_post_id=post_id) if account.is_active else []
        report.append({"account": account, "content": text, "used": used, "limit": limit, "errors": problems, "warnings": warnings})
    return report
