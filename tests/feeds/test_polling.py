"""A feed's new items become posts exactly once: drafts or queued, across polls, restarts and polls
running at the same time; conditional GETs; errors back off; the address guard; long items shortened."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from feeds import services
from feeds.models import FeedItem, FeedSubscription
from social_media.models import Post, PostTarget, QueuedPost, Status
from tests.factories import ConnectedAccountFactory, PostQueueFactory

from .feed_server import ATOM_TYPE, BASE_TIME, Item, atom, rss

pytestmark = pytest.mark.django_db

OLD = [
    Item("First post", "https://blog.example/first", guid="post-1", published=BASE_TIME),
    Item("Second post", "https://blog.example/second", guid="post-2", published=BASE_TIME + timedelta(hours=1)),
]
NEW = Item("Third post", "https://blog.example/third", guid="post-3", summary="<p>A &amp; B</p>", published=BASE_TIME + timedelta(hours=2))


def _poll(subscription_id):
    return services.poll(subscription_id=subscription_id)


def test_a_new_rss_item_becomes_one_draft_and_the_items_there_before_subscribing_none(feed_server, subscribe, account):
    feed_server.serve("/rss", rss(OLD), validators=False)
    feed = subscribe(url=feed_server.url("/rss"), account_ids=[account.pk])

    first = _poll(feed["id"])

    assert (first.status, first.skipped_existing, first.posts_created) == ("ok", 2, 0)
    assert Post.objects.count() == 0
    feed_server.serve("/rss", rss([*OLD, NEW]), validators=False)

    second = _poll(feed["id"])

    assert (second.status, second.new_items, second.posts_created) == ("ok", 1, 1)
    post = Post.objects.get()
    assert post.content == "Third post https://blog.example/third"
    assert post.status == Status.DRAFT and post.workspace_id == account.workspace_id
    assert list(post.targets.values_list("account_id", flat=True)) == [account.pk]
    item = FeedItem.objects.get(item_key="guid:post-3")
    assert (item.post_id, item.outcome, item.title) == (post.pk, FeedItem.Outcome.DRAFT, "Third post")
    assert FeedSubscription.objects.get().title == "Example blog"


@pytest.mark.django_db(transaction=True)  # committed rows, read again over a new connection
def test_a_second_poll_and_a_poll_after_a_restart_create_nothing_new(feed_server, subscribe, account):
    feed_server.serve("/rss", rss(OLD), validators=False)  # no ETag: every poll reads the whole document
    feed = subscribe(url=feed_server.url("/rss"), account_ids=[account.pk])
    _poll(feed["id"])
    feed_server.serve("/rss", rss([*OLD, NEW]), validators=False)
    assert _poll(feed["id"]).posts_created == 1

    again = _poll(feed["id"])
    # A restart: a new connection and nothing kept in memory; the service starts from what the database holds.
    connection.close()
    after_restart = services.poll(subscription_id=FeedSubscription.objects.get().pk)

    assert (again.status, again.new_items, again.posts_created) == ("ok", 0, 0)
    assert (after_restart.new_items, after_restart.posts_created) == (0, 0)
    assert Post.objects.count() == 1 and FeedItem.objects.count() == 3
    assert len(feed_server.requests_to("/rss")) == 4


def test_post_existing_posts_what_is_already_in_the_feed(feed_server, subscribe, account):
    feed_server.serve("/rss", rss(OLD))
    feed = subscribe(url=feed_server.url("/rss"), account_ids=[account.pk], post_existing=True)

    result = _poll(feed["id"])

    assert (result.posts_created, result.skipped_existing) == (2, 0)
    # Oldest first, so a queue would keep the feed's order.
    assert list(Post.objects.order_by("id").values_list("content", flat=True)) == [
        "First post https://blog.example/first", "Second post https://blog.example/second"]


def test_an_atom_entry_goes_to_the_queues_next_free_slot(feed_server, subscribe, workspace, account):
    queue = PostQueueFactory(workspace=workspace, posting_schedule={d: ["09:00"] for d in ("monday", "wednesday", "friday")}, timezone="UTC")
    queue.target_accounts.add(account)
    feed_server.serve("/news.atom", atom(OLD), ATOM_TYPE)
    feed = subscribe(url=feed_server.url("/news.atom"), mode="queue", queue_id=queue.pk, template="{feed_title}: {title}\n{link}")
    _poll(feed["id"])
    feed_server.serve("/news.atom", atom([*OLD, NEW]), ATOM_TYPE)

    result = _poll(feed["id"])

    assert result.posts_created == 1
    post = Post.objects.get()
    assert post.content == "Example news: Third post\nhttps://blog.example/third"
    assert post.status == Status.SCHEDULED and post.scheduled_time > timezone.now()
    assert post.scheduled_time.hour == 9 and post.scheduled_time.weekday() in (0, 2, 4)
    assert QueuedPost.objects.get(post=post).queue_id == queue.pk
    assert list(PostTarget.objects.filter(post=post).values_list("account_id", "status")) == [(account.pk, Status.SCHEDULED)]
    assert FeedItem.objects.get(post=post).outcome == FeedItem.Outcome.QUEUED


def test_items_without_guid_are_known_by_link_and_without_link_by_a_hash(feed_server, subscribe, account):
    feed_server.serve("/rss", rss([]), validators=False)
    feed = subscribe(url=feed_server.url("/rss"), account_ids=[account.pk], template="{title} {link} {summary}")
    _poll(feed["id"])
    items = [Item("By link", "https://blog.example/by-link"), Item("No link at all", "", summary="<b>bold</b> &amp; plain")]
    feed_server.serve("/rss", rss(items), validators=False)

    assert _poll(feed["id"]).posts_created == 2
    assert _poll(feed["id"]).posts_created == 0

    keys = sorted(FeedItem.objects.values_list("item_key", flat=True))
    assert keys[0] == "link:https://blog.example/by-link" and keys[1].startswith("sha256:")
    assert Post.objects.filter(content="No link at all  bold & plain").exists()


def test_a_304_is_honoured_with_the_validators_of_the_last_answer(feed_server, subscribe, account):
    feed_server.serve("/rss", rss(OLD))
    feed = subscribe(url=feed_server.url("/rss"), account_ids=[account.pk])
    _poll(feed["id"])

    result = _poll(feed["id"])

    assert result.status == "not_modified"
    conditional = feed_server.requests_to("/rss")[-1].headers
    assert conditional["if-none-match"] == '"v-1"'
    assert conditional["if-modified-since"] == "Mon, 02 Nov 2026 08:00:00 GMT"
    subscription = FeedSubscription.objects.get()
    assert subscription.last_success_at is not None and subscription.consecutive_failures == 0
    feed_server.serve("/rss", rss([*OLD, NEW]))  # a new ETag

    assert _poll(feed["id"]).posts_created == 1
    assert FeedSubscription.objects.get().etag == '"v-2"'


def test_errors_are_recorded_and_back_off_until_a_success(feed_server, subscribe, account):
    feed_server.serve("/rss", rss(OLD))
    feed = subscribe(url=feed_server.url("/rss"), account_ids=[account.pk], poll_interval_minutes=10)
    feed_server.fail_next("status", times=2, path="/rss", status=503, body={"error": "busy"})

    first = _poll(feed["id"])
    waits = [FeedSubscription.objects.get().next_poll_at - timezone.now()]
    _poll(feed["id"])
    subscription = FeedSubscription.objects.get()
    waits.append(subscription.next_poll_at - timezone.now())

    assert (first.status, first.error) == ("error", "The feed answered HTTP 503.")
    assert (subscription.consecutive_failures, subscription.last_error) == (2, "The feed answered HTTP 503.")
    assert timedelta(minutes=19) < waits[0] <= timedelta(minutes=20)
    assert timedelta(minutes=39) < waits[1] <= timedelta(minutes=40)
    assert services.backoff(interval_minutes=10, failures=30) == services.MAX_BACKOFF

    assert _poll(feed["id"]).status == "ok"
    subscription.refresh_from_db()
    assert (subscription.consecutive_failures, subscription.last_error) == (0, "")
    assert timedelta(minutes=9) < subscription.next_poll_at - timezone.now() <= timedelta(minutes=10)


@pytest.mark.parametrize("body, content_type, message", [
    (b"<html><body>Hello</body></html>", "text/html", "This is not an RSS or Atom feed"),
    (b"", "application/rss+xml", "This is not an RSS or Atom feed"),
])
def test_a_document_that_is_no_feed_is_an_error(feed_server, subscribe, account, body, content_type, message):
    feed_server.serve("/page", body, content_type)
    feed = subscribe(url=feed_server.url("/page"), account_ids=[account.pk])

    result = _poll(feed["id"])

    assert result.status == "error" and result.error.startswith(message)
    assert FeedSubscription.objects.get().last_error.startswith(message)


def test_a_body_over_the_cap_is_refused(feed_server, subscribe, account, monkeypatch):
    from feeds import fetch

    monkeypatch.setattr(fetch, "MAX_BYTES", 1024)
    feed_server.serve("/big", rss([Item("x" * 2000, "https://blog.example/x", guid="x")]))
    feed = subscribe(url=feed_server.url("/big"), account_ids=[account.pk])

    result = _poll(feed["id"])

    assert result.error == "The feed is larger than 1 KB; the scheduler reads at most that much."
    assert FeedSubscription.objects.get().last_error == result.error and Post.objects.count() == 0


def test_redirects_are_followed_through_the_guard_and_at_most_five(feed_server, subscribe, account):
    feed_server.serve("/rss", rss(OLD))
    feed_server.redirects["/moved"] = feed_server.url("/rss")
    feed_server.redirects["/to-metadata"] = "http://169.254.169.254/latest/meta-data/"
    for hop in range(6):
        feed_server.redirects[f"/loop{hop}"] = feed_server.url(f"/loop{hop + 1}")
    moved = subscribe(url=feed_server.url("/moved"), account_ids=[account.pk])
    metadata = subscribe(url=feed_server.url("/to-metadata"), account_ids=[account.pk])
    loop = subscribe(url=feed_server.url("/loop0"), account_ids=[account.pk])

    assert _poll(moved["id"]).skipped_existing == 2
    assert _poll(metadata["id"]).error == "169.254.169.254 is not a public internet address; the scheduler does not connect there."
    assert _poll(loop["id"]).error == "The feed redirected more than 5 times."
    assert len(feed_server.requests_to("/loop5")) == 1 and not feed_server.requests_to("/loop6")


def test_a_long_item_is_shortened_at_a_word_for_the_account_whose_limit_it_passes(feed_server, subscribe, workspace, account):
    small = ConnectedAccountFactory(workspace=workspace, platform="mastodon",
                                    platform_settings={"max_characters": 80, "characters_reserved_per_url": 23})
    feed_server.serve("/rss", rss([]), validators=False)
    feed = subscribe(url=feed_server.url("/rss"), account_ids=[account.pk, small.pk], template="{title} {link}")
    _poll(feed["id"])
    title = "A rather long headline about feeds that goes on well beyond what a small instance allows in one post"
    link = "https://example.com/" + "very-long-path/" * 5  # counted as 23 (a .example host is not a link to Mastodon)
    feed_server.serve("/rss", rss([Item(title, link, guid="long")]), validators=False)

    _poll(feed["id"])

    post = Post.objects.get()
    assert post.content == f"{title} {link}"
    assert PostTarget.objects.get(post=post, account=account).custom_content == ""
    short = PostTarget.objects.get(post=post, account=small).custom_content
    assert short == "A rather long headline about feeds that goes on well… " + link  # 54 + 1 + 23 (the URL) ≤ 80
    item = FeedItem.objects.get()
    assert item.note == f"Shortened title for {small} to fit its limit."


def test_a_post_no_shortening_can_fit_stays_a_draft_with_the_networks_error(feed_server, subscribe, workspace):
    small = ConnectedAccountFactory(workspace=workspace, platform="mastodon",
                                    platform_settings={"max_characters": 50, "characters_reserved_per_url": 23})
    queue = PostQueueFactory(workspace=workspace, timezone="UTC")
    feed_server.serve("/rss", rss([]), validators=False)
    feed = subscribe(url=feed_server.url("/rss"), account_ids=[small.pk], mode="queue", queue_id=queue.pk,
                     template="Fresh from the blog, read it while it is warm: {title} {link}")
    _poll(feed["id"])
    feed_server.serve("/rss", rss([NEW]), validators=False)

    _poll(feed["id"])

    post = Post.objects.get()
    item = FeedItem.objects.get(post=post)
    assert post.status == Status.DRAFT and not QueuedPost.objects.filter(post=post).exists()
    assert item.outcome == FeedItem.Outcome.DRAFT
    assert "Kept as a draft:" in item.note and "50" in item.note


@pytest.mark.django_db(transaction=True)
def test_concurrent_polls_make_one_post_per_item(feed_server, user, account):
    feed_server.serve("/rss", rss(OLD), validators=False)
    subscription = services.subscription_create(workspace=account.workspace, user=user, url=feed_server.url("/rss"), accounts=[account])
    _poll(subscription.pk)
    fresh = [Item(f"New {n}", f"https://blog.example/new-{n}", guid=f"new-{n}", published=BASE_TIME + timedelta(days=1, minutes=n)) for n in range(6)]
    feed_server.serve("/rss", rss([*OLD, *fresh]), validators=False)
    start, results, errors = threading.Barrier(4), [], []

    def run():
        try:
            start.wait()
            results.append(_poll(subscription.pk))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []  # (every thread does see the 6 items as new: the unique insert decides who posts each)
    assert sorted(Post.objects.values_list("content", flat=True)) == sorted(f"{i.title} {i.link}" for i in fresh)
    assert sum(r.posts_created for r in results) == 6
    assert FeedItem.objects.exclude(post=None).count() == 6


def test_the_beat_task_polls_due_subscriptions_one_task_each(feed_server, subscribe, account, settings):
    from config.celery import app
    from feeds.tasks import poll_due_feeds_task

    feed_server.serve("/due", rss(OLD))
    feed_server.serve("/later", rss(OLD))
    feed_server.serve("/off", rss(OLD))
    due = subscribe(url=feed_server.url("/due"), account_ids=[account.pk])
    later = subscribe(url=feed_server.url("/later"), account_ids=[account.pk])
    off = subscribe(url=feed_server.url("/off"), account_ids=[account.pk], is_active=False)
    FeedSubscription.objects.filter(pk=later["id"]).update(next_poll_at=timezone.now() + timedelta(minutes=5))
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        polled = poll_due_feeds_task.apply().get()
    finally:
        app.conf.task_always_eager = saved

    assert polled == 1
    assert len(feed_server.requests_to("/due")) == 1
    assert feed_server.requests_to("/later") == [] and feed_server.requests_to("/off") == []
    assert FeedSubscription.objects.get(pk=due["id"]).primed is True
    assert FeedSubscription.objects.get(pk=off["id"]).primed is False
    entry = settings.CELERY_BEAT_SCHEDULE["poll-due-feeds"]
    assert entry["task"] == "feeds.tasks.poll_due_feeds_task" and entry["options"]["queue"] == "default" and entry["options"]["expires"]


def test_a_compressed_body_is_capped_as_it_is_read_not_by_its_declared_length(feed_server, subscribe, account, monkeypatch):
    import gzip

    from feeds import fetch

    monkeypatch.setattr(fetch, "MAX_BYTES", 4096)
    document = rss([Item("Padding " * 2000, "https://blog.example/big", guid="big")])
    compressed = gzip.compress(document)
    assert len(compressed) < 4096 < len(document)
    feed_server.serve("/gz", compressed, headers={"Content-Encoding": "gzip"})  # Content-Length: the compressed size
    feed = subscribe(url=feed_server.url("/gz"), account_ids=[account.pk])

    result = _poll(feed["id"])

    assert result.error == "The feed is larger than 4 KB; the scheduler reads at most that much."


def test_external_entities_in_a_feed_are_never_fetched(feed_server, subscribe, account):
    document = f"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "{feed_server.url('/entity')}">]>
<rss version="2.0"><channel><title>T</title><link>https://blog.example/</link><description>D</description>
<item><title>&secret;</title><link>https://blog.example/e</link><guid>e</guid></item></channel></rss>""".encode()
    feed_server.serve("/xxe", document)
    feed_server.serve("/entity", b"leaked", "text/plain")
    feed = subscribe(url=feed_server.url("/xxe"), account_ids=[account.pk], post_existing=True)

    _poll(feed["id"])

    assert feed_server.requests_to("/entity") == []
    assert "leaked" not in " ".join(Post.objects.values_list("content", flat=True))


