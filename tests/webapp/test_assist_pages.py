"""The assistant in the web app (Django test client): the voice page and the Assist fragments."""

import pytest
from django.utils.html import escape

from accounts.models import Membership
from assistant.models import AssistantRequest, BrandVoice
from tests.assistant.conftest import gemini_fake, gemini_server, openai_fake, openai_server, variants  # noqa: F401
from tests.factories import ConnectedAccountFactory, MediaFileFactory, MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, user):
    client.force_login(user)
    return client


def _member_client(client, workspace, role):
    member = UserFactory()
    MembershipFactory(user=member, workspace=workspace, role=role)
    client.force_login(member)
    session = client.session
    session["workspace_id"] = workspace.pk
    session.save()
    return client


def test_the_owner_sets_the_voice_and_sees_field_errors(owner_client, workspace):
    page = owner_client.get("/settings/voice/")
    assert page.status_code == 200 and "Brand voice" in page.content.decode()
    bad = owner_client.post("/settings/voice/", {"tone": "x" * 400, "emoji": "lots", "hashtags": "few"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Ensure this value has at most 300 characters" in html and "Select a valid choice" in html
    assert not BrandVoice.objects.exists()
    saved = owner_client.post("/settings/voice/", {"tone": "warm", "emoji": "none", "hashtags": "few", "language": "English"}, follow=True)
    assert saved.status_code == 200
    voice = BrandVoice.objects.get(workspace=workspace)
    assert (voice.tone, voice.emoji, voice.language) == ("warm", "none", "English")


def test_an_editor_reads_the_voice_but_cannot_change_it(client, workspace):
    BrandVoice.objects.create(workspace=workspace, tone="warm")
    editor = _member_client(client, workspace, Membership.Role.EDITOR)
    assert "warm" in editor.get("/settings/voice/").content.decode()
    assert editor.post("/settings/voice/", {"tone": "loud", "emoji": "none", "hashtags": "few"}).status_code == 403
    assert BrandVoice.objects.get().tone == "warm"


def test_the_assist_panel_is_shown_only_when_a_provider_is_configured(owner_client, workspace, settings):
    ConnectedAccountFactory(workspace=workspace)
    settings.ASSISTANT_PROVIDER = ""
    assert 'id="assist-form"' not in owner_client.get("/compose/").content.decode()
    settings.ASSISTANT_PROVIDER, settings.OPENAI_API_KEY = "openai", "k"
    assert 'id="assist-form"' in owner_client.get("/compose/").content.decode()


def test_assist_drafts_come_back_with_use_buttons_and_escaped(owner_client, openai_fake, workspace):
    account = ConnectedAccountFactory(workspace=workspace, platform_username="bakery")
    openai_fake.answer(variants('<script>alert("x")</script> Fresh bread at dawn.'))
    response = owner_client.post("/assist/captions/", {"brief": "bread", "n": "1", "accounts": [account.pk]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html and escape('<script>alert("x")</script>') in html
    assert f'data-assist-use="{account.pk}"' in html and "Use for @bakery" in html
    assert AssistantRequest.objects.get().user is not None


def test_assist_without_accounts_or_with_another_workspaces_account_says_so(owner_client, openai_fake):
    other = ConnectedAccountFactory(workspace=WorkspaceFactory())
    missing = owner_client.post("/assist/captions/", {"brief": "bread", "n": "1"})
    assert missing.status_code == 400 and "Choose at least one account" in missing.content.decode()
    foreign = owner_client.post("/assist/captions/", {"brief": "bread", "n": "1", "accounts": [other.pk]})
    assert foreign.status_code == 400 and "Select a valid choice" in foreign.content.decode()
    assert openai_fake.completions == []


def test_an_assistant_error_is_a_sentence_in_the_panel(owner_client, openai_fake, workspace):
    account = ConnectedAccountFactory(workspace=workspace)
    openai_fake.quota_exhausted()
    response = owner_client.post("/assist/captions/", {"brief": "bread", "n": "1", "accounts": [account.pk]})
    assert response.status_code == 503
    assert "used up its quota" in response.content.decode() and "insufficient_quota" not in response.content.decode()


def test_hashtag_suggestions_for_the_main_text(owner_client, openai_fake, workspace):
    account = ConnectedAccountFactory(workspace=workspace)
    openai_fake.answer({"hashtags": [{"tag": "Sourdough", "reason": "topic"}]})
    response = owner_client.post("/assist/hashtags/", {"content": "Our sourdough", "accounts": [account.pk]})
    assert response.status_code == 200 and 'data-assist-tag="Sourdough"' in response.content.decode()
    empty = owner_client.post("/assist/hashtags/", {"content": "", "accounts": [account.pk]})
    assert empty.status_code == 400 and "Write the main text first" in empty.content.decode()


def test_alt_text_suggestion_on_the_media_page(owner_client, openai_fake, workspace):
    media = MediaFileFactory(workspace=workspace)
    assert "Suggest alt text" in owner_client.get(f"/library/{media.pk}/").content.decode()
    openai_fake.answer({"alt_text": "A loaf on a board."})
    response = owner_client.post(f"/assist/alt-text/{media.pk}/")
    assert response.status_code == 200 and 'data-assist-alt="A loaf on a board."' in response.content.decode()
    other = MediaFileFactory(workspace=WorkspaceFactory())
    assert owner_client.post(f"/assist/alt-text/{other.pk}/").status_code == 404


def test_viewers_get_no_assist(client, workspace, openai_fake):
    account = ConnectedAccountFactory(workspace=workspace)
    viewer = _member_client(client, workspace, Membership.Role.VIEWER)
    assert viewer.post("/assist/captions/", {"brief": "b", "n": "1", "accounts": [account.pk]}).status_code == 403
    assert openai_fake.completions == []


def test_htmx_gets_an_error_as_a_fragment_it_can_show(owner_client, openai_fake, workspace):
    account = ConnectedAccountFactory(workspace=workspace)
    openai_fake.refuse()
    response = owner_client.post("/assist/captions/", {"brief": "b", "n": "1", "accounts": [account.pk]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'role="alert"' in response.content.decode() and "declined" in response.content.decode()


def test_adapt_rewrites_the_main_text_per_network_with_use_buttons(owner_client, openai_fake, workspace):
    x = ConnectedAccountFactory(workspace=workspace, platform="x", platform_username="bakes", platform_settings={}, instance_url="")
    openai_fake.answer(variants("Rye at seven. Come early!"))
    response = owner_client.post("/assist/adapt/", {"content": "Our rye bread comes out of the oven at seven every morning.", "accounts": [x.pk]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rye at seven. Come early!" in html and f'data-assist-use="{x.pk}"' in html
    assert openai_fake.material(0)["text_to_adapt"].startswith("Our rye bread")
