"""Post bodies are kept between requests (social_media/api/body_cache.py) and checked against their rows
on every read: a change made anywhere, by any path (a queryset update as the engine makes, raw SQL, a
tag link), is in the next response; nothing a rolled-back transaction wrote is ever served; the
workspace check is the query's, not the cache's; an entry older than POST_BODY_CACHE_SECONDS is
rebuilt with fresh media signatures; and a cache that cannot be reached costs the cache, not the
request."""

import logging
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from media.models import MediaFile, MediaTag
from social_media.api.post_bodies import FINGERPRINTS_SQL, post_bodies
from social_media.models import ConnectedAccount, Post, PostMedia, PostTarget, PublishAttempt, QueuedPost, Status
from tests.factories import ConnectedAccountFactory, MediaFileFactory, PostFactory, PostQueueFactory, PostTargetFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/posts/"


@pytest.fixture
def post(workspace, user):
    post = PostFactory(workspace=workspace, author=user, status=Status.SCHEDULED, scheduled_time=timezone.now() + timedelta(days=1))
    for platform in ("x", "bluesky"):
        PostTargetFactory(post=post, account=ConnectedAccountFactory(workspace=workspace, platform=platform))
    media = MediaFileFactory(workspace=workspace, alt_text="a cat")
    media.tags.add(MediaTag.objects.create(workspace=workspace, name="cats"))
    PostMedia.objects.create(post=post, media=media, order=0)
    return post


def get(api, url=LIST):
    """(response, which body statements ran: "bodies", "fingerprints")."""
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    ran = []
    for query in captured.captured_queries:
        sql = query["sql"].strip()
        if sql.startswith(FINGERPRINTS_SQL[:40]):  # both statements open with the fingerprint
            ran.append("bodies" if "json_build_object" in sql else "fingerprints")
    return response, ran


def test_a_second_read_builds_nothing_and_answers_the_same_bytes(auth_api, post):
    first, ran_first = get(auth_api)
    second, ran_second = get(auth_api)
    assert (ran_first, ran_second) == (["bodies"], ["fingerprints"])
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second.json()["results"][0]["media"][0]["tags"] == ["cats"]


def edit_post(post):
    Post.objects.filter(pk=post.pk).update(content="edited by a queryset update")
    return lambda body: body["content"] == "edited by a queryset update"


def engine_marks_a_target_posted(post):
    PostTarget.objects.filter(post=post).update(status=Status.POSTED, platform_post_id="777")  # as publish_batch does
    return lambda body: {t["status"] for t in body["targets"]} == {"posted"} and body["targets"][0]["platform_post_id"] == "777"


def an_attempt_is_recorded(post):
    target = post.targets.first()
    PublishAttempt.objects.create(target=target, attempt_number=1, started_at=timezone.now(), outcome="retry", message="try later")
    return lambda body: [a["message"] for t in body["targets"] for a in t["attempts"]] == ["try later"]


def the_account_is_renamed(post):
    ConnectedAccount.objects.filter(targets__post=post, platform="x").update(platform_username="renamed")
    return lambda body: "renamed" in {t["account_username"] for t in body["targets"]}


def the_alt_text_changes(post):
    MediaFile.objects.filter(post_links__post=post).update(alt_text="a dog")
    return lambda body: body["media"][0]["alt_text"] == "a dog"


def a_tag_is_linked(post):
    media = post.post_media.get().media
    media.tags.add(MediaTag.objects.create(workspace=post.workspace, name="animals"))
    return lambda body: body["media"][0]["tags"] == ["animals", "cats"]


def a_tag_is_renamed(post):
    MediaTag.objects.filter(name="cats").update(name="felines")
    return lambda body: body["media"][0]["tags"] == ["felines"]


def the_attachment_is_removed(post):
    PostMedia.objects.filter(post=post).delete()
    return lambda body: body["media"] == []


def it_joins_a_queue(post):
    queue = PostQueueFactory(workspace=post.workspace)
    QueuedPost.objects.create(queue=queue, post=post, position=1)
    return lambda body: body["queue"] == queue.pk


def raw_sql_sets_an_error(post):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE social_media_posttarget SET error_message = 'written by hand' WHERE post_id = %s", [post.pk])
    return lambda body: {t["error_message"] for t in body["targets"]} == {"written by hand"}


@pytest.mark.parametrize("change", [
    edit_post, engine_marks_a_target_posted, an_attempt_is_recorded, the_account_is_renamed, the_alt_text_changes,
    a_tag_is_linked, a_tag_is_renamed, the_attachment_is_removed, it_joins_a_queue, raw_sql_sets_an_error,
], ids=lambda change: change.__name__)
def test_a_change_made_by_any_path_is_in_the_next_response(auth_api, post, change):
    """All inside the test's one transaction, as a request that writes and then reads would be: the
    rows' transaction id does not change there, their place (ctid) does."""
    get(auth_api)
    assert get(auth_api)[1] == ["fingerprints"]  # held
    shows_change = change(post)
    for url in (LIST, f"{LIST}{post.pk}/"):
        response, ran = get(auth_api, url)
        body = response.json()["results"][0] if url == LIST else response.json()
        assert shows_change(body), body
    assert ran == ["fingerprints"]  # the detail reused the body the list rebuilt


