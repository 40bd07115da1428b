"""Threads (multi-part posts) in the engine, in-process: each part once, in order, as a reply to the one
before; recorded parts are never sent again; unknown parts are reconciled. (Meta's Threads network is
tests/engine/test_threads_engine.py.)"""

from datetime import timedelta

import pytest
from django.utils import timezone

from social_media.models import PostTarget, PublishAttempt, Status, TargetPartPublication, ThreadPart
from social_media.services.publishing import target_publish
from social_media.services.sweeper import stuck_after_seconds, sweep
from tests.engine.conftest import due_target

pytestmark = pytest.mark.django_db(transaction=True)


def thread_target(account, texts):
    target = due_target(account, texts[0])
    for position, text in enumerate(texts[1:], start=1):
        ThreadPart.objects.create(post=target.post, position=position, content=text)
    return target


def status_posts(fake):
    return [r for r in fake.requests if r.method == "POST" and r.path == "/api/v1/statuses"]


def parts_recorded(target):
    return list(TargetPartPublication.objects.filter(target=target).order_by("position").values_list("position", "platform_post_id"))


def test_a_mastodon_thread_goes_out_in_order_each_part_replying_to_the_one_before(mastodon_account, mastodon_fake):
    target = thread_target(mastodon_account, ["One 🧵", "Two", "Three", "Four"])
    assert target_publish(target_id=target.id).status == Status.POSTED
    posts = mastodon_fake.posts
    assert [p["text"] for p in posts] == ["One 🧵", "Two", "Three", "Four"]
    assert [p["in_reply_to_id"] for p in posts] == [None, posts[0]["id"], posts[1]["id"], posts[2]["id"]]
    target.refresh_from_db()
    assert target.platform_post_id == posts[0]["id"]  # the thread's head
    assert parts_recorded(target) == [(i, p["id"]) for i, p in enumerate(posts)]
    keys = [r.headers.get("idempotency-key") for r in status_posts(mastodon_fake)]
    assert keys[0] == str(target.idempotency_key) and len(set(keys)) == 4


def test_a_mastodon_part_whose_answer_was_lost_is_sent_again_with_its_key_and_lands_once(mastodon_account, mastodon_fake, settings):
    settings.PUBLISH_BACKOFF_BASE_SECONDS = 0
    target = thread_target(mastodon_account, ["Head", "Second", "Third"])
    mastodon_fake.fail_next("drop_after_store", method="POST", path="/api/v1/statuses")  # the head lands, its answer is lost
    outcome = target_publish(target_id=target.id)
    assert outcome.status in (Status.SCHEDULED, Status.POSTED)
    while outcome.status == Status.SCHEDULED:
        PostTarget.objects.filter(id=target.id).update(next_attempt_at=timezone.now(), dispatched_at=timezone.now())
        outcome = target_publish(target_id=target.id)
    assert outcome.status == Status.POSTED
    assert [p["text"] for p in mastodon_fake.posts] == ["Head", "Second", "Third"]


def test_a_thread_taken_up_after_its_worker_died_never_sends_a_recorded_part_again(mastodon_account, mastodon_fake, settings):
    settings.PUBLISH_BACKOFF_BASE_SECONDS = 0
    target = thread_target(mastodon_account, ["Alpha", "Beta", "Gamma", "Delta"])
    # A worker published two parts and recorded them, sent the third (stored), then died.
    mastodon_fake.fail_next("drop_after_store", method="POST", path="/api/v1/statuses")
    from social_media.platforms import PlatformFactory
    from social_media.platforms.base import ThreadReply
    from social_media.services.threads import record_part

    adapter = PlatformFactory.get_platform(mastodon_account)
    stale = timezone.now() - timedelta(seconds=stuck_after_seconds() + 5)
    PostTarget.objects.filter(id=target.id).update(status=Status.PUBLISHING, claimed_at=stale, heartbeat_at=stale, retry_count=1)
    PublishAttempt.objects.create(target=target, attempt_number=1, started_at=stale)
    target.refresh_from_db()
    with pytest.raises(Exception):  # the dropped answer: the head is stored but unrecorded
        adapter.publish(target, "Alpha", [])
    assert len(mastodon_fake.posts) == 1
    head = adapter.publish(target, "Alpha", [])  # same key: the same status (the engine's retry)
    record_part(target, 0, head)
    second = adapter.publish_part(target, 1, "Beta", [], reply_to=ThreadReply(root=head, parent=head))
    record_part(target, 1, second)
    adapter.publish_part(target, 2, "Gamma", [], reply_to=ThreadReply(root=head, parent=second))  # sent, never recorded
    assert len(mastodon_fake.posts) == 3

    assert sweep().reconciled == 1  # finds Gamma (recorded), Delta missing: retried
    target.refresh_from_db()
    assert target.status == Status.SCHEDULED
    assert [position for position, _ in parts_recorded(target)] == [0, 1, 2]
    PostTarget.objects.filter(id=target.id).update(next_attempt_at=timezone.now(), dispatched_at=timezone.now())
    assert target_publish(target_id=target.id).status == Status.POSTED
    assert [p["text"] for p in mastodon_fake.posts] == ["Alpha", "Beta", "Gamma", "Delta"]
    ids = [p["id"] for p in mastodon_fake.posts]
    assert [p["in_reply_to_id"] for p in mastodon_fake.posts] == [None, *ids[:3]]
    sent = [r.json.get("status") if isinstance(r.json, dict) else r.form.get("status", [None])[-1]
            for r in status_posts(mastodon_fake)]
    assert sent.count("Beta") == 1 and sent.count("Gamma") == 1 and sent.count("Delta") == 1


