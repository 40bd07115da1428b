"""The events the rest of the scheduler raises, as small functions (the engine calls these, never
emit() with hand-built payloads)."""

from social_media.models import Status

from .models import WebhookEndpoint
from .services import emit_safely

TARGET_EVENTS = {Status.POSTED: "target.published", Status.FAILED: "target.failed", Status.UNCONFIRMED: "target.unconfirmed"}
POST_EVENTS = {Status.POSTED: "post.published", Status.PARTIALLY_POSTED: "post.partially_published"}


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def target_data(target) -> dict:
    return {"post_id": target.post_id, "target_id": target.pk, "account_id": target.account_id, "status": target.status,
            "platform_post_id": target.platform_post_id or None, "url": target.platform_post_url or None,
            "error": target.error_message or None, "posted_at": _iso(target.posted_at)}


def targets_settled(target_ids) -> None:
    """After a publishing batch: an event per target that reached a verdict, and per post that did.
    One query when no workspace of the batch has an endpoint (the usual case)."""
    from social_media.models import Post, PostTarget

    target_ids = list(target_ids)
    listening = WebhookEndpoint.objects.filter(is_active=True, workspace__posts__targets__in=target_ids)
    if not target_ids or not listening.exists():
        return
    settled = list(PostTarget.objects.filter(pk__in=target_ids, status__in=list(TARGET_EVENTS)).select_related("post"))
    for target in settled:
        emit_safely(workspace_id=target.post.workspace_id, event_type=TARGET_EVENTS[target.status], data=target_data(target))
    for post in Post.objects.filter(pk__in={t.post_id for t in settled}, status__in=list(POST_EVENTS)):
        emit_safely(workspace_id=post.workspace_id, event_type=POST_EVENTS[post.status],
                    data={"post_id": post.pk, "status": post.status, "posted_at": _iso(post.posted_at)})


def post_scheduled(post) -> None:
    emit_safely(workspace_id=post.workspace_id, event_type="post.scheduled",
                data={"post_id": post.pk, "scheduled_time": _iso(post.scheduled_time)})


def account_needs_reconnect(account, message) -> None:
    emit_safely(workspace_id=account.workspace_id, event_type="account.needs_reconnect",
                data={"account_id": account.pk, "platform": account.platform, "username": account.platform_username, "message": message})


def analytics_collected(target, figures) -> None:
    emit_safely(workspace_id=target.post.workspace_id, event_type="analytics.collected",
                data={"post_id": target.post_id, "target_id": target.pk, "account_id": target.account_id, "figures": dict(figures)})
