"""Threads adapter against the graph.threads.net fake: the shared contract, the container flow with
media fetched from signed URLs, quota, faults, insights."""

from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from social_media.models import PostTarget
from social_media.platforms import PlatformFactory
from social_media.platforms.base import (
    AccountDisconnected, InvalidContent, OutcomeUnknown, PlatformError, RateLimited, TokenExpired, TransientError,
)
from tests.factories import PostFactory, PostTargetFactory
from tests.platforms.contract import AdapterContract
from tests.platforms.threads_helpers import media_item

pytestmark = pytest.mark.network


class ThreadsRemote:
    def __init__(self, fake, user):
        self.fake, self.user = fake, user

    def get_text(self, platform_post_id):
        return self.fake.text_of(platform_post_id)

    def count_posts(self):
        return len(self.fake.posts_of(self.user))


class TestThreadsContract(AdapterContract):
    too_long_text = "x" * 501

    @pytest.fixture
    def account(self, threads_account):
        return threads_account

    @pytest.fixture
    def remote(self, threads_fake, threads_account):
        return ThreadsRemote(threads_fake, threads_account.remote)


def target_for(account, content="Hello Threads"):
    post = PostFactory(workspace=account.workspace, content=content)
    return PostTargetFactory(post=post, account=account, claimed_at=timezone.now())


def publish(account, content="Hello Threads", media=()):
    adapter = PlatformFactory.get_platform(account)
    target = target_for(account, content)
    return adapter, target, adapter.publish(target, content, list(media))


pytestmark = [pytest.mark.network, pytest.mark.django_db(transaction=True)]


def test_a_text_post_passes_through_in_progress_and_stores_its_container_first(threads_account, threads_fake):
    threads_fake.in_progress_polls = 2
    _adapter, target, result = publish(threads_account)
    container = threads_fake.containers[PostTarget.objects.get(id=target.id).platform_specific_settings["threads_container_id"]]
    assert container.media_type == "TEXT" and container.status == "PUBLISHED" and container.media_id == result.platform_post_id
    statuses = [r for r in threads_fake.requests if r.path == f"/v1.0/{container.id}"]
    assert len(statuses) == 3  # IN_PROGRESS, IN_PROGRESS, FINISHED
    assert result.url.startswith("https://www.threads.net/@alice/post/")
    publish_call = threads_fake.requests_to(f"/v1.0/{threads_account.platform_user_id}/threads_publish")[0]
    assert publish_call.params["creation_id"] == container.id
    assert publish_call.headers["authorization"] == f"Bearer {threads_account.access_token}"
    assert "access_token" not in publish_call.query


def test_an_image_is_fetched_by_threads_from_its_signed_url(threads_account, threads_fake, media_files):
    url = media_files.publish(media_item().open().read())
    _adapter, _target, result = publish(threads_account, "A picture", [media_item(url=url, alt="a dot")])
    post = threads_fake.media[result.platform_post_id]
    container = threads_fake.containers[post.container_id]
    assert post.media_type == "IMAGE" and container.media_url == url and urlsplit(url).path in media_files.fetches
    create = threads_fake.requests_to(f"/v1.0/{threads_account.platform_user_id}/threads", "POST")[0]
    assert create.params["alt_text"] == "a dot" and create.params["text"] == "A picture"


def test_several_images_become_one_carousel(threads_account, threads_fake, media_files):
    items = [media_item(url=media_files.publish(b"\xff\xd8\xff" + bytes([n])), media_id=n) for n in range(3)]
    _adapter, _target, result = publish(threads_account, "Three", items)
    post = threads_fake.media[result.platform_post_id]
    assert post.media_type == "CAROUSEL" and len(post.children) == 3
    assert all(threads_fake.containers[c].is_carousel_item for c in post.children)
    assert len(threads_fake.posts) == 1


