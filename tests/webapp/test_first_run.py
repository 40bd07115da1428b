"""The first run: a newly connected account gets a weekly posting schedule of its own (a queue the
person can change, as Buffer gives a new channel one), and the composer offers *Add to queue* only
when a queue exists."""

import pytest
from django.urls import reverse

from social_media.models import PostQueue
from social_media.platforms.base import AccountProfile, TokenSet
from social_media.services.connect import account_upsert
from social_media.services.queues import DAYS, next_free_slot
from tests.factories import PostQueueFactory, UserFactory

pytestmark = pytest.mark.django_db


def connect(workspace, user, user_id="42", username="ada@example.social"):
    return account_upsert(workspace=workspace, platform="mastodon", user=user,
                          profile=AccountProfile(user_id, username, tokens=TokenSet("token")))


def test_a_newly_connected_account_gets_its_own_weekly_schedule_in_the_connecting_user_s_zone(team_workspace):
    user = UserFactory()
    user.timezone = "Europe/Berlin"
    account, created = connect(team_workspace, user)

    queue = PostQueue.objects.get(workspace=team_workspace)
    assert created and list(queue.target_accounts.all()) == [account]
    assert queue.name == "Mastodon @ada@example.social" and queue.timezone == "Europe/Berlin" and queue.is_active
    assert queue.posting_schedule == {day: ["09:00", "13:00", "17:00"] for day in DAYS}
    assert next_free_slot(queue) is not None  # posts can be added to it at once


def test_reconnecting_an_account_does_not_add_another_schedule(team_workspace):
    user = UserFactory()
    connect(team_workspace, user)
    queue = PostQueue.objects.get()
    queue.posting_schedule = {"monday": ["08:15"]}  # the person changed it
    queue.save()

    _account, created = connect(team_workspace, user)

    assert not created
    assert list(PostQueue.objects.values_list("posting_schedule", flat=True)) == [{"monday": ["08:15"]}]


def test_the_composer_offers_add_to_queue_only_when_a_queue_exists(editor, team_workspace, mastodon):
    page = editor.get(reverse("webapp:compose")).content.decode()
    assert 'value="queue"' not in page and 'id="no-queue"' in page and reverse("webapp:queue_new") in page

    PostQueueFactory(workspace=team_workspace, name="Weekdays")
    page = editor.get(reverse("webapp:compose")).content.decode()
    assert 'name="action" value="queue"' in page and "Weekdays" in page and 'id="no-queue"' not in page


# --- A user who belongs to no workspace ------------------------------------------------------------
def lone_user():
    from accounts.models import User

    return User.objects.create_user("loner", "loner@example.com", "a long passphrase")  # as createuser does: no workspace


def test_a_user_in_no_workspace_is_sent_to_create_theirs_and_lands_in_it(client):
    from accounts.models import Membership

    user = lone_user()
    client.force_login(user)

    home = client.get(reverse("webapp:home"))
    assert home.status_code == 302 and home["Location"] == reverse("webapp:no_workspace")
    page = client.get(home["Location"]).content.decode()
    assert "Create my workspace" in page and 'value="loner&#x27;s workspace"' in page

    created = client.post(reverse("webapp:no_workspace"), {"name": "Loner Media"})

    assert created.status_code == 302 and created["Location"] == reverse("webapp:home")
    membership = Membership.objects.get(user=user)
    assert membership.workspace.name == "Loner Media" and membership.role == Membership.Role.OWNER
    assert "Posts in Loner Media" in client.get(reverse("webapp:home")).content.decode()
    assert client.get(reverse("webapp:no_workspace")).status_code == 302  # a member goes home


def test_an_empty_workspace_name_is_refused_next_to_the_field(client):
    client.force_login(lone_user())
    response = client.post(reverse("webapp:no_workspace"), {"name": "   "})
    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_where_the_operator_keeps_workspace_creation_the_page_says_to_ask_for_an_invitation(client, settings, auth_api):
    from accounts.models import Workspace

    settings.WORKSPACE_CREATION_ENABLED = False
    client.force_login(lone_user())

    page = client.get(reverse("webapp:no_workspace")).content.decode()
    assert 'id="ask-for-invitation"' in page and "Create my workspace" not in page
    assert client.post(reverse("webapp:no_workspace"), {"name": "Mine"}).status_code == 403
    assert auth_api.post("/api/v1/workspaces/", {"name": "Mine"}, format="json").status_code == 403  # the API agrees
    assert not Workspace.objects.filter(name="Mine").exists()


# --- The home page's checklist -----------------------------------------------------------------------
def checklist(client):
    body = client.get(reverse("webapp:home")).content.decode()
    if 'id="first-run"' not in body:
        return None
    import re

    return {key: state for key, state in re.findall(r'<li id="first-run-(\w+)" class="(done|todo)">', body)}


def test_the_checklist_ticks_each_step_from_the_workspace_s_rows_and_then_goes_away(editor, team_workspace):
    from tests.factories import ConnectedAccountFactory, PostFactory

    assert checklist(editor) == {"connect": "todo", "schedule": "todo", "post": "todo"}
    page = editor.get(reverse("webapp:home")).content.decode()
    for url in (reverse("webapp:accounts"), reverse("webapp:queues"), reverse("webapp:compose")):
        assert f'<a href="{url}">' in page

    account = ConnectedAccountFactory(workspace=team_workspace)
    assert checklist(editor) == {"connect": "done", "schedule": "todo", "post": "todo"}
    PostQueueFactory(workspace=team_workspace, posting_schedule={}).target_accounts.add(account)
    assert checklist(editor)["schedule"] == "todo"  # a queue with no times is no schedule
    PostQueueFactory(workspace=team_workspace)
    assert checklist(editor) == {"connect": "done", "schedule": "done", "post": "todo"}
    PostFactory(workspace=team_workspace)
    assert checklist(editor) is None
