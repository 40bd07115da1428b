"""Adapt, hashtags, alt text, the brand voice and usage, through the API."""

import base64
import pytest
from django.urls import reverse
from django.utils.html import escape

from assistant.models import AssistantRequest, BrandVoice
from social_media.services.validation import validate_draft
from tests.factories import MediaFileFactory, UserFactory, WorkspaceFactory

from .conftest import variants

pytestmark = pytest.mark.django_db


def test_adapt_gives_one_checked_version_per_network(auth_api, openai_fake, x_account, bluesky_account):
    text = "We are thrilled to announce that our new sourdough masterclass series starts next month. " * 3
    openai_fake.answer(variants("x" * 290))  # over X's limit: refused and asked again
    openai_fake.answer(variants("Sourdough masterclasses start next month. Bring an apron."))
    openai_fake.answer(variants("Our sourdough masterclass series starts next month: https://bakery.example/classes"))

    response = auth_api.post("/api/v1/assistant/adapt/", {"content": text, "account_ids": [x_account.pk, bluesky_account.pk]}, format="json")

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["platform"] for r in results] == ["x", "bluesky"]
    assert [len(r["variants"]) for r in results] == [1, 1]
    for result, account in zip(results, (x_account, bluesky_account)):
        assert validate_draft(accounts=[account], content=result["variants"][0]["text"])[0]["errors"] == []
    assert openai_fake.material(0)["text_to_adapt"] == text.strip()
    assert "link shorteners" in openai_fake.material(2)["network"]["style"]


def test_hashtags_are_cleaned_and_say_where_they_came_from(auth_api, openai_fake, instagram_account):
    openai_fake.answer({"hashtags": [
        {"tag": "#Sourdough", "reason": "the topic"},
        {"tag": "real bread", "reason": "has a space: not a hashtag"},
        {"tag": "sourdough", "reason": "a repeat"},
        {"tag": "LeedsFood", "reason": "local"},
    ]})

    response = auth_api.post("/api/v1/assistant/hashtags/", {"content": "Our sourdough", "account_id": instagram_account.pk}, format="json")

    assert response.status_code == 200, response.content
    tags = response.json()["hashtags"]
    assert [t["tag"] for t in tags] == ["Sourdough", "LeedsFood"]
    assert all(t["sources"] == ["model"] for t in tags)
    assert openai_fake.material(0)["network"]["name"] == "Instagram"


def test_hashtags_of_another_workspaces_account_are_a_field_error(auth_api, openai_fake):
    from tests.factories import ConnectedAccountFactory

    other = ConnectedAccountFactory(workspace=WorkspaceFactory())
    response = auth_api.post("/api/v1/assistant/hashtags/", {"content": "c", "account_id": other.pk}, format="json")
    assert response.status_code == 400 and "account_id" in response.json()["error"]["fields"]