def test_an_expired_media_url_fails_with_metas_message_and_publishes_nothing(threads_account, threads_fake, media_files):
    url = media_files.expired(media_files.publish(b"\xff\xd8\xff"))
    with pytest.raises(InvalidContent, match="FAILED_DOWNLOADING_IMAGE"):
        publish(threads_account, "Expired", [media_item(url=url)])
    assert threads_fake.posts == []


def test_an_unreachable_media_url_fails_the_container(threads_account, threads_fake, media_files):
    with pytest.raises(InvalidContent, match="FAILED_DOWNLOADING_IMAGE"):
        publish(threads_account, "Missing", [media_item(url=f"{media_files.base_url}/m/no-such-file")])
    assert threads_fake.posts == []


def test_media_without_a_public_url_names_the_setting_and_sends_nothing(threads_account, threads_fake):
    with pytest.raises(InvalidContent, match="PUBLIC_BASE_URL"):
        publish(threads_account, "No URL", [media_item(url=None)])
    assert threads_fake.requests_to(f"/v1.0/{threads_account.platform_user_id}/threads", "POST") == []


def test_validate_counts_emoji_by_their_utf8_bytes_and_refuses_what_threads_refuses(threads_account):
    adapter = PlatformFactory.get_platform(threads_account)
    assert adapter.validate("👍" * 125, []) == []  # 125 x 4 bytes = 500
    assert "counts 504" in adapter.validate("👍" * 126, [])[0]
    assert adapter.validate("é" * 500, []) == []
    problems = adapter.validate("gif", [media_item(media_type="gif", mime_type="image/gif")])
    assert "does not accept gif" in problems[0]
    assert "at most 8 MB" in adapter.validate("big", [media_item(size=9 * 1024 * 1024)])[0]
    assert "at most 5 minutes" in adapter.validate("long", [media_item(media_type="video", mime_type="video/mp4", duration=301)])[0]
    assert "at most 20" in adapter.validate("many", [media_item(media_id=n) for n in range(21)])[0]


def test_an_exhausted_publishing_quota_is_a_rate_limit_before_anything_is_created(threads_account, threads_fake):
    threads_fake.quota_total = 1
    publish(threads_account, "The one allowed")
    with pytest.raises(RateLimited) as caught:
        publish(threads_account, "One too many")
    assert caught.value.retry_after == 3600 and "1 of 1 posts" in caught.value.message
    assert len(threads_fake.containers) == 1 and len(threads_fake.posts) == 1


def test_the_quota_refused_at_publish_time_is_a_rate_limit_too(threads_account, threads_fake):
    from tests.fakes.threads_fake import recorded

    threads_fake.fail_next("status", path=f"/v1.0/{threads_account.platform_user_id}/threads_publish", method="POST", status=400, body=recorded.QUOTA_REACHED)
    with pytest.raises(RateLimited):
        publish(threads_account)
    assert threads_fake.posts == []


def test_an_expired_token_is_token_expired_and_a_revoked_one_disconnects(threads_account, threads_fake):
    threads_fake.expire(threads_account.access_token)
    with pytest.raises(TokenExpired):
        publish(threads_account)
    threads_fake.tokens[threads_account.access_token]["expires_at"] = timezone.now().timestamp() + 3600
    threads_fake.revoke(threads_account.access_token)
    with pytest.raises(AccountDisconnected, match="Reconnect"):
        publish(threads_account)


def test_a_5xx_on_threads_publish_is_an_unknown_outcome_and_reconcile_finds_the_post(threads_account, threads_fake):
    threads_fake.fail_next("after_store", path=f"/v1.0/{threads_account.platform_user_id}/threads_publish", method="POST")
    adapter = PlatformFactory.get_platform(threads_account)
    target = target_for(threads_account, "Landed anyway")
    with pytest.raises(OutcomeUnknown):
        adapter.publish(target, target.content, [])
    found = adapter.reconcile(PostTarget.objects.get(id=target.id)).found
    assert found is not None and threads_fake.text_of(found.platform_post_id) == "Landed anyway"


