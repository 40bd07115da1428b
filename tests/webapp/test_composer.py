"""The composer: drafts, scheduling in the user's time zone to the second, per-account variants, media,
queues, publish now; invalid input answered next to the field; the live validation endpoint."""

import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from media.models import MediaFile
from social_media.models import Post, PostTarget, Status
from tests.factories import ConnectedAccountFactory, MediaFileFactory, PostFactory, PostQueueFactory, PostTargetFactory
from webapp.composer import suggested_time

WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


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
    assert 'value="2030-01-01T09:00" step="60"' in form
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


# --- what the page shows again after an error, and what it suggests ---------------------------
class _FormState(HTMLParser):
    """The fields a browser would submit from the page's compose form (file inputs and buttons aside)."""

    def __init__(self):
        super().__init__()
        self.values, self._textarea, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") not in ("file", "submit") and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.values.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_state(html):
    parser = _FormState()
    parser.feed(html[html.index('id="compose-form"'):])
    state = {}
    for name, value in parser.values:
        state.setdefault(name, []).append(value)
    return state


def png(color="teal", size=(32, 24)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_alt_text_typed_with_a_file_the_library_already_has_is_the_one_attached(editor, mastodon):
    """Same bytes: the library keeps one file, and it used to keep its old alt text too."""
    data = png()
    compose(editor, accounts=[mastodon.pk], content="One", upload=SimpleUploadedFile("sky.png", data), upload_alt="Sky", action="draft")

    response = compose(editor, accounts=[mastodon.pk], content="Two", upload=SimpleUploadedFile("sky.png", data), upload_alt="A teal sky at dusk", action="draft")

    assert response.status_code == 302
    [media] = [link.media for link in Post.objects.get(content="Two").post_media.all()]
    assert media.alt_text == "A teal sky at dusk" and MediaFile.objects.count() == 1
    assert "sky.png was already in the media library; that file is attached, with the alt text you typed." in editor.get(response["Location"]).content.decode()


def test_a_refused_time_keeps_every_choice_and_the_page_submits_again_as_shown(as_role, mastodon, bluesky, team_workspace):
    """A past time used to drop the uploaded file and keep its alt text, so the corrected submit was
    refused with "Choose the file this alt text describes."; now the page shows the file attached
    (stored in the library with its alt text) and every other choice as it was."""
    client = as_role("editor")
    client.user.timezone = "Europe/Berlin"
    client.user.save()
    from tests.factories import ConnectedAccountFactory

    reddit = ConnectedAccountFactory(workspace=team_workspace, platform="reddit", platform_username="spez", instance_url="", platform_settings={})
    chosen = {
        "accounts": [mastodon.pk, reddit.pk], "content": "Launch", f"variant_{mastodon.pk}": "Launch on Mastodon",
        f"setting_{reddit.pk}_subreddit": "r/acme", f"setting_{reddit.pk}_title": "Acme 2.0",
    }

    refused = client.post(reverse("webapp:compose"), {
        **chosen, "upload": SimpleUploadedFile("chart.png", png("navy")), "upload_alt": "Sales by month", "action": "schedule", "scheduled_time": "2020-01-01T09:00",
    })

    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'id="id_scheduled_time_error">Must be in the future.' in html
    media = MediaFile.objects.get()
    assert media.alt_text == "Sales by month"
    shown = form_state(html)
    assert shown["library_media"] == [str(media.pk)]
    assert shown["upload_alt"] == [""]
    assert sorted(shown["accounts"]) == sorted([str(mastodon.pk), str(reddit.pk)])
    for name in ("content", f"variant_{mastodon.pk}", f"setting_{reddit.pk}_subreddit", f"setting_{reddit.pk}_title"):
        assert shown[name] == [chosen[name]], name
    assert shown["scheduled_time"] == ["2020-01-01T09:00"]

    shown["scheduled_time"] = ["2030-01-31T09:00"]
    response = client.post(reverse("webapp:compose"), {**shown, "action": "schedule"})

    assert response.status_code == 302, response.content.decode()[-3000:]
    post = Post.objects.get()
    assert post.status == Status.SCHEDULED and post.scheduled_time == datetime(2030, 1, 31, 8, 0, tzinfo=UTC)
    assert [link.media.alt_text for link in post.post_media.all()] == ["Sales by month"]
    assert dict(post.targets.values_list("account_id", "custom_content"))[mastodon.pk] == "Launch on Mastodon"
    assert post.targets.get(account=reddit).platform_specific_settings == {"subreddit": "r/acme", "title": "Acme 2.0"}


def test_a_form_error_keeps_the_upload_even_when_the_form_itself_is_refused(editor, mastodon):
    """Schedule without a time is refused by the form, before any service runs: the file is kept all the same."""
    response = compose(editor, accounts=[mastodon.pk], content="Hi", upload=SimpleUploadedFile("dot.png", png("red")), upload_alt="A red dot", action="schedule", scheduled_time="")

    assert response.status_code == 400
    assert "Choose the file this alt text describes." not in response.content.decode()
    media = MediaFile.objects.get()
    assert form_state(response.content.decode())["library_media"] == [str(media.pk)] and media.alt_text == "A red dot"
    assert not Post.objects.exists()


def test_a_refused_upload_keeps_its_alt_text_and_says_so_next_to_the_file(editor, mastodon):
    response = compose(editor, accounts=[mastodon.pk], content="x", upload=SimpleUploadedFile("a.png", b"not an image"), upload_alt="A cat", action="draft")

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_upload_error">' in html and form_state(html)["upload_alt"] == ["A cat"]
    assert not MediaFile.objects.exists()


def test_the_only_connected_account_is_chosen_and_the_time_is_suggested(editor, mastodon):
    before = timezone.now()

    html = editor.get(reverse("webapp:compose")).content.decode()

    shown = form_state(html)
    assert shown["accounts"] == [str(mastodon.pk)]
    at = timezone.make_aware(datetime.strptime(shown["scheduled_time"][0], "%Y-%m-%dT%H:%M"))
    assert at.minute % 15 == 0 and timedelta(minutes=10) <= at - before.replace(second=0, microsecond=0) <= timedelta(minutes=26)
    assert 'type="datetime-local" name="scheduled_time"' in html and 'step="60"' in html


def test_with_two_accounts_none_is_chosen_for_you(editor, mastodon, bluesky):
    assert "accounts" not in form_state(editor.get(reverse("webapp:compose")).content.decode())


def test_the_suggested_time_is_the_next_free_slot_of_the_accounts_queue(editor, mastodon, team_workspace):
    queue = PostQueueFactory(workspace=team_workspace, timezone="UTC", posting_schedule={day: ["06:45"] for day in WEEK})
    queue.target_accounts.add(mastodon)
    taken = PostFactory(workspace=team_workspace, status=Status.SCHEDULED, scheduled_time=suggested_time(workspace=team_workspace, accounts=[mastodon]))
    from social_media.models import QueuedPost

    QueuedPost.objects.create(queue=queue, post=taken, position=1)

    shown = form_state(editor.get(reverse("webapp:compose")).content.decode())["scheduled_time"][0]

    expected = taken.scheduled_time + timedelta(days=1)  # the first slot is held by another post
    assert shown == timezone.localtime(expected).strftime("%Y-%m-%dT%H:%M")


def test_without_a_queue_the_suggestion_is_the_first_quarter_hour_ten_minutes_ahead(team_workspace, mastodon):
    at = lambda h, m, s=0: datetime(2030, 5, 1, h, m, s, tzinfo=UTC)  # noqa: E731
    assert suggested_time(workspace=team_workspace, accounts=[mastodon], now=at(9, 2)) == at(9, 15)
    assert suggested_time(workspace=team_workspace, accounts=[mastodon], now=at(9, 7)) == at(9, 30)
    assert suggested_time(workspace=team_workspace, accounts=[mastodon], now=at(23, 55, 30)) == datetime(2030, 5, 2, 0, 15, tzinfo=UTC)


def test_the_calendars_slot_time_is_taken_when_it_is_ahead(editor, mastodon):
    assert form_state(editor.get(reverse("webapp:compose") + "?at=2031-03-04T15:30").content.decode())["scheduled_time"] == ["2031-03-04T15:30"]
    past = form_state(editor.get(reverse("webapp:compose") + "?at=2001-03-04T15:30").content.decode())["scheduled_time"]
    assert past != ["2001-03-04T15:30"]
    assert editor.get(reverse("webapp:compose") + "?at=nonsense").status_code == 200


def test_a_time_with_seconds_set_through_the_api_is_shown_and_kept_to_the_second(editor, mastodon, team_workspace):
    post = PostFactory(workspace=team_workspace, status=Status.SCHEDULED, scheduled_time=datetime(2030, 1, 1, 9, 0, 5, tzinfo=UTC))
    PostTargetFactory(post=post, account=mastodon)

    html = editor.get(reverse("webapp:edit", kwargs={"post_id": post.pk})).content.decode()

    assert 'type="datetime-local" name="scheduled_time" value="2030-01-01T09:00:05" step="1"' in html
    shown = form_state(html)
    assert editor.post(reverse("webapp:edit", kwargs={"post_id": post.pk}), {**shown, "action": "schedule"}).status_code == 302
    post.refresh_from_db()
    assert post.scheduled_time == datetime(2030, 1, 1, 9, 0, 5, tzinfo=UTC)


# --- duplicate ------------------------------------------------------------------------------
def test_duplicate_opens_the_composer_with_a_copy_that_is_saved_as_a_new_draft(editor, mastodon, bluesky, team_workspace):
    image = MediaFileFactory(workspace=team_workspace)
    original = PostFactory(workspace=team_workspace, status=Status.POSTED, content="Original words")
    PostTargetFactory(post=original, account=mastodon, status=Status.POSTED)
    PostTargetFactory(post=original, account=bluesky, status=Status.POSTED, custom_content="Short")
    from social_media.models import PostMedia

    PostMedia.objects.create(post=original, media=image)

    html = editor.get(reverse("webapp:compose") + f"?duplicate={original.pk}").content.decode()

    assert f"Copy of post #{original.pk}" in html
    shown = form_state(html)
    assert sorted(shown["accounts"]) == sorted([str(mastodon.pk), str(bluesky.pk)])
    assert shown["content"] == ["Original words"] and shown[f"variant_{bluesky.pk}"] == ["Short"]
    assert shown["library_media"] == [str(image.pk)]
    response = editor.post(reverse("webapp:compose"), {**shown, "action": "draft"})
    assert response.status_code == 302
    copy = Post.objects.exclude(pk=original.pk).get()
    assert copy.status == Status.DRAFT and copy.content == "Original words" and list(copy.post_media.values_list("media_id", flat=True)) == [image.pk]
    assert Post.objects.get(pk=original.pk).status == Status.POSTED


def test_duplicating_another_workspaces_post_or_a_bad_id_answers_404(editor, other_workspace):
    for value in (other_workspace["post"].pk, "abc", "9" * 30):
        assert editor.get(reverse("webapp:compose") + f"?duplicate={value}").status_code == 404


# --- what a post offers, in each state -------------------------------------------------------
CHANGE_ACTIONS = {"Edit", "Publish now", "Cancel", "Unpublish", "Duplicate", "Delete", "Retry"}
READ_ACTIONS = {"View on", "Stats"}


def offered(html):
    start = html.index('class="row post-actions"')
    actions = html[start:html.index("</div>", start)]
    found = {label for label in CHANGE_ACTIONS | READ_ACTIONS if f">{label}" in actions}
    if ">Retry</button>" in html:
        found.add("Retry")
    return found


def post_in(team_workspace, account, *statuses, post_status=None):
    post = PostFactory(workspace=team_workspace, status=post_status or statuses[0], scheduled_time=datetime(2030, 1, 1, 9, tzinfo=UTC))
    for number, status in enumerate(statuses):
        posted = status == Status.POSTED
        PostTargetFactory(
            post=post, account=account if number == 0 else ConnectedAccountFactory(workspace=team_workspace), status=status,
            platform_post_url=f"https://mastodon.example/@alice/{number}" if posted else "", posted_at=datetime(2030, 1, 1, 9, tzinfo=UTC) if posted else None,
        )
    return post


@pytest.mark.parametrize(("statuses", "post_status", "expected"), [
    ((Status.DRAFT,), None, {"Edit", "Publish now", "Duplicate", "Delete"}),
    ((Status.SCHEDULED,), None, {"Edit", "Publish now", "Cancel", "Duplicate", "Delete"}),
    ((Status.PUBLISHING,), None, {"Duplicate"}),
    ((Status.POSTED,), None, {"View on", "Stats", "Unpublish", "Duplicate"}),
    ((Status.POSTED, Status.FAILED), Status.PARTIALLY_POSTED, {"View on", "Stats", "Unpublish", "Duplicate", "Retry"}),
    ((Status.FAILED,), None, {"Retry", "Duplicate", "Delete"}),
])
def test_each_state_offers_what_applies_on_the_page_and_in_the_panel(editor, viewer, mastodon, team_workspace, statuses, post_status, expected):
    post = post_in(team_workspace, mastodon, *statuses, post_status=post_status)
    url = reverse("webapp:post_detail", kwargs={"post_id": post.pk})

    for html in (editor.get(url).content.decode(), editor.get(url, HTTP_HX_REQUEST="true").content.decode()):
        assert offered(html) == expected
    for html in (viewer.get(url).content.decode(), viewer.get(url, HTTP_HX_REQUEST="true").content.decode()):
        assert offered(html) == expected & READ_ACTIONS
        assert "can read this post but not change it" in html


def test_a_posted_post_shows_its_stats(editor, mastodon, team_workspace):
    from analytics.models import PostAnalytics

    post = post_in(team_workspace, mastodon, Status.POSTED)
    PostAnalytics.objects.create(target=post.targets.get(), likes=7, reposts=2, replies=1)

    html = editor.get(reverse("webapp:post_detail", kwargs={"post_id": post.pk})).content.decode()

    assert 'id="stats"' in html
    assert '<td data-label="Likes">7</td>' in html and '<td data-label="Reposts">2</td>' in html


def test_unpublish_sends_every_published_copy_to_be_deleted(editor, mastodon, team_workspace):
    post = post_in(team_workspace, mastodon, Status.POSTED)

    response = editor.post(reverse("webapp:post_action", kwargs={"post_id": post.pk, "action": "unpublish"}))

    assert response.status_code == 302
    assert post.targets.get().status == Status.DELETING
    assert "Unpublishing" in editor.get(response["Location"]).content.decode()


def test_a_viewer_cannot_unpublish(viewer, mastodon, team_workspace):
    post = post_in(team_workspace, mastodon, Status.POSTED)
    assert viewer.post(reverse("webapp:post_action", kwargs={"post_id": post.pk, "action": "unpublish"})).status_code == 403
    assert post.targets.get().status == Status.POSTED


def test_publish_now_asks_first_and_looks_unlike_schedule(editor, mastodon, team_workspace):
    html = editor.get(reverse("webapp:compose")).content.decode()
    assert re.search(r'<button type="submit" form="compose-form" name="action" value="publish" class="publish-now" data-confirm="Publish this post now\?', html)
    assert re.search(r'<button type="submit" form="compose-form" name="action" value="schedule">', html)
    detail = editor.get(reverse("webapp:post_detail", kwargs={"post_id": post_in(team_workspace, mastodon, Status.DRAFT).pk})).content.decode()
    assert re.search(r'data-confirm="Publish this post now\?[^"]*">[^<]*<input[^>]*>\s*<button type="submit" class="small publish-now">Publish now', detail)


def test_editing_a_draft_suggests_the_next_free_slot_of_its_accounts_queue(editor, mastodon, team_workspace):
    queue = PostQueueFactory(workspace=team_workspace, timezone="UTC", posting_schedule={day: ["05:10"] for day in WEEK})
    queue.target_accounts.add(mastodon)
    draft = PostFactory(workspace=team_workspace, status=Status.DRAFT)
    PostTargetFactory(post=draft, account=mastodon)

    shown = form_state(editor.get(reverse("webapp:edit", kwargs={"post_id": draft.pk})).content.decode())["scheduled_time"]

    assert shown == [timezone.localtime(suggested_time(workspace=team_workspace, accounts=[mastodon])).strftime("%Y-%m-%dT%H:%M")]
    assert shown[0].endswith("T05:10")


def test_the_live_check_names_the_time_a_post_for_the_picked_accounts_would_go_out_at(editor, mastodon, bluesky, team_workspace):
    queue = PostQueueFactory(workspace=team_workspace, timezone="UTC", posting_schedule={day: ["04:20"] for day in WEEK})
    queue.target_accounts.add(bluesky)

    with_queue = validate(editor, accounts=[bluesky.pk], content="Hi")["X-Suggested-Time"]
    without = validate(editor, accounts=[mastodon.pk], content="Hi")["X-Suggested-Time"]

    assert with_queue.endswith("T04:20") and with_queue == timezone.localtime(suggested_time(workspace=team_workspace, accounts=[bluesky])).strftime("%Y-%m-%dT%H:%M")
    assert without == timezone.localtime(suggested_time(workspace=team_workspace, accounts=[mastodon])).strftime("%Y-%m-%dT%H:%M")


def test_only_a_suggested_time_follows_the_accounts(editor, mastodon, bluesky, team_workspace):
    follows = 'name="scheduled_time"'
    assert "data-follow-suggestion" in editor.get(reverse("webapp:compose")).content.decode()
    assert "data-follow-suggestion" not in editor.get(reverse("webapp:compose") + "?at=2031-03-04T15:30").content.decode()
    post = PostFactory(workspace=team_workspace, status=Status.SCHEDULED, scheduled_time=datetime(2030, 1, 1, 9, tzinfo=UTC))
    PostTargetFactory(post=post, account=mastodon)
    html = editor.get(reverse("webapp:edit", kwargs={"post_id": post.pk})).content.decode()
    assert follows in html and "data-follow-suggestion" not in html
    refused = compose(editor, accounts=[mastodon.pk], content="Hi", action="schedule", scheduled_time="2020-01-01T09:00").content.decode()
    assert follows in refused and "data-follow-suggestion" not in refused