def test_alt_text_sends_the_image_and_answers_the_description(auth_api, openai_fake, workspace):
    media = MediaFileFactory(workspace=workspace)
    openai_fake.answer({"alt_text": "A round sourdough loaf on a floured board."})

    response = auth_api.post("/api/v1/assistant/alt-text/", {"media_id": media.pk}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["alt_text"] == "A round sourdough loaf on a floured board."
    parts = openai_fake.completions[0]["messages"][-1]["content"]
    image = next(p for p in parts if p["type"] == "image_url")["image_url"]["url"]
    assert image.startswith("data:image/jpeg;base64,")
    assert base64.b64decode(image.split(",", 1)[1])[:2] == b"\xff\xd8"
    assert AssistantRequest.objects.get().feature == "alt_text"


def test_alt_text_with_a_model_that_reads_no_images_says_so(auth_api, openai_fake, workspace, settings):
    settings.ASSISTANT_IMAGES = False
    media = MediaFileFactory(workspace=workspace)
    response = auth_api.post("/api/v1/assistant/alt-text/", {"media_id": media.pk}, format="json")
    assert response.status_code == 422
    assert "does not accept images" in response.json()["error"]["message"]
    assert openai_fake.completions == []


def test_alt_text_of_another_workspaces_file_is_a_field_error(auth_api, openai_fake):
    media = MediaFileFactory(workspace=WorkspaceFactory())
    response = auth_api.post("/api/v1/assistant/alt-text/", {"media_id": media.pk}, format="json")
    assert response.status_code == 400 and "media_id" in response.json()["error"]["fields"]


def test_the_voice_is_read_by_members_and_changed_by_admins(auth_api, member_api, workspace):
    url = f"/api/v1/workspaces/{workspace.pk}/voice/"
    assert auth_api.get(url).json()["tone"] == ""
    changed = auth_api.patch(url, {"tone": "warm, plain-spoken", "emoji": "none", "avoid_words": "cheap"}, format="json")
    assert changed.status_code == 200, changed.content
    voice = BrandVoice.objects.get(workspace=workspace)
    assert (voice.tone, voice.emoji, voice.updated_by) == ("warm, plain-spoken", "none", auth_api.user)
    editor = member_api("editor")
    assert editor.get(url).json()["tone"] == "warm, plain-spoken"
    assert editor.patch(url, {"tone": "loud"}, format="json").status_code == 403
    bad = auth_api.patch(url, {"emoji": "lots", "tone": "x" * 400}, format="json")
    assert bad.status_code == 400 and {"emoji", "tone"} <= set(bad.json()["error"]["fields"])


def test_another_workspaces_voice_is_not_found(auth_api):
    other = WorkspaceFactory()
    assert auth_api.get(f"/api/v1/workspaces/{other.pk}/voice/").status_code == 404
    assert auth_api.patch(f"/api/v1/workspaces/{other.pk}/voice/", {"tone": "x"}, format="json").status_code == 404


def test_usage_counts_requests_calls_and_tokens_per_day_and_feature(auth_api, openai_fake, x_account, workspace):
    openai_fake.answer(variants("y" * 300))
    openai_fake.answer(variants("Fresh bread."))
    auth_api.post("/api/v1/assistant/captions/", {"brief": "b", "account_ids": [x_account.pk], "n": 1}, format="json")
    openai_fake.refuse()
    auth_api.post("/api/v1/assistant/captions/", {"brief": "b", "account_ids": [x_account.pk], "n": 1}, format="json")
    AssistantRequest.objects.create(workspace=WorkspaceFactory(), feature="captions", provider="openai", tokens_in=999)

    body = auth_api.get("/api/v1/assistant/usage/?days=7").json()

    assert body["daily_quota"] == 20 and body["used_today"] == 2
    (row,) = body["days"]
    assert (row["feature"], row["requests"], row["calls"], row["failed"]) == ("captions", 2, 3, 1)
    expected = AssistantRequest.objects.filter(workspace=workspace)
    assert row["tokens_in"] == sum(r.tokens_in for r in expected) and row["tokens_in"] > 0
    assert auth_api.get("/api/v1/assistant/usage/?days=0").status_code == 400


def test_the_admin_lists_usage_per_workspace_and_day(client, workspace):
    AssistantRequest.objects.create(workspace=workspace, feature="captions", provider="openai", model="gpt-4o-mini", tokens_in=120, tokens_out=40)
    staff = UserFactory()
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    page = client.get(reverse("admin:assistant_assistantrequest_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Usage per day and workspace" in html and escape(workspace.name) in html and ">120<" in html
    assert client.get(reverse("admin:assistant_brandvoice_add")).status_code == 200


def test_hashtags_merge_the_accounts_measured_lift_with_the_models(auth_api, openai_fake, workspace):
    from datetime import timedelta

    from django.utils import timezone

    from tests.analytics.seeding import seed_posts
    from tests.factories import ConnectedAccountFactory

    account = ConnectedAccountFactory(workspace=workspace)
    now = timezone.now()
    items = []
    for i in range(40):  # a planted lift: #growth posts engage 3x the account's usual
        tagged = i % 2 == 0
        items.append((now - timedelta(days=3, hours=7 * i), {"likes": 30 if tagged else 10}, f"post {i} {'#growth' if tagged else '#daily'}"))
    seed_posts(account, items)
    openai_fake.answer({"hashtags": [{"tag": "Growth", "reason": "fits"}, {"tag": "Bread", "reason": "topic"}]})

    response = auth_api.post("/api/v1/assistant/hashtags/", {"content": "New loaves today", "account_id": account.pk}, format="json")

    assert response.status_code == 200, response.content
    tags = {t["tag"].lower(): t for t in response.json()["hashtags"]}
    assert tags["growth"]["sources"] == ["model", "measured"] and tags["growth"]["lift"] > 1 and tags["growth"]["posts"] == 20
    assert tags["bread"]["sources"] == ["model"] and tags["bread"]["lift"] is None
    assert "daily" not in tags  # measured below the baseline: not suggested
    assert response.json()["hashtags"][0]["tag"].lower() == "growth"  # both sources first
