"""The Mastodon fake refuses what Mastodon refuses (tests/fakes/mastodon_fake/oauth.py cites the docs), so
an adapter asking for the wrong grant, scopes or app fields fails here as it would on a real instance."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

REDIRECT = "https://scheduler.example/api/v1/accounts/connect/mastodon/callback/"


def register(fake, **fields):
    data = {"client_name": "Scheduler", "redirect_uris": REDIRECT, "scopes": "read write", **fields}
    return requests.post(f"{fake.base_url}/api/v1/apps", data={k: v for k, v in data.items() if v is not None}, timeout=5)


def authorize(fake, app, **params):
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": REDIRECT, "scope": "read write", **params}
    answer = requests.get(f"{fake.base_url}/oauth/authorize", params=query, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    return {k: v[-1] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def token(fake, app, **form):
    data = {"grant_type": "authorization_code", "client_id": app["client_id"], "client_secret": app["client_secret"],
            "redirect_uri": REDIRECT, **form}
    return requests.post(f"{fake.base_url}/oauth/token", data={k: v for k, v in data.items() if v is not None}, timeout=5)


@pytest.mark.parametrize("fields, error", [
    ({"client_name": None}, "Validation failed: Application name can't be blank"),
    ({"redirect_uris": None}, "Validation failed: Redirect URI can't be blank"),
    ({"redirect_uris": "/relative/callback"}, "Validation failed: Redirect URI must be an absolute URI."),
    ({"scopes": "read write:everything"}, "Validation failed: Scopes doesn't match configured on the server."),
])
def test_app_registration_refuses_missing_or_wrong_fields(mastodon_fake, fields, error):
    answer = register(mastodon_fake, **fields)
    assert (answer.status_code, answer.json()) == (422, {"error": error})
    assert mastodon_fake.apps == {}


def test_authorization_refuses_scopes_beyond_the_apps_and_other_response_types(mastodon_fake):
    mastodon_fake.add_account("alice")
    app = register(mastodon_fake, scopes="read").json()
    assert authorize(mastodon_fake, app, scope="read write", state="s1") == {
        "error": "invalid_scope", "error_description": "The requested scope is invalid, unknown, or malformed.", "state": "s1"}
    assert authorize(mastodon_fake, app, scope="read", response_type="token")["error"] == "unsupported_response_type"
    assert set(authorize(mastodon_fake, app, scope="read", state="s2")) == {"code", "state"}


@pytest.mark.parametrize("form, status, body", [
    ({"grant_type": None}, 400, {"error": "invalid_request", "error_description": "Missing required parameter: grant_type."}),
    ({"grant_type": "password"}, 400, {"error": "unsupported_grant_type",
                                       "error_description": "The authorization grant type is not supported by the authorization server."}),
    ({"scope": "read"}, 400, {"error": "invalid_scope", "error_description": "The requested scope is invalid, unknown, or malformed."}),
    ({"client_secret": "wrong"}, 401, {"error": "invalid_client", "error_description": (
        "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")}),
])
def test_the_token_endpoint_refuses_a_wrong_grant(mastodon_fake, form, status, body):
    mastodon_fake.add_account("alice")
    app = register(mastodon_fake).json()
    code = authorize(mastodon_fake, app)["code"]
    answer = token(mastodon_fake, app, code=code, **form)
    assert (answer.status_code, answer.json()) == (status, body)


def test_a_token_works_only_within_its_scopes(mastodon_fake):
    _account, reader = mastodon_fake.add_account("reader", scope="read")
    headers = {"Authorization": f"Bearer {reader}"}
    assert requests.get(f"{mastodon_fake.base_url}/api/v1/accounts/verify_credentials", headers=headers, timeout=5).status_code == 200
    answer = requests.post(f"{mastodon_fake.base_url}/api/v1/statuses", data={"status": "hi"}, headers=headers, timeout=5)
    assert (answer.status_code, answer.json()) == (403, {"error": "This action is outside the authorized scopes"})
    assert mastodon_fake.posts == []
    _account, writer = mastodon_fake.add_account("writer", scope="read write:statuses")
    answer = requests.post(f"{mastodon_fake.base_url}/api/v1/statuses", data={"status": "hi"}, headers={"Authorization": f"Bearer {writer}"},
                           timeout=5)
    assert answer.status_code == 200 and len(mastodon_fake.posts) == 1


def test_an_app_token_is_not_a_user_token(mastodon_fake):
    app = register(mastodon_fake).json()
    answer = token(mastodon_fake, app, grant_type="client_credentials", scope="read")
    assert answer.status_code == 200
    headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    me = requests.get(f"{mastodon_fake.base_url}/api/v1/accounts/verify_credentials", headers=headers, timeout=5)
    assert (me.status_code, me.json()) == (422, {"error": "This method requires an authenticated user"})
