"""/api/v1/feeds/: subscriptions by editors of the workspace, field errors for what cannot be subscribed,
other workspaces answer 404, poll now and the items seen."""

import pytest

from accounts.models import Membership
from feeds.models import FeedSubscription
from tests.factories import ConnectedAccountFactory, MembershipFactory, PostQueueFactory, UserFactory, WorkspaceFactory

from .feed_server import Item, rss

pytestmark = pytest.mark.django_db


def _fields(response):
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    return body["fields"]


def test_a_subscription_is_created_listed_changed_and_deleted(auth_api, feed_server, account):
    feed_server.serve("/rss", rss([]))
    created = auth_api.post("/api/v1/feeds/", {"url": feed_server.url("/rss"), "account_ids": [account.pk]}, format="json")

    assert created.status_code == 201, created.content
    feed = created.json()
    assert (feed["template"], feed["mode"], feed["post_existing"], feed["poll_interval_minutes"]) == ("{title} {link}", "draft", False, 30)
    assert feed["account_ids"] == [account.pk] and feed["next_poll_at"] is not None and feed["last_error"] == ""
    assert [f["id"] for f in auth_api.get("/api/v1/feeds/").json()] == [feed["id"]]

    changed = auth_api.patch(f"/api/v1/feeds/{feed['id']}/", {"template": "{title}: {summary} {link}", "poll_interval_minutes": 5}, format="json")

    assert changed.status_code == 200, changed.content
    assert (changed.json()["template"], changed.json()["poll_interval_minutes"]) == ("{title}: {summary} {link}", 5)
    assert (changed.json()["mode"], changed.json()["account_ids"], changed.json()["is_active"]) == ("draft", [account.pk], True)
    assert auth_api.delete(f"/api/v1/feeds/{feed['id']}/").status_code == 204
    assert not FeedSubscription.objects.exists()


@pytest.mark.parametrize("url", ["http://10.0.0.1/feed.xml", "http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/rss"])
def test_a_private_or_link_local_address_is_refused_at_subscribe(auth_api, account, url):
    fields = _fields(auth_api.post("/api/v1/feeds/", {"url": url, "account_ids": [account.pk]}, format="json"))

    assert list(fields) == ["url"]
    assert "is not a public internet address" in fields["url"][0]
    assert not FeedSubscription.objects.exists()


def test_a_changed_url_passes_the_guard_too(auth_api, feed_server, account):
    feed = auth_api.post("/api/v1/feeds/", {"url": feed_server.url("/rss"), "account_ids": [account.pk]}, format="json").json()

    fields = _fields(auth_api.patch(f"/api/v1/feeds/{feed['id']}/", {"url": "http://192.168.1.1/rss"}, format="json"))

    assert "is not a public internet address" in fields["url"][0]
    assert FeedSubscription.objects.get().url == feed_server.url("/rss")


@pytest.mark.parametrize("template, message", [
    ("{title} {body}", "Unknown placeholder {body}; use {title}, {link}, {summary}, {author}, {feed_title}."),
    ("{title.__class__}", "Unknown placeholder {title.__class__}; use {title}, {link}, {summary}, {author}, {feed_title}."),
    ("{link!r}", "Write {link} without a format or conversion."),
    ("{title:>99999999}", "Write {title} without a format or conversion."),
    ("{title", "The template is not valid (expected '}' before end of string); write a literal brace as {{ or }}."),
    ("Just text", "The template uses no placeholder; use {title}, {link}, {summary}, {author}, {feed_title}."),
])
def test_a_bad_template_is_a_field_error(auth_api, feed_server, account, template, message):
    fields = _fields(auth_api.post("/api/v1/feeds/", {"url": feed_server.url("/rss"), "account_ids": [account.pk], "template": template}, format="json"))

    assert fields == {"template": [message]}


def test_accounts_and_queues_of_another_workspace_are_field_errors(auth_api, feed_server, account):
    other = WorkspaceFactory()
    foreign_account = ConnectedAccountFactory(workspace=other)
    foreign_queue = PostQueueFactory(workspace=other)
    url = feed_server.url("/rss")

    assert _fields(auth_api.post("/api/v1/feeds/", {"url": url, "account_ids": [account.pk, foreign_account.pk]}, format="json")) == {
        "account_ids": [f"No connected account with id {foreign_account.pk} in this workspace."]}
    assert _fields(auth_api.post("/api/v1/feeds/", {"url": url, "mode": "queue", "queue_id": foreign_queue.pk}, format="json")) == {
        "queue_id": [f"No queue with id {foreign_queue.pk} in this workspace."]}
    assert _fields(auth_api.post("/api/v1/feeds/", {"url": url, "mode": "queue"}, format="json")) == {"queue_id": ["Choose the queue its posts go to."]}
    assert _fields(auth_api.post("/api/v1/feeds/", {"url": url}, format="json")) == {"account_ids": ["Choose at least one account for its drafts."]}
    assert "poll_interval_minutes" in _fields(auth_api.post("/api/v1/feeds/", {"url": url, "account_ids": [account.pk], "poll_interval_minutes": 4}, format="json"))
    assert not FeedSubscription.objects.exists()


