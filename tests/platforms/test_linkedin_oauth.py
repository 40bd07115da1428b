"""Connecting LinkedIn: the authorization URL, the code exchange yielding the member and the pages
they administer, token refresh where LinkedIn grants refresh tokens, the reconnect warning where it
does not, and the whole flow through our connect and callback endpoints."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.utils import timezone

from social_media.models import ConnectedAccount
from social_media.platforms import PlatformFactory
from social_media.platforms.base import AccountDisconnected
from social_media.services.tokens import account_refresh_token, refresh_expiring_tokens
from tests.platforms.conftest_linkedin import LINKEDIN_ORG_SCOPES, make_linkedin_account

pytestmark = pytest.mark.django_db(transaction=True)
REDIRECT = "http://testserver/api/v1/accounts/callback/linkedin/"


def adapter_class():
    return PlatformFactory.adapter_class("linkedin")


def authorize(linkedin_fake, url):
    """Be the member's browser at LinkedIn: approve, and return the callback query."""
    answer = requests.get(url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text[:200]
    location = urlsplit(answer.headers["Location"])
    return location.path, {k: v[0] for k, v in parse_qs(location.query).items()}


def test_the_authorization_url_asks_for_the_configured_scopes(linkedin_settings):
    linkedin_settings.LINKEDIN_SCOPES = "openid profile w_member_social r_organization_admin"
    url = adapter_class().authorization_url(state="s1", redirect_uri=REDIRECT, code_challenge="unused")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.path == "/oauth/v2/authorization"
    assert query == {"response_type": ["code"], "client_id": ["li-test-client"], "redirect_uri": [REDIRECT], "state": ["s1"],
                     "scope": ["openid profile w_member_social r_organization_admin"]}


def test_exchange_code_returns_the_member_and_each_administered_page(linkedin_settings, linkedin_fake):
    member = linkedin_fake.add_member("Grace Hopper")
    acme = linkedin_fake.add_organization("Acme Corp", admins=[member])
    linkedin_fake.add_organization("Someone Else's Page")
    linkedin_settings.LINKEDIN_SCOPES = " ".join(LINKEDIN_ORG_SCOPES)
    linkedin_fake.login = member
    _path, query = authorize(linkedin_fake, adapter_class().authorization_url(state="s", redirect_uri=REDIRECT, code_challenge=""))
    profiles = adapter_class().exchange_code(code=query["code"], redirect_uri=REDIRECT, code_verifier="")
    assert [(p.platform, p.platform_user_id, p.display_name) for p in profiles] == [
        ("linkedin", member.urn, "Grace Hopper"), ("linkedin", acme.urn, "Acme Corp")]
    assert profiles[0].platform_settings["author_type"] == "member" and profiles[1].platform_settings["author_type"] == "organization"
    assert profiles[1].platform_settings["member_urn"] == member.urn and profiles[1].platform_username == acme.vanity_name
    assert profiles[0].tokens.access_token and profiles[0].tokens.refresh_token and profiles[1].tokens == profiles[0].tokens
    assert "refresh_token_expires_at" in profiles[0].platform_settings
    acls = linkedin_fake.requests_to("/rest/organizationAcls")[0]
    assert acls.query == {"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED", "count": "100"}


def test_without_organization_scopes_only_the_member_is_returned(linkedin_settings, linkedin_fake):
    member = linkedin_fake.add_member()
    linkedin_fake.add_organization(admins=[member])
    linkedin_fake.login = member
    _path, query = authorize(linkedin_fake, adapter_class().authorization_url(state="s", redirect_uri=REDIRECT, code_challenge=""))
    profiles = adapter_class().exchange_code(code=query["code"], redirect_uri=REDIRECT, code_verifier="")
    assert [p.platform_user_id for p in profiles] == [member.urn]
    assert linkedin_fake.requests_to("/rest/organizationAcls") == []


def test_when_linkedin_refuses_the_page_list_the_member_still_connects(linkedin_settings, linkedin_fake):
    member = linkedin_fake.add_member()
    linkedin_fake.add_organization(admins=[member])
    linkedin_settings.LINKEDIN_SCOPES = " ".join(LINKEDIN_ORG_SCOPES)
    linkedin_fake.login = member
    linkedin_fake.fail_next("status", path="/rest/organizationAcls", status=403,
                            body={"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": "Not enough permissions"})
    _path, query = authorize(linkedin_fake, adapter_class().authorization_url(state="s", redirect_uri=REDIRECT, code_challenge=""))
    profiles = adapter_class().exchange_code(code=query["code"], redirect_uri=REDIRECT, code_verifier="")
    assert [p.platform_user_id for p in profiles] == [member.urn]


def test_a_used_code_is_refused_with_a_message_to_reconnect(linkedin_settings, linkedin_fake):
    linkedin_fake.login = linkedin_fake.add_member()
    _path, query = authorize(linkedin_fake, adapter_class().authorization_url(state="s", redirect_uri=REDIRECT, code_challenge=""))
    adapter_class().exchange_code(code=query["code"], redirect_uri=REDIRECT, code_verifier="")
    with pytest.raises(AccountDisconnected, match="refused the authorization"):
        adapter_class().exchange_code(code=query["code"], redirect_uri=REDIRECT, code_verifier="")


def test_refresh_keeps_linkedins_refresh_token_and_renews_access(linkedin_account, linkedin_fake):
    old_access, old_refresh = linkedin_account.access_token, linkedin_account.refresh_token
    linkedin_fake.expire(old_access)
    account = account_refresh_token(account_id=linkedin_account.id)
    assert account.access_token != old_access and account.refresh_token == old_refresh
    assert account.token_expires_at > timezone.now() + timedelta(days=59)
    form = linkedin_fake.requests_to("/oauth/v2/accessToken", "POST")[0].form
    assert form["grant_type"] == "refresh_token" and form["client_secret"] == "li-test-secret"


def test_a_refused_refresh_marks_the_account_for_reconnect(linkedin_account, linkedin_fake):
    linkedin_fake.revoke(linkedin_account.access_token)
    with pytest.raises(AccountDisconnected):
        account_refresh_token(account_id=linkedin_account.id)
    linkedin_account.refresh_from_db()
    assert linkedin_account.needs_reconnect and "LinkedIn" in linkedin_account.last_error


def test_the_refresh_job_asks_to_reconnect_an_account_without_refresh_token_before_it_lapses(linkedin_settings, linkedin_fake, db):
    soon = make_linkedin_account(linkedin_fake, refresh_token="", token_expires_at=timezone.now() + timedelta(days=3))
    lapsed = make_linkedin_account(linkedin_fake, refresh_token="", token_expires_at=timezone.now() - timedelta(hours=1))
    later = make_linkedin_account(linkedin_fake, refresh_token="", token_expires_at=timezone.now() + timedelta(days=40))
    refresh_expiring_tokens()
    for account in (soon, lapsed, later):
        account.refresh_from_db()
    assert "reconnect the account before then" in soon.last_error and not soon.needs_reconnect
    assert lapsed.needs_reconnect and "expired" in lapsed.last_error
    assert later.last_error == "" and not later.needs_reconnect
    assert linkedin_fake.requests_to("/oauth/v2/accessToken") == []


def connect_through_the_callback(auth_api, client, linkedin_settings, linkedin_fake):
    """Start connecting through our API, approve at the fake, land on our callback: the proposal."""
    linkedin_settings.PUBLIC_BASE_URL = "http://testserver"
    linkedin_settings.LINKEDIN_SCOPES = " ".join(LINKEDIN_ORG_SCOPES)
    member = linkedin_fake.add_member("Ada Lovelace")
    page = linkedin_fake.add_organization("Analytical Engines", admins=[member])
    linkedin_fake.login = member
    answer = auth_api.post("/api/v1/accounts/connect/linkedin/", {})
    assert answer.status_code == 200, answer.content
    path, query = authorize(linkedin_fake, answer.json()["authorization_url"])
    assert path == "/api/v1/accounts/callback/linkedin/"
    result = client.get(path, query)
    assert result.status_code == 200 and b"Almost connected" in result.content, result.content[:300]
    assert not ConnectedAccount.objects.filter(platform="linkedin").exists()  # nothing until the user confirms
    return member, page, result.context["token"]


def test_connect_through_the_api_offers_the_member_and_page_and_connects_both_when_chosen(auth_api, client, linkedin_settings, linkedin_fake):
    member, page, token = connect_through_the_callback(auth_api, client, linkedin_settings, linkedin_fake)
    unchosen = auth_api.post("/api/v1/accounts/connect/complete/", {"token": token}, format="json")
    assert unchosen.status_code == 400 and "select" in str(unchosen.json())
    answer = auth_api.post("/api/v1/accounts/connect/complete/",
                           {"token": token, "select": [f"linkedin:{member.urn}", f"linkedin:{page.urn}"]}, format="json")
    assert answer.status_code == 201, answer.content
    accounts = ConnectedAccount.objects.filter(platform="linkedin").order_by("id")
    assert [(a.platform_user_id, a.display_name, a.platform_settings["author_type"]) for a in accounts] == [
        (member.urn, "Ada Lovelace", "member"), (page.urn, "Analytical Engines", "organization")]
    assert all(a.workspace == auth_api.user.personal_workspace and a.access_token and a.refresh_token for a in accounts)
    body = str(auth_api.get("/api/v1/accounts/").json())
    assert "Analytical Engines" in body and accounts[0].access_token not in body and accounts[0].refresh_token not in body


def test_connect_can_choose_only_the_page(auth_api, client, linkedin_settings, linkedin_fake):
    _member, page, token = connect_through_the_callback(auth_api, client, linkedin_settings, linkedin_fake)
    answer = auth_api.post("/api/v1/accounts/connect/complete/", {"token": token, "select": [f"linkedin:{page.urn}"]}, format="json")
    assert answer.status_code == 201, answer.content
    assert list(ConnectedAccount.objects.filter(platform="linkedin").values_list("platform_user_id", flat=True)) == [page.urn]


def test_a_cancelled_linkedin_authorization_connects_nothing(auth_api, client, linkedin_settings, linkedin_fake):
    linkedin_settings.PUBLIC_BASE_URL = "http://testserver"
    linkedin_fake.login = linkedin_fake.add_member()
    linkedin_fake.deny_next = True
    url = auth_api.post("/api/v1/accounts/connect/linkedin/", {}).json()["authorization_url"]
    path, query = authorize(linkedin_fake, url)
    assert query["error"] == "user_cancelled_authorize"
    page = client.get(path, query)
    assert page.status_code == 400 and b"declined" in page.content
    assert ConnectedAccount.objects.filter(platform="linkedin").count() == 0


def test_verify_credentials_reads_the_member_and_checks_the_page_is_still_administered(linkedin_account, linkedin_page_account, linkedin_fake):
    assert PlatformFactory.get_platform(linkedin_account).verify_credentials().platform_user_id == linkedin_account.platform_user_id
    page = PlatformFactory.get_platform(linkedin_page_account)
    assert page.verify_credentials().platform_user_id == linkedin_page_account.platform_user_id
    linkedin_fake.organizations[linkedin_page_account.platform_user_id.rsplit(":", 1)[1]].admins.clear()
    with pytest.raises(AccountDisconnected, match="no longer administers"):
        page.verify_credentials()


def test_connect_without_the_app_credentials_names_the_missing_settings(auth_api, linkedin_settings):
    linkedin_settings.LINKEDIN_CLIENT_SECRET = ""
    answer = auth_api.post("/api/v1/accounts/connect/linkedin/", {})
    assert answer.status_code == 503, answer.content
    assert "LINKEDIN_CLIENT_SECRET" in str(answer.json()) and "LINKEDIN_CLIENT_ID" not in str(answer.json())
