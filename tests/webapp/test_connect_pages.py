"""Connecting from the web app, with the Django test client: the Accounts page's POST answers a page
that navigates to the network (no redirect a form's CSP form-action would refuse), the network's
callback brings the browser back to the web app's confirmation page (no token, key or API
instructions there), and the person confirms the accounts found into the workspace they choose."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from accounts.models import Membership
from social_media.models import ConnectedAccount, PendingConnection
from social_media.platforms.base import AccountProfile, TokenSet
from social_media.services.pending import pending_connection_create
from tests.connect.helpers import follow_authorization
from tests.factories import MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mastodon_instance(mastodon_fake, settings):
    settings.PUBLIC_BASE_URL = "http://testserver"
    mastodon_fake.add_account("carol")
    mastodon_fake.authorize_as = "carol"
    return mastodon_fake


def authorize_url(response):
    assert response.status_code == 200, response.content[:300]
    match = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', response.content.decode())
    return html.unescape(match.group(1))


def start(client, instance):
    return client.post(reverse("webapp:connect", kwargs={"platform": "mastodon"}), {"mastodon-instance_url": instance.base_url})


def test_the_network_sends_a_web_app_flow_back_to_the_confirmation_page(as_role, team_workspace, mastodon_instance):
    client = as_role("admin")
    path, query = follow_authorization(authorize_url(start(client, mastodon_instance)))

    back = client.get(path, query)

    assert back.status_code == 302 and back["Cache-Control"] == "no-store"
    assert back["Location"].startswith("/accounts/connect/complete/")
    page = client.get(back["Location"])
    body = page.content.decode()
    main = re.sub(r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>', "", body[body.index("<main"):body.index("</main>")])
    completion_token = back["Location"].rstrip("/").rsplit("/", 1)[1]
    assert page.status_code == 200 and "@carol" in main
    assert completion_token not in body and "token" not in main.lower()
    assert "FRONTEND_URL" not in main and "/api/" not in main and "key" not in main.lower()
    assert "checked" in main and f'<option value="{team_workspace.pk}" selected>Acme</option>' in main  # where the flow started
    assert not ConnectedAccount.objects.exists()

    client.post(back["Location"], {"select": [PendingConnection.objects.get().candidates[0]["key"]]})

    account = ConnectedAccount.objects.get()
    assert account.workspace == team_workspace and account.platform_username.startswith("carol")


def test_a_declined_web_app_flow_returns_to_the_accounts_page_saying_so(as_role, mastodon_instance):
    client = as_role("admin")
    url = authorize_url(start(client, mastodon_instance))
    state = parse_qs(urlsplit(url).query)["state"][0]

    back = client.get("/api/v1/accounts/callback/mastodon/", {"state": state, "error": "access_denied"}, follow=True)

    assert back.redirect_chain == [(reverse("webapp:accounts"), 302)]
    assert "You declined the authorization." in back.content.decode()
    assert not PendingConnection.objects.exists()


def test_an_api_flow_still_gets_the_callback_page_with_its_completion_token(auth_api, client, mastodon_instance):
    url = auth_api.post("/api/v1/accounts/connect/mastodon/", {"instance_url": mastodon_instance.base_url}).json()["authorization_url"]
    path, query = follow_authorization(url)

    page = client.get(path, query)

    assert page.status_code == 200 and page.context["token"]


def candidates(user, workspace, **profile):
    profiles = [AccountProfile("id-1", "bakery@example.social", "The Bakery", tokens=TokenSet("t-1"), platform="mastodon", **profile)]
    return pending_connection_create(user=user, workspace=workspace, platform="mastodon", profiles=profiles)


def test_the_confirmation_shows_each_account_s_picture_allowed_from_its_origin_only(as_role, team_workspace, settings):
    settings.ALLOW_INSECURE_NETWORK_URLS = False
    client = as_role("admin")
    _pending, token = candidates(client.user, team_workspace, avatar_url="https://files.example.social/avatars/1.png")

    page = client.get(reverse("webapp:connect_complete", kwargs={"token": token}))

    assert '<img class="avatar" src="https://files.example.social/avatars/1.png"' in page.content.decode()
    csp = dict(d.strip().split(" ", 1) for d in page["Content-Security-Policy"].split(";") if d.strip())
    assert csp["img-src"].split() == ["'self'", "data:", "https://files.example.social"]
    assert csp["form-action"] == "'self'"


def test_a_picture_that_is_not_https_is_not_shown_nor_allowed(as_role, team_workspace, settings):
    settings.ALLOW_INSECURE_NETWORK_URLS = False
    client = as_role("admin")
    _pending, token = candidates(client.user, team_workspace, avatar_url="http://files.example.social/1.png")

    page = client.get(reverse("webapp:connect_complete", kwargs={"token": token}))

    assert "<img" not in page.content.decode() and "files.example.social" not in page["Content-Security-Policy"]
    assert '<span class="avatar" aria-hidden="true">T</span>' in page.content.decode()


def test_the_started_workspace_is_preselected_and_another_admin_workspace_can_be_chosen(as_role, team_workspace):
    client = as_role("admin")
    other = WorkspaceFactory(name="Bakery team")
    MembershipFactory(user=client.user, workspace=other, role=Membership.Role.ADMIN)
    pending, token = candidates(client.user, team_workspace)
    url = reverse("webapp:connect_complete", kwargs={"token": token})

    body = client.get(url).content.decode()
    assert f'<option value="{team_workspace.pk}" selected>Acme</option>' in body
    client.post(url, {"select": [pending.candidates[0]["key"]], "workspace": str(other.pk)})

    assert ConnectedAccount.objects.get().workspace == other
    assert client.session["workspace_id"] == other.pk  # the Accounts page it lands on shows them


def test_a_workspace_the_user_is_not_admin_of_is_refused_next_to_the_choice(as_role, team_workspace):
    client = as_role("admin")
    elsewhere = WorkspaceFactory(name="Not mine to change")
    MembershipFactory(user=client.user, workspace=elsewhere, role=Membership.Role.EDITOR)
    pending, token = candidates(client.user, team_workspace)

    response = client.post(reverse("webapp:connect_complete", kwargs={"token": token}), {"select": [pending.candidates[0]["key"]], "workspace": str(elsewhere.pk)})

    assert response.status_code == 400 and "Choose a workspace you are an admin of." in response.content.decode()
    assert not ConnectedAccount.objects.exists()


def test_confirming_with_nothing_chosen_asks_for_an_account(as_role, team_workspace):
    client = as_role("admin")
    _pending, token = candidates(client.user, team_workspace)

    response = client.post(reverse("webapp:connect_complete", kwargs={"token": token}), {})

    assert response.status_code == 400 and "Choose at least one account." in response.content.decode()
    assert not ConnectedAccount.objects.exists()


@pytest.mark.parametrize("avatar_url", [
    "https://evil.example; script-src 'unsafe-inline' x/a.png",
    "https://evil.example:443;script-src*/a.png",
    "https://user@evil.example/a.png",
    "https://evil.example'/a.png",
    "javascript:alert(1)",
])
def test_a_picture_address_cannot_add_to_the_page_s_csp(as_role, team_workspace, avatar_url):
    client = as_role("admin")
    _pending, token = candidates(client.user, team_workspace, avatar_url=avatar_url)

    page = client.get(reverse("webapp:connect_complete", kwargs={"token": token}))

    csp = page["Content-Security-Policy"]
    assert "evil" not in csp and "unsafe-inline" not in csp and "<img" not in page.content.decode()