def test_a_retry_after_slow_processing_publishes_the_same_container(threads_account, threads_fake, settings):
    settings.THREADS_CONTAINER_TIMEOUT_SECONDS = 0.2
    threads_fake.in_progress_polls = 10_000
    adapter = PlatformFactory.get_platform(threads_account)
    target = target_for(threads_account, "Slow")
    with pytest.raises(TransientError, match="still processing"):
        adapter.publish(target, target.content, [])
    assert adapter.reconcile(target).not_found  # a FINISHED-but-unpublished container is not a post
    for container in threads_fake.containers.values():
        container.polls_left = 0
    result = adapter.publish(PostTarget.objects.get(id=target.id), target.content, [])
    assert len(threads_fake.containers) == 1 and [p.id for p in threads_fake.posts] == [result.platform_post_id]


def test_a_media_not_ready_answer_is_transient(threads_account, threads_fake):
    from tests.fakes.threads_fake import recorded

    threads_fake.fail_next("status", path=f"/v1.0/{threads_account.platform_user_id}/threads_publish", method="POST", status=400, body=recorded.NOT_READY)
    with pytest.raises(TransientError, match="not finished processing"):
        publish(threads_account)


def test_insights_are_read_as_metrics(threads_account, threads_fake):
    adapter, _target, result = publish(threads_account)
    threads_fake.set_insights(result.platform_post_id, views=120, likes=7, replies=2, reposts=3, quotes=1)
    metrics = adapter.fetch_metrics(result.platform_post_id)
    assert (metrics.impressions, metrics.likes, metrics.replies, metrics.reposts) == (120, 7, 2, 3)
    assert metrics.raw["quotes"] == 1
    insights = threads_fake.requests_to(f"/v1.0/{result.platform_post_id}/insights")[0]
    assert insights.params["metric"] == "views,likes,replies,reposts,quotes"


def test_deleting_a_post_that_is_already_gone_is_fine(threads_account, threads_fake):
    adapter, _target, result = publish(threads_account)
    adapter.delete(result.platform_post_id)
    adapter.delete(result.platform_post_id)
    assert threads_fake.text_of(result.platform_post_id) is None


def test_verify_credentials_reads_the_profile_and_quota(threads_account, threads_fake):
    profile = PlatformFactory.get_platform(threads_account).verify_credentials()
    assert profile.platform_username == "alice" and profile.platform_settings == {"quota_usage": 0, "quota_total": 250}


def test_an_edited_post_gets_a_new_container_instead_of_the_stale_one(threads_account, threads_fake, settings):
    settings.THREADS_CONTAINER_TIMEOUT_SECONDS = 0.2
    threads_fake.in_progress_polls = 10_000
    adapter = PlatformFactory.get_platform(threads_account)
    target = target_for(threads_account, "First draft")
    with pytest.raises(TransientError):
        adapter.publish(target, target.content, [])
    threads_fake.in_progress_polls = 0
    result = adapter.publish(PostTarget.objects.get(id=target.id), "Edited text", [])
    assert threads_fake.text_of(result.platform_post_id) == "Edited text" and len(threads_fake.containers) == 2


def test_a_read_timeout_on_threads_publish_is_an_unknown_outcome_and_a_refused_connection_is_transient(threads_account, threads_fake, settings):
    settings.THREADS_TIMEOUT_SECONDS = 1
    threads_fake.fail_next("timeout", path=f"/v1.0/{threads_account.platform_user_id}/threads_publish", method="POST", delay=3)
    with pytest.raises(OutcomeUnknown, match="may or may not"):
        publish(threads_account, "Slow answer")
    threads_fake.stop()
    with pytest.raises(TransientError, match="Could not connect"):
        publish(threads_account, "Nobody home")


SIX_LINKS = "Reading list: https://a.example/1 https://b.example/2 www.facebook.com https://c.example d.example.org https://e.example/5"


