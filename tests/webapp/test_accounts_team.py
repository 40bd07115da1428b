"""Accounts (health, connect buttons from the registry, connect and disconnect) and Team (members,
roles, plan and quota)."""

import html
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from accounts.models import Membership
from social_media.models import ConnectedAccount, OAuthState, Status
from social_media.platforms import PLATFORMS
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_accounts_page_shows_health_and_a_connect_form_per_enabled_network(as_role, team_workspace, settings):
    settings.X_ENABLED = False
    ConnectedAccountFactory(workspace=team_workspace, platform_username="ok", token_expires_at=datetime(2030, 5, 1, 12, tzinfo=UTC))
    ConnectedAccountFactory(workspace=team_workspace, platform_username="broken", needs_reconnect=True, last_error="Token revoked by the user.")
    html = as_role("admin").get(reverse("webapp:accounts")).content.decode()
    assert "needs reconnect" in html and "Token revoked by the user." in html and "1 May 2030, 12:00" in html
    for key, (label, _path) in PLATFORMS.items():
        assert (f"Connect {label}</button>" in html) is (key != "x")


def leaving_for(response):
    """The authorize URL the page answering a connect POST navigates to: its meta refresh, which
    must be the same address as its link."""
    body = response.content.decode()
    refresh = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', body)
    link = re.search(r'<a class="button" id="authorize-link" href="([^"]+)"', body)
    assert refresh and link and refresh.group(1) == link.group(1), body
    return html.unescape(refresh.group(1))


def test_connecting_an_oauth_network_sends_the_browser_to_it_with_a_state_bound_to_the_user(as_role, team_workspace, settings):
    settings.X_CLIENT_ID = "client-123"
    client = as_role("admin")
    response = client.post(reverse("webapp:connect", kwargs={"platform": "x"}))
    # Not a 302: browsers apply the CSP's form-action to a form POST's redirects (Chromium refused the
    # network's authorize URL). Our own page navigates on with GET.
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "form-action 'self'" in response["Content-Security-Policy"]
    url = urlsplit(leaving_for(response))
    assert url.netloc == "x.com" and parse_qs(url.query)["client_id"] == ["client-123"]
    state = OAuthState.objects.get(state=parse_qs(url.query)["state"][0])
    assert state.user == client.user and state.workspace == team_workspace and state.from_webapp


