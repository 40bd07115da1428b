"""Across restarts, with real processes: a Celery worker polls (beat's fan-out task sent through the
broker), is stopped, a new worker polls again; then manage.py poll_feeds in a process of its own. The
item became one post; the database is the only memory."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from feeds import services
from feeds.models import FeedItem, FeedSubscription
from feeds.tasks import poll_due_feeds_task
from social_media.models import Post
from tests.engine.processes import ROOT, celery_processes, wait_until, worker_env

from .feed_server import BASE_TIME, Item, rss

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

OLD = Item("Old", "https://blog.example/old", guid="old")
NEW = Item("New", "https://blog.example/new", guid="new", published=BASE_TIME + timedelta(days=1))


def _polled_again(subscription_id, requests_before, feed_server):
    def done():
        subscription = FeedSubscription.objects.get(pk=subscription_id)
        finished = subscription.last_polled_at and subscription.next_poll_at > timezone.now() + timedelta(minutes=20)
        return finished and len(feed_server.requests_to("/rss")) > requests_before
    return done


def test_an_item_becomes_one_post_across_worker_restarts_and_a_separate_process(feed_server, user, account):
    feed_server.serve("/rss", rss([OLD]), validators=False)  # no validators: every poll reads the whole feed
    subscription = services.subscription_create(workspace=account.workspace, user=user, url=feed_server.url("/rss"), accounts=[account])
    services.poll(subscription_id=subscription.pk)  # primes: "Old" was there before
    feed_server.serve("/rss", rss([OLD, NEW]), validators=False)

    for _restart in range(2):
        with celery_processes(beat=False, queues="default", concurrency=2):
            FeedSubscription.objects.filter(pk=subscription.pk).update(next_poll_at=timezone.now())
            before = len(feed_server.requests_to("/rss"))
            poll_due_feeds_task.delay()
            wait_until(_polled_again(subscription.pk, before, feed_server), timeout=90, interval=0.3)
        assert Post.objects.count() == 1

    command = [sys.executable, "manage.py", "poll_feeds", str(subscription.pk)]
    done = subprocess.run(command, cwd=ROOT, env=worker_env(), capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert "Polled 1 feed(s): 0 post(s) created, 0 error(s)." in done.stdout
    post = Post.objects.get()
    assert post.content == "New https://blog.example/new"
    assert list(FeedItem.objects.order_by("item_key").values_list("item_key", "outcome", "post_id")) == [
        ("guid:new", "draft", post.pk), ("guid:old", "skipped", None)]
    assert len(feed_server.requests_to("/rss")) == 4