def test_more_than_five_different_links_are_refused_before_anything_is_sent(threads_account, threads_fake):
    adapter = PlatformFactory.get_platform(threads_account)
    [problem] = adapter.validate(SIX_LINKS, [])
    assert "at most 5 different links" in problem and "has 6" in problem
    assert adapter.validate("https://a.example/1 " * 8 + "www.facebook.com", []) == []  # repeats count once
    with pytest.raises(InvalidContent, match="at most 5 different links"):
        adapter.publish(target_for(threads_account, SIX_LINKS), SIX_LINKS, [])
    assert threads_fake.requests_to(f"/v1.0/{threads_account.platform_user_id}/threads", "POST") == []


def test_the_fake_refuses_six_links_at_container_creation_like_threads(threads_account, threads_fake):
    from social_media.platforms.threads.client import ThreadsClient

    with pytest.raises(InvalidContent, match="THREADS_API__LINK_LIMIT_EXCEEDED"):
        ThreadsClient(threads_account.access_token).post(
            f"{threads_account.platform_user_id}/threads", {"media_type": "TEXT", "text": SIX_LINKS}, what="media container")
    answer = ThreadsClient(threads_account.access_token).post(
        f"{threads_account.platform_user_id}/threads", {"media_type": "TEXT", "text": SIX_LINKS.rsplit(" ", 1)[0]}, what="media container")
    assert answer["id"]


def test_media_on_an_address_meta_cannot_reach_is_refused_before_anything_is_sent(threads_account, threads_fake, settings):
    """PUBLIC_BASE_URL unset means http://127.0.0.1:8000/... media URLs: Threads could not download them."""
    settings.ALLOW_INSECURE_NETWORK_URLS = False
    adapter = PlatformFactory.get_platform(threads_account)
    [problem] = adapter.validate("Look", [media_item(url="http://127.0.0.1:8000/media/public/abc/")])
    assert problem.startswith("Threads fetches media from a public address") and "PUBLIC_BASE_URL" in problem
    assert adapter.validate("Look", [media_item(url="https://cdn.example.com/m.jpg")]) == []
    with pytest.raises(InvalidContent, match="PUBLIC_BASE_URL"):
        adapter.publish(target_for(threads_account, "Look"), "Look", [media_item(url="http://127.0.0.1:8000/media/public/abc/")])
    assert threads_fake.requests_to(f"/v1.0/{threads_account.platform_user_id}/threads", "POST") == []


# --- replies are listed where Threads lists them -------------------------------------------------
def _reply(adapter, target, position, text, parent):
    from social_media.platforms.base import ThreadReply

    return adapter.publish_part(target, position, text, [], reply_to=ThreadReply(root=parent, parent=parent))


def test_the_fake_lists_top_level_posts_in_user_threads_and_replies_in_user_replies(threads_account, threads_fake):
    """Threads' "Retrieve User Posts": GET /{threads-user-id}/threads lists the user's threads; "to retrieve
    posts that are replies, refer to Retrieve User Replies" (GET /{threads-user-id}/replies)."""
    adapter, target, head = publish(threads_account, "Top level")
    first = _reply(adapter, target, 1, "A reply", head)
    second = _reply(adapter, target, 2, "Another reply", first)
    user = threads_account.platform_user_id
    listed = adapter.client.get(f"{user}/threads", {"fields": "id,text"}, what="posts")["data"]
    assert [p["id"] for p in listed] == [head.platform_post_id]
    replies = adapter.client.get(f"{user}/replies", {"fields": "id,text,replied_to,is_reply_owned_by_me"}, what="replies")
    assert [(r["id"], r["replied_to"]["id"], r["is_reply_owned_by_me"]) for r in replies["data"]] == [
        (second.platform_post_id, first.platform_post_id, True), (first.platform_post_id, head.platform_post_id, True)]
    page = adapter.client.get("me/replies", {"fields": "id", "limit": 1}, what="replies")  # paged like the other lists
    assert [r["id"] for r in page["data"]] == [second.platform_post_id] and page["paging"]["next"]
    rest = adapter.client.get("me/replies", {"fields": "id", "limit": 1, "after": page["paging"]["cursors"]["after"]}, what="replies")
    assert [r["id"] for r in rest["data"]] == [first.platform_post_id] and "next" not in rest["paging"]
    other = threads_fake.add_user("bob")  # a user reads only their own replies; without threads_read_replies, none
    with pytest.raises(PlatformError):
        adapter.client.get(f"{other.id}/replies", {}, what="replies")
    threads_account.access_token = threads_fake.issue_token(threads_account.remote, scopes=("threads_basic", "threads_content_publish"))
    with pytest.raises(AccountDisconnected):
        PlatformFactory.get_platform(threads_account).client.get(f"{user}/replies", {}, what="replies")


