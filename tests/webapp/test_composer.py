"""The composer: drafts, scheduling in the user's time zone to the second, per-account variants, media,
queues, publish now; invalid input answered next to the field; the live validation endpoint."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from social_media.models import Post, PostTarget, Status
from tests.factories import MediaFileFactory, PostFactory, PostQueueFactory, PostTargetFactory


pytestmark = pytest.mark.django_db


def compose(client, **data):
    return client.post(reverse("webapp:compose"), data)


def test_it_saves_a_draft_for_the_chosen_accounts(editor, mastodon, bluesky):
    response = compose(editor, accounts=[mastodon.pk, bluesky.pk], content="Hello", action="draft")
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("webapp:post_detail", kwargs={"post_id": post.pk})
    assert post.status == Status.DRAFT and post.content == "Hello" and post.author == editor.user
    assert sorted(post.targets.values_list("account_id", flat=True)) == sorted([mastodon.pk, bluesky.pk])


def test_it_schedules_at_the_second_given_in_the_users_time_zone(as_role, mastodon):
    client = as_role("editor")
    client.user.timezone = "Europe/Berlin"
    client.user.save()
    response = compose(client, accounts=[mastodon.pk], content="Exact", action="schedule", scheduled_time="2030-01-31T09:00:05")
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.status == Status.SCHEDULED
    assert post.scheduled_time == datetime(2030, 1, 31, 8, 0, 5, tzinfo=UTC)
    assert PostTarget.objects.get().next_attempt_at == post.scheduled_time


def test_per_account_variants_are_stored_on_their_targets(editor, mastodon, bluesky):
    compose(editor, accounts=[mastodon.pk, bluesky.pk], content="Main", **{f"variant_{bluesky.pk}": "Short for Bluesky"}, action="draft")
    texts = dict(PostTarget.objects.values_list("account_id", "custom_content"))
    assert texts == {mastodon.pk: "", bluesky.pk: "Short for Bluesky"}


def test_a_text_over_the_instances_limit_is_refused_next_to_the_text(editor, mastodon):
    response = compose(editor, accounts=[mastodon.pk], content="x" * 501, action="schedule", scheduled_time="2030-01-31T09:00:00")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_content_error">Mastodon @alice: The text is 501 characters; this Mastodon instance allows 500' in html
    assert not Post.objects.exists()  # all or nothing


def test_schedule_without_a_time_asks_for_one(editor, mastodon):
    response = compose(editor, accounts=[mastodon.pk], content="Hi", action="schedule", scheduled_time="")
    assert response.status_code == 400
    assert 'id="id_scheduled_time_error">Pick the date and time to publish at.' in response.content.decode()


def test_a_time_in_the_past_is_refused_next_to_the_time(editor, mastodon):
    response = compose(editor, accounts=[mastodon.pk], content="Hi", action="schedule", scheduled_time="2020-01-01T09:00:00")
    assert response.status_code == 400
    assert 'id="id_scheduled_time_error">Must be in the future.' in response.content.decode()
    assert not Post.objects.exists()


def test_an_account_of_another_workspace_is_not_a_choice(editor, other_workspace):
    response = compose(editor, accounts=[other_workspace["account"].pk], content="Hi", action="draft")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Post.objects.filter(workspace__name="Acme").exists()


def test_it_attaches_library_media_and_an_upload_with_alt_text(editor, mastodon, team_workspace):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    import io

    existing = MediaFileFactory(workspace=team_workspace)
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "teal").save(buffer, "PNG")
    upload = SimpleUploadedFile("sky.png", buffer.getvalue(), content_type="image/png")
    response = editor.post(reverse("webapp:compose"), {
        "accounts": [mastodon.pk], "content": "Pictures", "library_media": [existing.pk], "upload": upload, "upload_alt": "A teal sky", "action": "draft",
    })
    assert response.status_code == 302
    post = Post.objects.get()
    media = [link.media for link in post.post_media.all()]
    assert media[0] == existing and media[1].alt_text == "A teal sky" and media[1].width == 32


def test_uploading_a_file_the_library_already_has_and_picking_it_attaches_it_once(editor, mastodon, team_workspace):
    """The upload returns the library's copy of the same bytes; attached twice, it broke the unique
    (post, media) constraint: a 500."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    import io

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "teal").save(buffer, "PNG")
    data = buffer.getvalue()
    first = editor.post(reverse("webapp:compose"), {"accounts": [mastodon.pk], "content": "One", "upload": SimpleUploadedFile("sky.png", data, "image/png"), "action": "draft"})
    assert first.status_code == 302
    [existing] = Post.objects.get().post_media.values_list("media_id", flat=True)
    response = editor.post(reverse("webapp:compose"), {
        "accounts": [mastodon.pk], "content": "Two", "library_media": [existing], "upload": SimpleUploadedFile("again.png", data, "image/png"), "action": "draft",
    })
    assert response.status_code == 302
    assert list(Post.objects.get(content="Two").post_media.values_list("media_id", flat=True)) == [existing]