def test_a_bluesky_thread_is_a_reply_chain_on_the_reference_pds(connect_bluesky, bluesky_pds):
    account = connect_bluesky()
    target = thread_target(account, ["First of four", "Second", "Third", "Fourth"])
    assert target_publish(target_id=target.id).status == Status.POSTED
    records = sorted(bluesky_pds.list_posts(account.platform_user_id), key=lambda r: r["uri"])  # record keys sort in thread order
    assert [r["value"]["text"] for r in records] == ["First of four", "Second", "Third", "Fourth"]
    head = records[0]
    assert "reply" not in head["value"]
    for before, part in zip(records, records[1:]):
        reply = {key: {k: v for k, v in ref.items() if k != "$type"} for key, ref in part["value"]["reply"].items() if key != "$type"}
        assert reply == {"root": {"uri": head["uri"], "cid": head["cid"]}, "parent": {"uri": before["uri"], "cid": before["cid"]}}
    target.refresh_from_db()
    assert target.platform_post_id == head["uri"]
    assert [uri for _, uri in parts_recorded(target)] == [r["uri"] for r in records]


def test_a_bluesky_part_whose_answer_was_lost_is_found_at_its_record_key(connect_bluesky, bluesky_proxy, bluesky_pds, settings):
    settings.PUBLISH_BACKOFF_BASE_SECONDS = 0
    account = connect_bluesky(via=bluesky_proxy.base_url)
    target = thread_target(account, ["Root", "Middle", "Leaf"])
    bluesky_proxy.fail_next("drop", nsid="com.atproto.repo.createRecord")  # the head lands, its answer is lost
    assert target_publish(target_id=target.id).status == Status.POSTED
    texts = [r["value"]["text"] for r in sorted(bluesky_pds.list_posts(account.platform_user_id), key=lambda r: r["uri"])]
    assert texts == ["Root", "Middle", "Leaf"]


def test_an_x_thread_whose_answer_was_lost_is_found_on_the_timeline_and_never_posted_twice(x_settings, x_fake, settings):
    from tests.platforms.conftest_x import make_x_account

    settings.PUBLISH_BACKOFF_BASE_SECONDS = 0
    account = make_x_account(x_fake)
    target = thread_target(account, ["X head", "X middle", "X last"])
    x_fake.fail_next("drop_after_store", path="/2/tweets", method="POST")  # the head lands, its answer is lost
    outcome = target_publish(target_id=target.id)
    while outcome.status == Status.SCHEDULED:  # found the head, part 2 not there: retried, looking first
        PostTarget.objects.filter(id=target.id).update(next_attempt_at=timezone.now(), dispatched_at=timezone.now())
        outcome = target_publish(target_id=target.id)
    assert outcome.status == Status.POSTED
    mine = sorted((p for p in x_fake.posts if p.author_id == account.platform_user_id), key=lambda p: int(p.id))
    assert [p.text for p in mine] == ["X head", "X middle", "X last"]
    assert [p.in_reply_to for p in mine] == [None, mine[0].id, mine[1].id]
    assert len(x_fake.requests_to("/2/tweets", method="POST")) == 3


def test_a_network_that_cannot_thread_is_refused_when_scheduled_not_at_publish(workspace):
    from rest_framework.exceptions import ValidationError

    from social_media.services.posts import post_schedule
    from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

    page = ConnectedAccountFactory(workspace=workspace, platform="instagram", platform_settings={})
    post = PostFactory(workspace=workspace, content="Caption")
    PostTargetFactory(post=post, account=page)
    ThreadPart.objects.create(post=post, position=1, content="More")
    with pytest.raises(ValidationError) as refused:
        post_schedule(post=post, at=timezone.now() + timedelta(hours=1))
    assert any("Instagram cannot publish a thread" in str(m) for m in refused.value.detail["targets"][str(page.pk)])


