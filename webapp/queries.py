"""Read queries the pages share, each in a fixed number of SQL queries whatever the number of rows."""

from django.db.models import Prefetch, Q

from social_media.models import ConnectedAccount, Post, PostTarget, PublishAttempt, Status
from social_media.services.accounts import DISCONNECTED_MESSAGE

PROBLEM_TARGET_STATUSES = (Status.FAILED, Status.UNCONFIRMED)


def posts_with_targets(workspace):
    """The workspace's posts with their targets and accounts prefetched (for lists and the calendar)."""
    return Post.objects.filter(workspace=workspace).prefetch_related(
        Prefetch("targets", queryset=PostTarget.objects.select_related("account").order_by("id"))
    )


def post_detail(workspace, post_id):
    """One post of the workspace with targets, accounts, attempts and media (404 via .get)."""
    return (
        Post.objects.filter(workspace=workspace)
        .select_related("author", "queue_entry__queue")
        .prefetch_related(
            Prefetch("targets", queryset=PostTarget.objects.select_related("account").order_by("id")),
            Prefetch("targets__attempts", queryset=PublishAttempt.objects.order_by("attempt_number", "id")),
            "post_media__media",
        )
        .get(pk=post_id)
    )


def problem_targets(workspace):
    """Failed and unconfirmed targets that need a person, newest first."""
    return (
        PostTarget.objects.filter(post__workspace=workspace, status__in=PROBLEM_TARGET_STATUSES)
        .select_related("post", "account")
        .order_by("-last_attempt_at", "-id")
    )


def accounts_needing_reconnect(workspace):
    return ConnectedAccount.objects.filter(workspace=workspace).filter(Q(needs_reconnect=True) | Q(is_active=False)).order_by("id")


def disconnected_posts(workspace):
    """Posts with a target that failed because its account was disconnected. The targets are found by
    their status first (the index on status), so the query reads failed targets alone, never the
    workspace's history of posted ones."""
    return (
        Post.objects.filter(workspace=workspace, targets__status=Status.FAILED, targets__error_message=DISCONNECTED_MESSAGE)
        .distinct()
        .order_by("-created_at", "-id")
    )


def problem_count(workspace):
    targets = PostTarget.objects.filter(post__workspace=workspace, status__in=PROBLEM_TARGET_STATUSES).count()
    return targets + accounts_needing_reconnect(workspace).filter(needs_reconnect=True).count()