def test_a_finished_attempt_changes_the_body_it_was_held_with(auth_api, post):
    attempt = PublishAttempt.objects.create(target=post.targets.first(), attempt_number=1, started_at=timezone.now(), outcome="")
    assert get(auth_api)[0].json()["results"][0]["targets"][0]["attempts"][0]["outcome"] == ""
    PublishAttempt.objects.filter(pk=attempt.pk).update(outcome="success", finished_at=timezone.now())
    response, ran = get(auth_api)
    assert ran == ["fingerprints", "bodies"]
    assert response.json()["results"][0]["targets"][0]["attempts"][0]["outcome"] == "success"


def test_what_a_rolled_back_transaction_wrote_is_never_served(auth_api, post):
    before = get(auth_api)[0].content

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(content="never committed")
        assert b"never committed" in get(auth_api)[0].content  # read (and kept) inside the transaction
        raise Undo
    response, ran = get(auth_api)
    assert response.content == before and b"never committed" not in response.content
    assert ran == ["fingerprints", "bodies"]


def test_a_held_body_is_no_way_into_another_workspace(api, post):
    from rest_framework_simplejwt.tokens import RefreshToken

    from tests.factories import UserFactory

    owner = post.author
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(owner).access_token}")
    assert api.get(f"{LIST}{post.pk}/").status_code == 200  # held now
    stranger = UserFactory()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(stranger).access_token}")
    response = api.get(f"{LIST}{post.pk}/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert api.get(LIST).json()["count"] == 0  # the stranger's own workspace


def test_an_entry_older_than_its_lifetime_is_rebuilt_with_fresh_signatures(auth_api, post, settings, time_machine):
    settings.POST_BODY_CACHE_SECONDS = 60
    time_machine.move_to(timezone.now(), tick=False)
    first = get(auth_api)[0].json()["results"][0]["media"][0]["url"]
    time_machine.shift(59)
    assert get(auth_api)[1] == ["fingerprints"]
    time_machine.shift(2)
    response, ran = get(auth_api)
    assert ran == ["bodies"]  # nothing young enough is held: no fingerprints to compare
    assert response.json()["results"][0]["media"][0]["url"] != first  # signed 61 s later: a later expiry


def test_a_zero_lifetime_turns_the_cache_off(auth_api, post, settings):
    settings.POST_BODY_CACHE_SECONDS = 0
    assert [get(auth_api)[1] for _ in range(2)] == [["bodies"], ["bodies"]]


def test_an_unreachable_cache_costs_the_cache_not_the_request(auth_api, post, settings, caplog):
    from tests.services import free_port

    expected = get(auth_api)[0].json()
    settings.CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }}
    settings.THROTTLING_ENABLED = False  # the plan counter lives in that Redis too
    with caplog.at_level(logging.WARNING, logger="social_media.api.body_cache"):
        for url in (LIST, f"{LIST}{post.pk}/"):
            response, ran = get(auth_api, url)
            assert response.status_code == 200 and ran == ["bodies"]
    assert response.json() == expected["results"][0]
    assert "post body cache unreachable" in caplog.text


def test_indented_and_browsable_answers_read_held_bodies_too(auth_api, post):
    plain = get(auth_api)[0].json()
    indented = auth_api.get(LIST, HTTP_ACCEPT="application/json; indent=2")
    assert indented.content.startswith(b'{\n  "count"') and indented.json() == plain
    browsable = auth_api.get(f"{LIST}{post.pk}/", HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200 and b"a cat" in browsable.content


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_connection_is_in_the_next_response(auth_api, post):
    """What the publishing engine does: its own connection, its own transaction, committed."""
    import threading

    from django.db import connections

    assert get(auth_api)[1] == ["bodies"] and get(auth_api)[1] == ["fingerprints"]

    def publish():
        try:
            PostTarget.objects.filter(post=post).update(status=Status.POSTED, platform_post_url="https://x.com/a/status/1")
        finally:
            connections.close_all()

    worker = threading.Thread(target=publish)
    worker.start()
    worker.join()
    response, ran = get(auth_api)
    assert ran == ["fingerprints", "bodies"]
    assert {t["platform_post_url"] for t in response.json()["results"][0]["targets"]} == {"https://x.com/a/status/1"}


def test_a_number_beyond_64_bits_in_a_targets_settings_is_written_as_drf_writes_it(auth_api, post):
    PostTarget.objects.filter(post=post, account__platform="x").update(platform_specific_settings={"n": 2**70})
    for _ in range(2):  # built, then held
        response = auth_api.get(f"{LIST}{post.pk}/")
        assert response.status_code == 200
        assert b'"platform_specific_settings":{"n":1180591620717411303424}' in response.content
    assert [t["platform_specific_settings"] for t in post_bodies([post.pk])[0]["targets"]] == [{"n": 2**70}, {}]