def test_missing_connect_fields_are_answered_next_to_them(as_role):
    response = as_role("admin").post(reverse("webapp:connect", kwargs={"platform": "bluesky"}), {"bluesky-handle": "", "bluesky-app_password": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_bluesky-handle_error">This field is required.' in html
    assert 'id="id_bluesky-app_password_error">This field is required.' in html


def test_a_mastodon_server_that_is_not_there_is_answered_next_to_the_server(as_role):
    response = as_role("admin").post(reverse("webapp:connect", kwargs={"platform": "mastodon"}), {"mastodon-instance_url": "ftp://nowhere"})
    assert response.status_code == 400
    assert 'id="id_mastodon-instance_url_error">Enter the address of the server' in response.content.decode()


def test_a_mastodon_server_with_a_bad_port_is_answered_next_to_the_server(as_role):
    response = as_role("admin").post(reverse("webapp:connect", kwargs={"platform": "mastodon"}), {"mastodon-instance_url": "not a url ::"})
    assert response.status_code == 400
    assert 'id="id_mastodon-instance_url_error">Enter the address of the server' in response.content.decode()


def test_an_editor_cannot_connect_or_disconnect(as_role, mastodon):
    client = as_role("editor")
    assert client.post(reverse("webapp:connect", kwargs={"platform": "x"})).status_code == 403
    assert client.post(reverse("webapp:disconnect", kwargs={"account_id": mastodon.pk})).status_code == 403
    assert "Only a workspace admin can connect or disconnect accounts." in client.get(reverse("webapp:accounts")).content.decode()


def test_disconnect_forgets_credentials_and_fails_waiting_posts(as_role, team_workspace, mastodon):
    post = PostFactory(workspace=team_workspace, status=Status.SCHEDULED, scheduled_time=datetime(2030, 1, 1, tzinfo=UTC))
    PostTargetFactory(post=post, account=mastodon, status=Status.SCHEDULED)
    response = as_role("admin").post(reverse("webapp:disconnect", kwargs={"account_id": mastodon.pk}))
    assert response.status_code == 302
    mastodon.refresh_from_db()
    assert not mastodon.is_active and mastodon.access_token == ""
    assert post.targets.get().status == Status.FAILED


def test_another_workspaces_account_answers_404(as_role, other_workspace):
    assert as_role("owner").post(reverse("webapp:disconnect", kwargs={"account_id": other_workspace["account"].pk})).status_code == 404
    assert ConnectedAccount.objects.get(pk=other_workspace["account"].pk).is_active


def test_tokens_never_reach_the_page(as_role, mastodon):
    assert mastodon.access_token not in as_role("admin").get(reverse("webapp:accounts")).content.decode()


# --- Team -----------------------------------------------------------------------------------
def test_the_team_page_lists_members_plan_and_quota(as_role, team_workspace, settings):
    settings.PLAN_LIMITS = {**settings.PLAN_LIMITS, "basic": {"api_calls_per_hour": 100, "scheduled_posts_per_day": 10}}
    client = as_role("owner")
    html = client.get(reverse("webapp:team")).content.decode()
    assert client.user.username in html and "Basic" in html and "0 / 10" in html


def test_the_team_page_says_an_unconfigured_plan_caps_nothing(as_role, team_workspace):
    html = as_role("owner").get(reverse("webapp:team")).content.decode()
    assert html.count("not capped") == 2


def test_an_admin_invites_by_email_and_the_invitee_joins_only_by_accepting(as_role, team_workspace, mailoutbox, client, django_capture_on_commit_callbacks):
    newcomer = UserFactory(email="new@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_role("admin").post(reverse("webapp:team"), {"email": "new@example.com", "role": "viewer"})
    assert response.status_code == 302
    assert not Membership.objects.filter(workspace=team_workspace, user=newcomer).exists()
    [mail] = mailoutbox
    link = next(word for word in mail.body.split() if "/invitations/" in word)
    token = link.rstrip("/").rsplit("/", 1)[1]

    client.force_login(newcomer)
    page = client.get(urlsplit(link).path).content.decode()
    assert "Accept and join" in page
    joined = client.post(reverse("webapp:invitation_join", kwargs={"token": token}))
    assert joined.status_code == 302
    assert Membership.objects.get(workspace=team_workspace, user=newcomer).role == "viewer"


def test_the_team_page_lists_waiting_invitations_and_an_admin_withdraws_one(as_role, team_workspace, mailoutbox):
    admin = as_role("admin")
    admin.post(reverse("webapp:team"), {"email": "someone@example.com", "role": "editor"})
    html = admin.get(reverse("webapp:team")).content.decode()
    assert "someone@example.com" in html and "Withdraw" in html
    invitation = team_workspace.invitations.get(email="someone@example.com")
    admin.post(reverse("webapp:invitation_withdraw", kwargs={"invitation_id": invitation.pk}))
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_an_invitation_answers_the_same_for_unknown_addresses(as_role, team_workspace, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_role("admin").post(reverse("webapp:team"), {"email": "ghost@example.com", "role": "viewer"})
    assert response.status_code == 302 and len(mailoutbox) == 1


def test_an_admin_cannot_make_an_owner_and_is_told_why(as_role, member, team_workspace):
    someone = member("editor")
    membership = Membership.objects.get(user=someone, workspace=team_workspace)
    response = as_role("admin").post(reverse("webapp:member_change", kwargs={"membership_id": membership.pk}), {"role": "owner"}, follow=True)
    assert "Only a workspace owner or above can grant or revoke the owner role." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "editor"


def test_a_viewer_can_leave_but_not_change_roles(as_role, member, team_workspace):
    viewer = as_role("viewer")
    other = Membership.objects.get(user=member("editor"), workspace=team_workspace)
    viewer.post(reverse("webapp:member_change", kwargs={"membership_id": other.pk}), {"role": "viewer"})
    other.refresh_from_db()
    assert other.role == "editor"
    assert viewer.post(reverse("webapp:team"), {"email": "x@example.com", "role": "viewer"}).status_code == 403
    mine = Membership.objects.get(user=viewer.user, workspace=team_workspace)
    viewer.post(reverse("webapp:member_change", kwargs={"membership_id": mine.pk}), {"remove": "1"})
    assert not Membership.objects.filter(pk=mine.pk).exists()


def test_another_workspaces_membership_answers_404(as_role, other_workspace):
    membership = Membership.objects.get(workspace=other_workspace["workspace"])
    assert as_role("owner").post(reverse("webapp:member_change", kwargs={"membership_id": membership.pk}), {"remove": "1"}).status_code == 404


# --- Confirming a pending connection (the OAuth callback's page links here) --------------------
def _pending_for(user, workspace):
    from social_media.platforms.base import AccountProfile, TokenSet
    from social_media.services.pending import pending_connection_create

    profiles = [
        AccountProfile("page-1", "bakery", "The Bakery", tokens=TokenSet("page-token-1"), platform="mastodon"),
        AccountProfile("page-2", "cafe", "The Cafe", tokens=TokenSet("page-token-2"), platform="mastodon"),
    ]
    return pending_connection_create(user=user, workspace=workspace, platform="mastodon", profiles=profiles)


def test_the_user_who_started_connecting_chooses_the_accounts_to_connect(as_role, team_workspace):
    client = as_role("admin")
    pending, token = _pending_for(client.user, team_workspace)
    html = client.get(reverse("webapp:connect_complete", kwargs={"token": token})).content.decode()
    assert "@bakery" in html and "@cafe" in html and "page-token" not in html
    cafe = next(c["key"] for c in pending.candidates if c["platform_username"] == "cafe")

    response = client.post(reverse("webapp:connect_complete", kwargs={"token": token}), {"select": [cafe]})
    assert response.status_code == 302 and response["Location"] == reverse("webapp:accounts")
    [account] = ConnectedAccount.objects.filter(workspace=team_workspace, platform_user_id__startswith="page-")
    assert account.platform_username == "cafe" and account.access_token == "page-token-2"


def test_another_signed_in_user_cannot_confirm_someone_elses_connection(as_role, team_workspace):
    starter = as_role("admin")
    _pending, token = _pending_for(starter.user, team_workspace)
    other = as_role("owner")
    response = other.post(reverse("webapp:connect_complete", kwargs={"token": token}), {})
    assert response.status_code == 302
    assert not ConnectedAccount.objects.filter(platform_user_id__startswith="page-").exists()
