"""LinkedIn for bench/crash_safety.py (`--network linkedin`): the LinkedIn fake (tests/fakes/linkedin_fake)
on a loopback port, one member per account holding tokens the fake issued (with r_member_social, so
reconcile can list the member's posts)."""

from datetime import datetime, timedelta, timezone

CLIENT_ID, CLIENT_SECRET = "bench", "bench-secret"


class Network:
    def start(self):
        from tests.fakes.linkedin_fake import LinkedInFake

        self.fake = LinkedInFake(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        self.base_url = self.fake.start()

    def stop(self):
        self.fake.stop()

    def make_accounts(self, *, owner, count):
        from social_media.models import ConnectedAccount

        accounts = []
        for i in range(count):
            member = self.fake.add_member(f"Crash Member{i}")
            tokens = self.fake.issue_tokens(member)
            accounts.append(ConnectedAccount(
                workspace=owner.personal_workspace, platform="linkedin", platform_user_id=member.urn, platform_username=member.name,
                access_token=tokens["access_token"], refresh_token=tokens["refresh_token"],
                token_expires_at=datetime.now(timezone.utc) + timedelta(seconds=tokens["expires_in"]),
                platform_settings={"author_type": "member", "author_urn": member.urn},
            ))
        return ConnectedAccount.objects.bulk_create(accounts)

    def worker_settings(self):
        return {"LINKEDIN_API_BASE_URL": self.base_url, "LINKEDIN_OAUTH_BASE_URL": self.base_url,
                "LINKEDIN_CLIENT_ID": CLIENT_ID, "LINKEDIN_CLIENT_SECRET": CLIENT_SECRET, "ALLOW_INSECURE_NETWORK_URLS": "1"}

    def stored_posts(self):
        return [(post.text, datetime.fromtimestamp(post.created_at / 1000, tz=timezone.utc)) for post in self.fake.posts if not post.deleted]

    def sent_texts(self):
        return [(request.json or {}).get("commentary") for request in self.fake.requests_to("/rest/posts", method="POST")]
