"""LinkedIn servers for adapter tests.

- `linkedin_fake` (session): tests/fakes/linkedin_fake/ on a free 127.0.0.1 port; faults and the
  request log are cleared before every test that uses `linkedin_settings`.
- `linkedin_settings` (per test): points the LinkedIn base URLs and app credentials at the fake.
- `linkedin_account` / `linkedin_page_account` (per test): a member, and an organization page that
  member administers, each a ConnectedAccount holding tokens the fake issued, so tests never share posts.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ConnectedAccountFactory
from tests.fakes.linkedin_fake import LinkedInFake

__all__ = ["linkedin_fake", "linkedin_settings", "linkedin_account", "linkedin_page_account", "make_linkedin_account",
           "LinkedInRemote", "LINKEDIN_ORG_SCOPES"]

LINKEDIN_CLIENT_ID = "li-test-client"
LINKEDIN_CLIENT_SECRET = "li-test-secret"
LINKEDIN_ORG_SCOPES = ["openid", "profile", "w_member_social", "r_member_social", "r_organization_admin",
                       "w_organization_social", "rw_organization_admin", "r_organization_social"]


@pytest.fixture(scope="session")
def linkedin_fake():
    fake = LinkedInFake(client_id=LINKEDIN_CLIENT_ID, client_secret=LINKEDIN_CLIENT_SECRET)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def linkedin_settings(settings, linkedin_fake):
    linkedin_fake.reset()
    settings.LINKEDIN_API_BASE_URL = linkedin_fake.base_url
    settings.LINKEDIN_OAUTH_BASE_URL = linkedin_fake.base_url
    settings.LINKEDIN_CLIENT_ID = LINKEDIN_CLIENT_ID
    settings.LINKEDIN_CLIENT_SECRET = LINKEDIN_CLIENT_SECRET
    settings.LINKEDIN_VERSION = "202611"
    settings.LINKEDIN_TIMEOUT_SECONDS = 5
    settings.LINKEDIN_MEDIA_POLL_SECONDS = 0.05
    settings.LINKEDIN_MEDIA_WAIT_SECONDS = 30
    settings.ALLOW_INSECURE_NETWORK_URLS = True
    return settings


def make_linkedin_account(fake: LinkedInFake, *, organization=None, member=None, scopes=LINKEDIN_ORG_SCOPES, **fields):
    """A saved ConnectedAccount for a new fake member (or for `organization`, administered by the member)."""
    member = member or fake.add_member()
    tokens = fake.issue_tokens(member, scopes=scopes)
    author = organization.urn if organization else member.urn
    kind = "organization" if organization else "member"
    values = dict(
        platform="linkedin", platform_user_id=author, platform_username=organization.vanity_name if organization else member.name,
        display_name=organization.name if organization else member.name, access_token=tokens["access_token"],
        refresh_token=tokens.get("refresh_token", ""), token_expires_at=timezone.now() + timedelta(seconds=tokens["expires_in"]),
        instance_url="", platform_settings={"author_type": kind, "author_urn": author, "scopes": list(scopes)},
    )
    values.update(fields)
    account = ConnectedAccountFactory(**values)
    account.fake_member = member
    return account


@pytest.fixture
def linkedin_account(linkedin_settings, linkedin_fake, db):
    return make_linkedin_account(linkedin_fake)


@pytest.fixture
def linkedin_page_account(linkedin_settings, linkedin_fake, db):
    member = linkedin_fake.add_member()
    organization = linkedin_fake.add_organization(admins=[member])
    return make_linkedin_account(linkedin_fake, organization=organization, member=member)


class LinkedInRemote:
    """What the fake holds for one author, for the shared contract tests."""

    def __init__(self, fake: LinkedInFake, author: str):
        self.fake, self.author = fake, author

    def get_text(self, urn):
        post = self.fake.post(urn)
        return None if post is None or post.deleted else post.text

    def count_posts(self):
        return len(self.fake.posts_by(self.author))