def test_unpublishing_a_thread_deletes_every_part(mastodon_account, mastodon_fake):
    from social_media.services.unpublishing import post_unpublish, unpublish_batch

    target = thread_target(mastodon_account, ["Gone 1", "Gone 2", "Gone 3"])
    assert target_publish(target_id=target.id).status == Status.POSTED
    assert len(mastodon_fake.posts) == 3
    post_unpublish(post=target.post)
    PostTarget.objects.filter(id=target.id).update(next_attempt_at=timezone.now())
    unpublish_batch(target_ids=[target.id])
    target.refresh_from_db()
    assert target.status == Status.DELETED and mastodon_fake.posts == []


def test_a_thread_on_meta_threads_is_a_chain_of_reply_containers_each_published_once(threads_account, threads_fake, settings):
    """Meta's Threads network (not this feature's name): each part a container with reply_to_id."""
    settings.PUBLISH_BACKOFF_BASE_SECONDS = 0
    target = thread_target(threads_account, ["Meta one", "Meta two", "Meta three"])
    path = f"/v1.0/{threads_account.platform_user_id}/threads_publish"
    threads_fake.fail_next("drop_after_store", path=path, method="POST")  # the head goes live, its answer is lost
    outcome = target_publish(target_id=target.id)
    while outcome.status == Status.SCHEDULED:
        PostTarget.objects.filter(id=target.id).update(next_attempt_at=timezone.now(), dispatched_at=timezone.now())
        outcome = target_publish(target_id=target.id)
    assert outcome.status == Status.POSTED
    posts = sorted(threads_fake.posts, key=lambda p: p.timestamp)
    assert [p.text for p in posts] == ["Meta one", "Meta two", "Meta three"]
    assert [p.reply_to_id for p in posts] == ["", posts[0].id, posts[1].id]
    assert [position for position, _ in parts_recorded(target)] == [0, 1, 2]


def _lose_the_answer_to_publish_number(threads_fake, account, number, monkeypatch):
    """Threads stores the `number`th threads_publish (1 = the head) but its answer never arrives."""
    path = f"/v1.0/{account.platform_user_id}/threads_publish"
    original, calls = threads_fake._publish, []

    def publish(request, user_id):
        calls.append(1)
        if len(calls) == number - 1:  # a fault is taken before routing: arm it for the next call
            threads_fake.fail_next("drop_after_store", path=path, method="POST")
        return original(request, user_id)

    monkeypatch.setattr(threads_fake, "_publish", publish)


def test_a_meta_threads_part_whose_answer_was_lost_is_found_among_the_replies_not_sent_twice(threads_account, threads_fake, settings,
                                                                                           monkeypatch):
    """Threads lists a part (a reply) under the part before (GET /{media-id}/replies), never in the account's
    GET /{user-id}/threads: reconciliation looks there."""
    settings.PUBLISH_BACKOFF_BASE_SECONDS = 0
    target = thread_target(threads_account, ["Meta head", "Meta second", "Meta third"])
    _lose_the_answer_to_publish_number(threads_fake, threads_account, 2, monkeypatch)  # part 2 goes live, its answer is lost
    outcome = target_publish(target_id=target.id)
    while outcome.status == Status.SCHEDULED:
        PostTarget.objects.filter(id=target.id).update(next_attempt_at=timezone.now(), dispatched_at=timezone.now())
        outcome = target_publish(target_id=target.id)
    assert outcome.status == Status.POSTED
    posts = sorted(threads_fake.posts, key=lambda p: p.timestamp)
    assert [p.text for p in posts] == ["Meta head", "Meta second", "Meta third"]  # each once
    assert parts_recorded(target) == [(i, p.id) for i, p in enumerate(posts)]
    assert threads_fake.requests_to(f"/v1.0/{posts[0].id}/replies", "GET")  # where the lost part was found


def test_a_meta_threads_part_is_unconfirmed_when_the_replies_cannot_be_read(threads_account, threads_fake, settings, monkeypatch):
    """Without threads_read_replies (an account connected before it was asked for) the lost part cannot be
    looked for: unknown, so the target is unconfirmed and nothing is sent again."""
    settings.PUBLISH_BACKOFF_BASE_SECONDS = 0
    threads_account.access_token = threads_fake.issue_token(
        threads_account.remote, scopes=("threads_basic", "threads_content_publish", "threads_manage_insights", "threads_delete"))
    threads_account.save()
    target = thread_target(threads_account, ["Old grant head", "Old grant second", "Old grant third"])
    _lose_the_answer_to_publish_number(threads_fake, threads_account, 2, monkeypatch)
    outcome = target_publish(target_id=target.id)
    target.refresh_from_db()
    assert outcome.status == Status.UNCONFIRMED and target.status == Status.UNCONFIRMED
    assert "part 2 of 3" in target.error_message
    assert [p.text for p in sorted(threads_fake.posts, key=lambda p: p.timestamp)] == ["Old grant head", "Old grant second"]
    assert [position for position, _ in parts_recorded(target)] == [0]
