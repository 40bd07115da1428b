"""Time zones of insights.

A workspace's figures are read in the workspace's time zone: `metadata["timezone"]` when set (staff set
it in the admin), else the time zone of the person asking (their profile), else UTC. An account's
best times are read in the time zone of the newest active queue that posts to it (that is where its
slots are set), else the workspace's."""

import zoneinfo

from social_media.models import PostQueue


def zone(name, default="UTC"):
    try:
        return zoneinfo.ZoneInfo(name or default)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(default)


def workspace_timezone(*, workspace, user=None):
    name = (workspace.metadata or {}).get("timezone") or getattr(user, "timezone", "") or "UTC"
    return zone(name)


def account_timezone(*, account, user=None):
    queue = (
        PostQueue.objects.filter(target_accounts=account, is_active=True)
        .order_by("-created_at", "-id")
        .values_list("timezone", flat=True)
        .first()
    )
    return zone(queue) if queue else workspace_timezone(workspace=account.workspace, user=user)