def test_on_x_the_text_is_shortened_by_weighted_length_and_the_post_queued(feed_server, subscribe, workspace):
    """X counts a CJK character as 2 and any link as 23 (twitter-text): 280 weighted characters."""
    from social_media.platforms.x.text import weighted_length

    x = ConnectedAccountFactory(workspace=workspace, platform="x", platform_settings={})
    queue = PostQueueFactory(workspace=workspace, timezone="UTC", posting_schedule={"monday": ["10:00"]})
    feed_server.serve("/rss", rss([]), validators=False)
    feed = subscribe(url=feed_server.url("/rss"), account_ids=[x.pk], mode="queue", queue_id=queue.pk)
    _poll(feed["id"])
    title = " ".join(["東京の新しい記事"] * 30)  # 8 characters, 16 weighted, a word
    feed_server.serve("/rss", rss([Item(title, "https://example.com/tokyo", guid="tokyo")]), validators=False)

    _poll(feed["id"])

    post = Post.objects.get()
    text = PostTarget.objects.get(post=post).custom_content
    assert post.status == Status.SCHEDULED and FeedItem.objects.get().outcome == FeedItem.Outcome.QUEUED
    assert text.endswith("記事… https://example.com/tokyo")
    assert 280 - 17 < weighted_length(text) <= 280  # one more word (space + 16) would not fit
