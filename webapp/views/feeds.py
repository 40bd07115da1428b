"""Feeds: the workspace's RSS / Atom subscriptions with their state and recent items, subscribing,
editing, pausing and resuming, deleting and "Check now". Every change calls feeds/services.py, as the
API (/api/v1/feeds/), the admin and the poll task do."""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError

from feeds import services
from feeds.models import FeedItem, FeedSubscription

from ..context import workspace_view
from ..errors import add_service_errors, run_service
from ..forms_feed import SERVICE_FIELDS, FeedForm
from ..render import page, paginate

RECENT_ITEMS = 5
POSTED = [FeedItem.Outcome.QUEUED, FeedItem.Outcome.DRAFT]  # the outcomes of an item that became a post


def _subscriptions(workspace):
    recent = FeedItem.objects.only("id", "subscription_id", "title", "link", "outcome", "post_id", "note", "seen_at").order_by("-seen_at", "-id")
    return (
        FeedSubscription.objects.filter(workspace=workspace)
        .select_related("queue")
        .annotate(items_seen=Count("items"), posts_created=Count("items", filter=Q(items__outcome__in=POSTED)))
        .prefetch_related("accounts", Prefetch("items", queryset=recent[:RECENT_ITEMS], to_attr="recent_items"))
        .order_by("id")
    )


def _subscription(request, feed_id):
    return get_object_or_404(FeedSubscription, workspace=request.workspace, pk=feed_id)


def _save(form, call):
    """Run the service with the form's values; its refusals go next to the fields. The saved row or None."""
    if not form.is_valid():
        return None
    try:
        return call(form.service_values())
    except ValidationError as exc:
        add_service_errors(form, exc, aliases=SERVICE_FIELDS)
        return None


@workspace_view()
def feed_list(request):
    """The list, and the "New feed" form (POST subscribes; a refused form answers 400 with its errors)."""
    form = FeedForm(request.POST if request.method == "POST" else None, workspace=request.workspace)
    if request.method == "POST":
        subscription = _save(form, lambda values: services.subscription_create(workspace=request.workspace, user=request.user, **values))
        if subscription is not None:
            messages.success(request, f"Subscribed to {subscription}. It is checked within a minute.")
            return redirect("webapp:feeds")
    page_obj, base = paginate(request, _subscriptions(request.workspace))
    return page(request, "app/feeds.html", {"page_obj": page_obj, "querystring_base": base, "form": form, "page_title": "Feeds"},
                status=400 if form.errors else 200)


@workspace_view()
def feed_edit(request, feed_id):
    subscription = _subscription(request, feed_id)
    form = FeedForm(request.POST if request.method == "POST" else None, workspace=request.workspace, subscription=subscription)
    if request.method == "POST":
        def update(values):
            if values["url"] == subscription.url:
                del values["url"]  # unchanged: not resolved again, so a feed whose host is down can still be edited
            return services.subscription_update(subscription=subscription, changes=values)

        if _save(form, update) is not None:
            messages.success(request, f"Feed {subscription} saved.")
            return redirect("webapp:feeds")
    return page(request, "app/feed_form.html", {"form": form, "subscription": subscription, "page_title": f"Edit {subscription}"},
                status=400 if form.errors else 200)


@require_POST
@workspace_view()
def feed_action(request, feed_id, action):
    subscription = _subscription(request, feed_id)
    if action in ("pause", "resume"):
        done = f"{subscription} paused." if action == "pause" else f"{subscription} resumed: it is checked within a minute."
        run_service(request, lambda: services.subscription_update(subscription=subscription, changes={"is_active": action == "resume"}), done)
    elif action == "delete":
        services.subscription_delete(subscription=subscription)
        messages.success(request, f"Unsubscribed from {subscription}. The posts it made stay.")
    elif action == "check":
        _check(request, subscription)
    else:
        raise Http404("No such action.")
    return redirect("webapp:feeds")


def _check(request, subscription):
    """Poll now, as the API's poll action and the task do (waits for the download, 30 s at most)."""
    result = services.poll(subscription_id=subscription.pk)
    name = FeedSubscription.objects.filter(pk=subscription.pk).values_list("title", flat=True).first() or subscription.url
    if result.status == "error":
        messages.error(request, f"Checked {name}: {result.error}")
    elif result.status == "not_modified":
        messages.success(request, f"Checked {name}: nothing new since the last check.")
    elif result.skipped_existing:
        messages.success(request, f"Checked {name}: {result.skipped_existing} item(s) already in the feed noted; only newer items become posts.")
    else:
        messages.success(request, f"Checked {name}: {result.new_items} new item(s), {result.posts_created} post(s) created.")