def test_thread_parts_use_the_replies_quota_not_the_posts_quota(threads_account, threads_fake):
    """Overview: 250 posts a day; "Retrieve and Manage Replies": 1,000 replies a day, apart."""
    threads_fake.quota_total = 1
    adapter, target, head = publish(threads_account, "The only post today")
    part = _reply(adapter, target, 1, "A part is a reply", head)
    assert threads_fake.text_of(part.platform_post_id) == "A part is a reply"
    # Only the head read the posts quota; the fake counts the part as a reply, not a post.
    assert len(threads_fake.requests_to(f"/v1.0/{threads_account.platform_user_id}/threads_publishing_limit")) == 1
    limit = adapter.client.get(f"{threads_account.platform_user_id}/threads_publishing_limit", {"fields": "quota_usage,config"}, what="limit")
    assert limit["data"][0]["quota_usage"] == 1
    threads_fake.reply_quota_total = 1
    with pytest.raises(RateLimited, match="1,000 replies"):
        _reply(adapter, target, 2, "Over the replies quota", part)
    with pytest.raises(AccountDisconnected):  # reading the replies quota needs threads_manage_replies, which we do not ask for
        adapter.client.get(f"{threads_account.platform_user_id}/threads_publishing_limit", {"fields": "reply_quota_usage"}, what="limit")


def test_a_part_whose_answer_was_lost_is_found_among_the_replies_and_unknown_when_they_cannot_be_read(threads_account, threads_fake):
    from social_media.platforms.base import ThreadReply

    adapter, target, head = publish(threads_account, "Head")
    reply = ThreadReply(root=head, parent=head)
    threads_fake.fail_next("drop_after_store", path=f"/v1.0/{threads_account.platform_user_id}/threads_publish", method="POST")
    with pytest.raises(OutcomeUnknown):
        adapter.publish_part(target, 1, "Second", [], reply_to=reply)
    [stored] = [p for p in threads_fake.posts if p.reply_to_id == head.platform_post_id]
    assert adapter.reconcile_part(target, 1, "Second", reply_to=reply).found.platform_post_id == stored.id
    assert threads_fake.requests_to(f"/v1.0/{head.platform_post_id}/replies", "GET")
    assert adapter.publish_part(target, 1, "Second", [], reply_to=reply).platform_post_id == stored.id  # a retry: no second reply
    assert len(threads_fake.posts) == 2
    found = adapter.reconcile_part(target, 1, "Second", reply_to=reply).found
    assert adapter.reconcile_part(target, 2, "Third", reply_to=ThreadReply(root=head, parent=found)).not_found  # no container
    threads_account.access_token = threads_fake.issue_token(threads_account.remote, scopes=("threads_basic", "threads_content_publish"))
    refused = PlatformFactory.get_platform(threads_account).reconcile_part(target, 1, "Second", reply_to=reply)
    assert refused.found is None and not refused.not_found  # unknown, never "not found"
    threads_fake.fail_next("status", path=f"/v1.0/{head.platform_post_id}/replies", status=500)
    failed = adapter.reconcile_part(target, 1, "Second", reply_to=reply)
    assert failed.found is None and not failed.not_found