def test_other_workspaces_feeds_are_not_found_and_viewers_only_read(auth_api, feed_server, user, workspace, account):
    stranger = UserFactory()
    theirs = FeedSubscription.objects.create(workspace=stranger.personal_workspace, url=feed_server.url("/rss"))
    for method, path in [("get", ""), ("patch", ""), ("delete", ""), ("post", "poll/"), ("get", "items/")]:
        assert getattr(auth_api, method)(f"/api/v1/feeds/{theirs.pk}/{path}", {}, format="json").status_code == 404
    assert auth_api.get("/api/v1/feeds/").json() == []
    for not_an_id in ("page_title", "99999999999999999999"):
        assert auth_api.get(f"/api/v1/feeds/{not_an_id}/").status_code == 404

    shared = WorkspaceFactory()
    MembershipFactory(user=user, workspace=shared, role=Membership.Role.VIEWER)
    shared_account = ConnectedAccountFactory(workspace=shared)
    feed = FeedSubscription.objects.create(workspace=shared, url=feed_server.url("/rss"))
    auth_api.credentials(HTTP_AUTHORIZATION=auth_api._credentials["HTTP_AUTHORIZATION"], HTTP_X_WORKSPACE=str(shared.pk))

    assert auth_api.get("/api/v1/feeds/").status_code == 200
    assert auth_api.get(f"/api/v1/feeds/{feed.pk}/items/").status_code == 200
    assert auth_api.post("/api/v1/feeds/", {"url": feed_server.url("/rss"), "account_ids": [shared_account.pk]}, format="json").status_code == 403
    assert auth_api.post(f"/api/v1/feeds/{feed.pk}/poll/").status_code == 403
    assert feed_server.requests_to("/rss") == []


def test_poll_now_answers_what_it_found_and_items_show_the_posts(auth_api, feed_server, account):
    feed_server.serve("/rss", rss([Item("Old", "https://blog.example/old", guid="old")]))
    feed = auth_api.post("/api/v1/feeds/", {"url": feed_server.url("/rss"), "account_ids": [account.pk]}, format="json").json()

    first = auth_api.post(f"/api/v1/feeds/{feed['id']}/poll/")
    feed_server.serve("/rss", rss([Item("Old", "https://blog.example/old", guid="old"), Item("New", "https://blog.example/new", guid="new", published=Item("", "").published.replace(day=3))]))
    second = auth_api.post(f"/api/v1/feeds/{feed['id']}/poll/").json()
    items = auth_api.get(f"/api/v1/feeds/{feed['id']}/items/").json()

    assert first.status_code == 200
    assert (first.json()["status"], first.json()["skipped_existing"], first.json()["subscription"]["title"]) == ("ok", 1, "Example blog")
    assert (second["status"], second["posts_created"]) == ("ok", 1)
    assert [(i["item_key"], i["outcome"], i["post_id"] is not None) for i in items] == [("guid:new", "draft", True), ("guid:old", "skipped", False)]


def test_a_failed_poll_shows_its_error(auth_api, feed_server, account):
    feed = auth_api.post("/api/v1/feeds/", {"url": feed_server.url("/missing"), "account_ids": [account.pk]}, format="json").json()

    answer = auth_api.post(f"/api/v1/feeds/{feed['id']}/poll/").json()

    assert (answer["status"], answer["error"]) == ("error", "The feed answered HTTP 404.")
    shown = auth_api.get(f"/api/v1/feeds/{feed['id']}/").json()
    assert (shown["consecutive_failures"], shown["last_error"]) == (1, "The feed answered HTTP 404.")


def test_a_new_url_is_a_new_feed_whose_current_items_are_skipped(auth_api, feed_server, account):
    feed_server.serve("/a", rss([Item("A1", "https://blog.example/a1", guid="a1")]))
    feed_server.serve("/b", rss([Item("B1", "https://blog.example/b1", guid="b1")]), validators=False)
    feed = auth_api.post("/api/v1/feeds/", {"url": feed_server.url("/a"), "account_ids": [account.pk]}, format="json").json()
    auth_api.post(f"/api/v1/feeds/{feed['id']}/poll/")

    changed = auth_api.patch(f"/api/v1/feeds/{feed['id']}/", {"url": feed_server.url("/b")}, format="json").json()
    polled = auth_api.post(f"/api/v1/feeds/{feed['id']}/poll/").json()

    assert changed["title"] == "" and FeedSubscription.objects.get().etag == ""
    assert (polled["status"], polled["skipped_existing"], polled["posts_created"]) == ("ok", 1, 0)
    assert "if-none-match" not in feed_server.requests_to("/b")[0].headers
