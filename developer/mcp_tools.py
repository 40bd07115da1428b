"""What the MCP server's tools do: plain functions on the scheduler's services, acting as the personal
API token's user in its workspace, with that user's role and the token's scope (checked on every call,
so a revoked token stops at once). They return JSON-ready dicts and raise ToolRefused with a sentence."""

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import APIException

from accounts.models import Membership
from analytics.services import workspace_overview
from social_media.models import ConnectedAccount, Post, PostQueue, PostTarget, Status, without_secrets
from social_media.platforms import PlatformFactory
from social_media.services import posts as post_services
from social_media.services.queues import queue_add_post
from social_media.services.validation import validate_draft

from .authentication import token_membership

UPCOMING = [Status.SCHEDULED, Status.QUEUED, Status.PUBLISHING]
PROBLEMS = [Status.FAILED, Status.UNCONFIRMED]
MAX_LIST = 100


class ToolRefused(Exception):
    """A sentence for the agent: what was wrong and what to do."""


def _message(exc) -> str:
    detail = getattr(exc, "message_dict", None) or getattr(exc, "detail", None) or getattr(exc, "messages", None) or str(exc)
    if isinstance(detail, dict):
        return "; ".join(f"{field}: {' '.join(map(str, msgs if isinstance(msgs, list) else [msgs]))}" for field, msgs in detail.items())
    if isinstance(detail, list):
        return " ".join(map(str, detail))
    return str(detail)


class Session:
    """The token's identity, resolved again for every call."""

    def __init__(self, raw_token: str):
        self.raw_token = raw_token

    def membership(self, *, write: bool):
        try:
            membership, _ = token_membership(self.raw_token, method="POST" if write else "GET")
        except APIException as exc:
            raise ToolRefused(_message(exc)) from None
        if write and not membership.has_role(Membership.Role.EDITOR):
            raise ToolRefused(f"Your role in {membership.workspace.name} is {membership.role}; changing posts needs editor or above.")
        return membership

    def run(self, write, work):
        membership = self.membership(write=write)
        try:
            with transaction.atomic():
                return work(membership)
        except (DjangoValidationError, APIException) as exc:
            raise ToolRefused(_message(exc)) from None


def _accounts(workspace, ids):
    ids = [int(i) for i in ids]
    found = without_secrets(ConnectedAccount.objects.filter(workspace=workspace, is_active=True, pk__in=ids)).in_bulk()
    missing = [i for i in ids if i not in found]
    if missing:
        raise ToolRefused(f"No active connected account with id {', '.join(map(str, missing))} in this workspace; list_accounts shows them.")
    return [found[i] for i in ids]


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None or timezone.is_naive(parsed):
        raise ToolRefused("Give the time as ISO 8601 with a UTC offset, e.g. 2030-01-31T09:00:00+01:00.")
    return parsed


def post_summary(post) -> dict:
    targets = PostTarget.objects.filter(post=post).select_related("account").order_by("id")
    return {
        "id": post.pk,
        "status": post.status,
        "content": post.content,
        "scheduled_time": post.scheduled_time.isoformat() if post.scheduled_time else None,
        "targets": [
            {"id": t.pk, "account_id": t.account_id, "platform": t.account.platform, "account": t.account.platform_username,
             "status": t.status, "error": t.error_message or None, "url": t.platform_post_url or None}
            for t in targets
        ],
    }


# --- the tools -------------------------------------------------------------------------------
def list_accounts(session):
    def work(m):
        rows = []
        for account in without_secrets(ConnectedAccount.objects.filter(workspace=m.workspace)).order_by("platform", "id"):
            adapter = PlatformFactory.get_platform(account)
            _, limit = adapter.text_usage("")
            rows.append({"id": account.pk, "platform": account.platform, "username": account.platform_username,
                         "active": account.is_active, "max_characters": limit, "limits": adapter.content_limits})
        return {"workspace": m.workspace.name, "accounts": rows}

    return session.run(False, work)


def validate(session, content, account_ids, custom_content=None):
    def work(m):
        report = validate_draft(accounts=_accounts(m.workspace, account_ids), content=content,
                                custom_content={str(k): v for k, v in (custom_content or {}).items()})
        return {"valid": not any(r["errors"] for r in report),
                "accounts": [{"account_id": r["account"].pk, "used": r["used"], "limit": r["limit"], "errors": r["errors"]} for r in report]}

    return session.run(False, work)


def create_post(session, content, account_ids, scheduled_time=None, queue_id=None, custom_content=None):
    if scheduled_time and queue_id:
        raise ToolRefused("Give either scheduled_time or queue_id, not both.")

    def work(m):
        accounts = _accounts(m.workspace, account_ids)
        post = post_services.post_create(
            workspace=m.workspace, author=m.user, content=content, accounts=accounts,
            custom_content={int(k): v for k, v in (custom_content or {}).items()} or None, scheduled_time=_time(scheduled_time),
        )
        if queue_id is not None:
            queue = PostQueue.objects.filter(workspace=m.workspace, pk=int(queue_id)).first()
            if queue is None:
                raise ToolRefused(f"No queue with id {queue_id} in this workspace.")
            queue_add_post(queue=queue, post=post)
        post.refresh_from_db()
        return post_summary(post)

    return session.run(True, work)


def get_post(session, post_id):
    def work(m):
        post = Post.objects.filter(workspace=m.workspace, pk=int(post_id)).first()
        if post is None:
            raise ToolRefused(f"No post with id {post_id} in this workspace.")
        return post_summary(post)

    return session.run(False, work)


def _listing(session, statuses, limit, order):
    def work(m):
        posts = Post.objects.filter(workspace=m.workspace, status__in=statuses).order_by(*order)[: max(1, min(int(limit), MAX_LIST))]
        return {"posts": [post_summary(p) for p in posts]}

    return session.run(False, work)


def list_upcoming(session, limit=20):
    return _listing(session, UPCOMING, limit, ["scheduled_time", "id"])


def list_failed(session, limit=20):
    return _listing(session, PROBLEMS + [Status.PARTIALLY_POSTED], limit, ["-updated_at", "-id"])


def retry_target(session, target_id):
    def work(m):
        target = PostTarget.objects.filter(post__workspace=m.workspace, pk=int(target_id)).first()
        if target is None:
            raise ToolRefused(f"No target with id {target_id} in this workspace.")
        post_services.target_retry(target=target)
        return post_summary(target.post)

    return session.run(True, work)


def cancel_post(session, post_id):
    def work(m):
        post = Post.objects.filter(workspace=m.workspace, pk=int(post_id)).first()
        if post is None:
            raise ToolRefused(f"No post with id {post_id} in this workspace.")
        post_services.post_cancel(post=post)
        post.refresh_from_db()
        return post_summary(post)

    return session.run(True, work)


def analytics(session, since=None, until=None):
    def work(m):
        overview = workspace_overview(workspace=m.workspace, since=_time(since), until=_time(until))
        return _jsonable(overview)

    return session.run(False, work)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value
