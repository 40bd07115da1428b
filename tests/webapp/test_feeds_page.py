"""The Feeds page: each subscription with its state, counts and recent items; subscribing with errors next
to the fields (the address guard, the template's placeholders, accounts of another workspace); editing,
pausing and resuming, deleting, "Check now" against a local feed server; other workspaces' feeds answer
404 and viewers only read."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feeds import services
from feeds.models import FeedItem, FeedSubscription
from social_media.models import Post
from tests.factories import PostFactory, PostQueueFactory
from tests.feeds.feed_server import BASE_TIME, FeedServer, Item, rss

pytestmark = pytest.mark.django_db

OLD = [Item("First post", "https://blog.example/first", guid="post-1"), Item("Second post", "https://blog.example/second", guid="post-2", published=BASE_TIME + timedelta(hours=1))]
NEW = Item("Third post", "https://blog.example/third", guid="post-3", published=BASE_TIME + timedelta(hours=2))
FEEDS = reverse("webapp:feeds")


@pytest.fixture(scope="module")
def feed_server():
    server = FeedServer()
    server.start()
    yield server
    server.stop()


def action(feed, name):
    return reverse("webapp:feed_action", kwargs={"feed_id": feed.pk, "action": name})


def edit(feed):
    return reverse("webapp:feed_edit", kwargs={"feed_id": feed.pk})


def feed_data(**overrides):
    data = {"url": "https://blog.example/feed.xml", "mode": "draft", "template": "{title} {link}", "poll_interval_minutes": "30"}
    data.update(overrides)
    return data


def subscribed(workspace, account, url="https://blog.example/feed.xml", **fields):
    feed = FeedSubscription.objects.create(workspace=workspace, url=url, **fields)
    feed.accounts.add(account)
    return feed


def test_the_list_shows_each_feed_its_state_counts_and_the_posts_its_items_made(editor, team_workspace, mastodon):
    feed = subscribed(team_workspace, mastodon, title="Example blog", template="{title}: {summary} {link}",
                      last_polled_at=timezone.now(), consecutive_failures=2, last_error="The feed answered HTTP 503.")
    post = PostFactory(workspace=team_workspace, content="Third post")
    FeedItem.objects.create(subscription=feed, item_key="guid:1", title="First post", link="https://blog.example/first", outcome=FeedItem.Outcome.SKIPPED)
    FeedItem.objects.create(subscription=feed, item_key="guid:3", title="Third post", link="https://blog.example/third", outcome=FeedItem.Outcome.DRAFT, post=post)
    FeedItem.objects.create(subscription=feed, item_key="guid:4", title="Fourth", outcome=FeedItem.Outcome.FAILED, note="Instagram needs an image.")

    response = editor.get(FEEDS)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/feeds/" aria-current="page">Feeds</a>' in html
    assert "Example blog" in html and 'href="https://blog.example/feed.xml"' in html
    assert "Mastodon @alice" in html and "drafts" in html and "<code>{title}: {summary} {link}</code>" in html
    assert 'data-label="Items seen">3<' in html and 'data-label="Posts created">1<' in html
    assert "The last check failed (2 times in a row): The feed answered HTTP 503." in html
    assert f'href="{reverse("webapp:post_detail", kwargs={"post_id": post.pk})}">post #{post.pk}</a>' in html
    assert "Instagram needs an image." in html
    assert "{link}" in html and "{feed_title} (the feed&#x27;s title)" in html  # the placeholders, as the form's help
    assert 'data-confirm="Unsubscribe from Example blog? The posts it made stay."' in html


def test_it_subscribes_with_the_new_feed_form(editor, team_workspace, mastodon, feed_server):
    queue = PostQueueFactory(workspace=team_workspace)

    response = editor.post(FEEDS, feed_data(url=feed_server.url("/rss"), mode="queue", queue=queue.pk, accounts=[mastodon.pk],
                                            template="{title} via {feed_title} {link}", poll_interval_minutes="15", post_existing="on"))

    assert response.status_code == 302 and response["Location"] == FEEDS
    feed = FeedSubscription.objects.get()
    assert (feed.workspace, feed.url, feed.mode, feed.queue, feed.template) == (team_workspace, feed_server.url("/rss"), "queue", queue, "{title} via {feed_title} {link}")
    assert (feed.poll_interval_minutes, feed.post_existing, feed.is_active, feed.created_by) == (15, True, True, editor.user)
    assert list(feed.accounts.all()) == [mastodon] and feed.next_poll_at is not None
    assert "Subscribed to " in editor.get(FEEDS).content.decode()


def test_a_private_address_and_an_unknown_placeholder_are_refused_next_to_their_fields(editor, mastodon):
    response = editor.post(FEEDS, feed_data(url="http://169.254.169.254/latest/meta-data/", template="{title} {body}", accounts=[mastodon.pk]))

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_url_error">169.254.169.254 is not a public internet address; the scheduler does not connect there.' in html
    assert 'id="id_template_error">Unknown placeholder {body}; use {title}, {link}, {summary}, {author}, {feed_title}.' in html
    assert 'value="{title} {body}"' in html or "{title} {body}</textarea>" in html  # what was typed stays
    assert not FeedSubscription.objects.exists()


def test_an_account_of_another_workspace_is_refused_next_to_the_accounts(editor, mastodon, other_workspace):
    response = editor.post(FEEDS, feed_data(accounts=[mastodon.pk, other_workspace["account"].pk]))

    assert response.status_code == 400
    assert f'id="id_accounts_error">Select a valid choice. {other_workspace["account"].pk} is not one of the available choices.' in response.content.decode()
    assert other_workspace["account"].platform_username not in response.content.decode()
    assert not FeedSubscription.objects.exists()


@pytest.mark.parametrize("data, field, message", [
    ({"mode": "draft"}, "accounts", "Choose at least one account for its drafts."),
    ({"mode": "queue"}, "queue", "Choose the queue its posts go to."),
    ({"poll_interval_minutes": "4"}, "poll_interval_minutes", "Ensure this value is greater than or equal to 5."),
    ({"url": "not an address"}, "url", "Enter a valid URL."),
])
def test_what_the_service_or_form_refuses_is_shown_next_to_its_field(editor, data, field, message):
    response = editor.post(FEEDS, feed_data(**data))

    assert response.status_code == 400
    assert f'id="id_{field}_error">{message}' in response.content.decode()
    assert not FeedSubscription.objects.exists()


def test_editing_shows_the_feed_and_saves_through_the_service(editor, team_workspace, mastodon, bluesky):
    feed = subscribed(team_workspace, mastodon, template="{title} {link}", primed=True, etag='"v-1"')
    html = editor.get(edit(feed)).content.decode()
    assert 'value="https://blog.example/feed.xml"' in html and f'value="{mastodon.pk}"' in html and "post_existing" not in html

    response = editor.post(edit(feed), feed_data(template="{title} — {summary} {link}", accounts=[bluesky.pk], poll_interval_minutes="60"))

    assert response.status_code == 302
    feed.refresh_from_db()
    assert (feed.template, feed.poll_interval_minutes, list(feed.accounts.all())) == ("{title} — {summary} {link}", 60, [bluesky])
    assert (feed.primed, feed.etag) == (True, '"v-1"')  # the same address: the same feed


def test_a_bad_edit_is_refused_and_changes_nothing(editor, team_workspace, mastodon):
    feed = subscribed(team_workspace, mastodon)

    response = editor.post(edit(feed), feed_data(url="http://10.0.0.1/rss", template="{title!r}", accounts=[mastodon.pk]))

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_url_error">10.0.0.1 is not a public internet address' in html
    assert 'id="id_template_error">Write {title} without a format or conversion.' in html
    feed.refresh_from_db()
    assert (feed.url, feed.template) == ("https://blog.example/feed.xml", "{title} {link}")


def test_pause_and_resume(editor, team_workspace, mastodon):
    feed = subscribed(team_workspace, mastodon, next_poll_at=timezone.now() + timedelta(hours=3))

    editor.post(action(feed, "pause"))

    feed.refresh_from_db()
    html = editor.get(FEEDS).content.decode()
    assert not feed.is_active and "Paused" in html and action(feed, "resume") in html
    editor.post(action(feed, "resume"))
    feed.refresh_from_db()
    assert feed.is_active and feed.next_poll_at <= timezone.now()  # checked within a minute


def test_a_feed_whose_queue_was_deleted_can_still_be_paused(editor, team_workspace):
    queue = PostQueueFactory(workspace=team_workspace)
    feed = FeedSubscription.objects.create(workspace=team_workspace, url="https://blog.example/feed.xml", mode="queue", queue=queue)
    queue.delete()

    response = editor.post(action(feed, "pause"), follow=True)

    feed.refresh_from_db()
    assert not feed.is_active and "paused." in response.content.decode()
    assert "a deleted queue (kept as drafts)" in response.content.decode()


def test_delete_unsubscribes_and_keeps_the_posts(editor, team_workspace, mastodon):
    feed = subscribed(team_workspace, mastodon)
    post = PostFactory(workspace=team_workspace)
    FeedItem.objects.create(subscription=feed, item_key="guid:1", outcome=FeedItem.Outcome.DRAFT, post=post)

    response = editor.post(action(feed, "delete"), follow=True)

    assert "The posts it made stay." in response.content.decode()
    assert not FeedSubscription.objects.exists() and not FeedItem.objects.exists()
    assert Post.objects.filter(pk=post.pk).exists()


def test_check_now_polls_the_feed_and_shows_the_post_it_made(editor, team_workspace, mastodon, feed_server):
    feed_server.serve("/check-now", rss(OLD))
    feed = services.subscription_create(workspace=team_workspace, url=feed_server.url("/check-now"), accounts=[mastodon])

    first = editor.post(action(feed, "check"), follow=True).content.decode()
    feed_server.serve("/check-now", rss([*OLD, NEW]))
    second = editor.post(action(feed, "check"), follow=True).content.decode()

    assert "Checked Example blog: 2 item(s) already in the feed noted; only newer items become posts." in first
    assert "Checked Example blog: 1 new item(s), 1 post(s) created." in second
    post = Post.objects.get()
    assert post.content == "Third post https://blog.example/third"
    assert f'href="/posts/{post.pk}/">post #{post.pk}</a>' in second
    assert 'data-label="Items seen">3<' in second and 'data-label="Posts created">1<' in second
    assert len(feed_server.requests_to("/check-now")) == 2


def test_check_now_shows_why_a_feed_could_not_be_read(editor, team_workspace, mastodon, feed_server):
    feed = services.subscription_create(workspace=team_workspace, url=feed_server.url("/nothing-here"), accounts=[mastodon])

    html = editor.post(action(feed, "check"), follow=True).content.decode()

    assert "Checked " in html and ": The feed answered HTTP 404." in html
    assert "The last check failed: The feed answered HTTP 404." in html
    feed.refresh_from_db()
    assert (feed.consecutive_failures, feed.last_error) == (1, "The feed answered HTTP 404.")


def test_another_workspaces_feed_answers_404(editor, other_workspace):
    theirs = subscribed(other_workspace["workspace"], other_workspace["account"], title="Their blog")

    assert "Their blog" not in editor.get(FEEDS).content.decode()
    assert editor.get(edit(theirs)).status_code == 404
    assert editor.post(edit(theirs), feed_data(accounts=[other_workspace["account"].pk])).status_code == 404
    for name in ("check", "pause", "resume", "delete"):
        assert editor.post(action(theirs, name)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active and theirs.last_polled_at is None


def test_an_unknown_action_answers_404_and_actions_need_post(editor, team_workspace, mastodon):
    feed = subscribed(team_workspace, mastodon)
    assert editor.post(action(feed, "explode")).status_code == 404
    assert editor.get(action(feed, "delete")).status_code == 405
    assert FeedSubscription.objects.exists()


def test_viewers_see_the_feeds_read_only(viewer, team_workspace, mastodon):
    feed = subscribed(team_workspace, mastodon, title="Example blog")

    html = viewer.get(FEEDS).content.decode()

    assert "Example blog" in html and "Viewers cannot add or change feeds." in html
    assert "Check now" not in html and 'id="new-feed"' not in html and action(feed, "delete") not in html
    assert viewer.post(FEEDS, feed_data(accounts=[mastodon.pk])).status_code == 403
    assert viewer.post(edit(feed), feed_data(accounts=[mastodon.pk])).status_code == 403
    for name in ("check", "pause", "delete"):
        assert viewer.post(action(feed, name)).status_code == 403
    assert "Viewers cannot change feeds." in viewer.get(edit(feed)).content.decode()
    feed.refresh_from_db()
    assert feed.is_active and FeedSubscription.objects.count() == 1


def test_the_list_reads_in_constant_queries(editor, team_workspace, mastodon, settings, django_assert_max_num_queries):
    settings.WEBAPP_PAGE_SIZE = 10
    for n in range(12):
        feed = subscribed(team_workspace, mastodon, url=f"https://blog.example/{n}.xml")
        for k in range(7):
            FeedItem.objects.create(subscription=feed, item_key=f"guid:{k}", title=f"Item {k}", outcome=FeedItem.Outcome.SKIPPED)

    with django_assert_max_num_queries(12):
        response = editor.get(FEEDS)

    assert response.content.decode().count("Item 6") == 10  # the newest five of each feed on the page
    assert "Page 1 of 2" in response.content.decode()