def test_an_upload_that_is_not_media_is_refused_next_to_the_file(editor, mastodon):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = editor.post(reverse("webapp:compose"), {"accounts": [mastodon.pk], "content": "x", "upload": SimpleUploadedFile("a.png", b"not an image"), "action": "draft"})
    assert response.status_code == 400
    assert 'id="id_upload_error">' in response.content.decode()
    assert not Post.objects.exists()


def test_add_to_queue_takes_the_next_free_slot(editor, mastodon, team_workspace):
    queue = PostQueueFactory(workspace=team_workspace, timezone="UTC", posting_schedule={day: ["10:00"] for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")})
    queue.target_accounts.add(mastodon)
    page = editor.get(reverse("webapp:compose")).content.decode()
    assert f"{queue.name} — next free slot" in page
    response = compose(editor, accounts=[mastodon.pk], content="Queued", action="queue", queue=queue.pk)
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.status == Status.SCHEDULED and post.queue_entry.queue == queue
    assert post.scheduled_time.hour == 10 and post.scheduled_time.minute == 0


def test_queue_without_a_queue_is_refused_next_to_the_queue(editor, mastodon):
    response = compose(editor, accounts=[mastodon.pk], content="Queued", action="queue")
    assert response.status_code == 400
    assert "Pick the queue to add the post to." in response.content.decode()


def test_publish_now_makes_every_target_due_now(editor, mastodon):
    response = compose(editor, accounts=[mastodon.pk], content="Now", action="publish")
    assert response.status_code == 302
    target = PostTarget.objects.get()
    assert target.status == Status.SCHEDULED and target.dispatched_at is not None


def test_a_viewer_cannot_post_and_is_told_so(viewer, mastodon):
    response = compose(viewer, accounts=[mastodon.pk], content="Nope", action="draft")
    assert response.status_code == 403
    assert not Post.objects.exists()


def test_edit_reschedules_a_scheduled_post(editor, mastodon, team_workspace):
    post = PostFactory(workspace=team_workspace, status=Status.SCHEDULED, scheduled_time=datetime(2030, 1, 1, 9, tzinfo=UTC))
    PostTargetFactory(post=post, account=mastodon)
    form = editor.get(reverse("webapp:edit", kwargs={"post_id": post.pk})).content.decode()
    assert 'value="2030-01-01T09:00:00"' in form
    response = editor.post(reverse("webapp:edit", kwargs={"post_id": post.pk}), {"accounts": [mastodon.pk], "content": "Edited", "action": "schedule", "scheduled_time": "2030-02-02T10:11:12"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.content == "Edited" and post.scheduled_time == datetime(2030, 2, 2, 10, 11, 12, tzinfo=UTC)


def test_save_draft_on_a_scheduled_post_unschedules_it(editor, mastodon, team_workspace):
    post = PostFactory(workspace=team_workspace, status=Status.SCHEDULED, scheduled_time=datetime(2030, 1, 1, 9, tzinfo=UTC))
    PostTargetFactory(post=post, account=mastodon)
    editor.post(reverse("webapp:edit", kwargs={"post_id": post.pk}), {"accounts": [mastodon.pk], "content": "Later", "action": "draft"})
    post.refresh_from_db()
    assert post.status == Status.DRAFT and post.scheduled_time is None


def test_a_published_post_cannot_be_edited(editor, mastodon, team_workspace):
    post = PostFactory(workspace=team_workspace, status=Status.POSTED)
    PostTargetFactory(post=post, account=mastodon)
    response = editor.get(reverse("webapp:edit", kwargs={"post_id": post.pk}))
    assert response.status_code == 302
    assert "only drafts and scheduled posts can be edited" in editor.get(response["Location"]).content.decode()


def test_another_workspaces_post_answers_404(editor, other_workspace):
    post = other_workspace["post"]
    assert editor.get(reverse("webapp:edit", kwargs={"post_id": post.pk})).status_code == 404
    assert editor.get(reverse("webapp:post_detail", kwargs={"post_id": post.pk})).status_code == 404
    assert editor.post(reverse("webapp:post_action", kwargs={"post_id": post.pk, "action": "delete"})).status_code == 404
    assert Post.objects.filter(pk=post.pk).exists()


# --- live validation ------------------------------------------------------------------------
def validate(client, **data):
    return client.post(reverse("webapp:compose_validate"), data, HTTP_HX_REQUEST="true")


def test_the_counters_count_the_way_each_network_does(editor, team_workspace, mastodon, bluesky):
    from tests.factories import ConnectedAccountFactory

    x = ConnectedAccountFactory(workspace=team_workspace, platform="x", platform_username="xuser", platform_settings={})
    text = "Café 👩‍👩‍👧 https://example.com/a/very/long/path"
    html = validate(editor, accounts=[mastodon.pk, bluesky.pk, x.pk], content=text).content.decode()
    # "Café " is 5 and the family emoji one grapheme everywhere but X (weighs 2); a URL counts 23 on
    # Mastodon and X, in full (36) on Bluesky.
    assert f'id="counter-{mastodon.pk}" data-used="30" data-limit="500">30 / 500' in html
    assert f'id="counter-{bluesky.pk}" data-used="43" data-limit="300">43 / 300' in html
    assert f'id="counter-{x.pk}" data-used="31" data-limit="280">31 / 280' in html


def test_past_the_limit_the_counter_turns_red_and_says_what_to_change(editor, bluesky):
    html = validate(editor, accounts=[bluesky.pk], content="é" * 301).content.decode()
    assert f'class="counter over" id="counter-{bluesky.pk}"' in html
    assert "Bluesky allows 300 characters; this post has 301." in html


def test_a_variant_is_counted_for_its_own_account(editor, mastodon, bluesky):
    html = validate(editor, accounts=[mastodon.pk, bluesky.pk], content="a" * 10, **{f"variant_{bluesky.pk}": "b" * 4}).content.decode()
    assert f'id="counter-{mastodon.pk}" data-used="10"' in html
    assert f'id="counter-{bluesky.pk}" data-used="4"' in html


def test_the_preview_marks_links_mentions_and_hashtags(editor, mastodon):
    html = validate(editor, accounts=[mastodon.pk], content="Hi @bob see https://ex.com #news <b>").content.decode()
    assert '<span class="mention">@bob</span>' in html
    assert '<span class="link">https://ex.com</span>' in html
    assert '<span class="tag">#news</span>' in html
    assert "&lt;b&gt;" in html


def test_validation_without_accounts_asks_to_choose_some(editor):
    assert "Choose accounts to see" in validate(editor, content="hello").content.decode()


def test_validation_ignores_accounts_of_another_workspace(editor, other_workspace):
    html = validate(editor, accounts=[other_workspace["account"].pk], content="hello").content.decode()
    assert other_workspace["account"].platform_username not in html


def test_validation_needs_a_login():
    from django.test import Client

    assert Client().post(reverse("webapp:compose_validate"), {"content": "x"}).status_code == 302


def test_a_time_past_year_9999_in_utc_is_refused_next_to_the_time(as_role, mastodon):
    """23:00 on 31 Dec 9999 in New York is year 10000 in UTC: PostgreSQL stores it, Python cannot read it
    back, and every page listing the post answered 500."""
    client = as_role("editor")
    client.user.timezone = "America/New_York"
    client.user.save()
    response = compose(client, accounts=[mastodon.pk], content="Late", action="schedule", scheduled_time="9999-12-31T23:00:00")
    assert response.status_code == 400
    assert 'id="id_scheduled_time_error">This time is outside the supported range' in response.content.decode()
    assert not Post.objects.exists()
    assert client.get(reverse("webapp:home")).status_code == 200


# --- a network's own settings (Reddit: subreddit and title) -----------------------------------
@pytest.fixture
def reddit(team_workspace):
    from tests.factories import ConnectedAccountFactory

    return ConnectedAccountFactory(workspace=team_workspace, platform="reddit", platform_username="spez", instance_url="", platform_settings={})


def test_a_reddit_account_s_tab_asks_for_its_subreddit_and_title(editor, reddit):
    html = editor.get(reverse("webapp:compose")).content.decode()
    for key in ("subreddit", "title", "url", "flair_id", "flair_text"):
        assert f'name="setting_{reddit.pk}_{key}"' in html
    assert f'id="id_setting_{reddit.pk}_title_helptext">At most 300 characters' in html


def test_scheduling_to_reddit_without_a_title_is_refused_next_to_the_title(editor, reddit):
    response = compose(editor, accounts=[reddit.pk], content="Body", action="schedule", scheduled_time="2030-01-31T09:00:00",
                       **{f"setting_{reddit.pk}_subreddit": "r/python"})

    assert response.status_code == 400
    assert f'id="id_setting_{reddit.pk}_title_error">Reddit posts need a title.' in response.content.decode()
    assert not Post.objects.exists()


def test_reddit_settings_are_stored_on_the_target_and_shown_again_when_editing(editor, reddit, mastodon):
    response = compose(editor, accounts=[reddit.pk, mastodon.pk], content="Body", action="schedule", scheduled_time="2030-01-31T09:00:00",
                       **{f"setting_{reddit.pk}_subreddit": " r/python ", f"setting_{reddit.pk}_title": "Our launch", f"setting_{reddit.pk}_flair_id": ""})

    assert response.status_code == 302
    post = Post.objects.get()
    assert post.status == Status.SCHEDULED
    settings = dict(PostTarget.objects.values_list("account_id", "platform_specific_settings"))
    assert settings == {reddit.pk: {"subreddit": "r/python", "title": "Our launch"}, mastodon.pk: {}}
    form = editor.get(reverse("webapp:edit", kwargs={"post_id": post.pk})).content.decode()
    assert f'name="setting_{reddit.pk}_title" value="Our launch"' in form


def test_the_live_check_says_what_reddit_still_needs(editor, reddit):
    html = validate(editor, accounts=[reddit.pk], content="Body", **{f"setting_{reddit.pk}_subreddit": "no spaces allowed"}).content.decode()

    assert "is not a subreddit name" in html and "Reddit posts need a title." in html
