"""LinkedIn for bench/crash_safety.py (`--network linkedin`): the LinkedIn fake (tests/fakes/linkedin_fake)
on a loopback port, one member per account holding tokens the fake issued (with r_member_social, so
reconcile can list the member's posts)."""

from datetime import datetime, timedelta, timezone

CLIENT_ID, CLIENT_SECRET = "bench", "bench-secret"


class Network:
    """The interface bench/crash_safety.py's run_network expects (see bench/networks_threads.py)."""

    name = "linkedin"

    def __init__(self):
        from tests.fakes.linkedin_fake import LinkedInFake

        self.fake = LinkedInFake(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        base_url = self.fake.start()
        self.env = {"LINKEDIN_API_BASE_URL": base_url, "LINKEDIN_OAUTH_BASE_URL": base_url,
                    "LINKEDIN_CLIENT_ID": CLIENT_ID, "LINKEDIN_CLIENT_SECRET": CLIENT_SECRET, "ALLOW_INSECURE_NETWORK_URLS": "1"}

    def stop(self):
        self.fake.stop()

    def make_accounts(self, owner, count):
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

    def prepare_targets(self):
        """LinkedIn targets need no settings."""

    def stored(self):
        """{text: live posts with it}"""
        counts = {}
        for post in self.fake.posts:
            if not post.deleted:
                counts[post.text] = counts.get(post.text, 0) + 1
        return counts

    def sends(self):
        """{commentary: POST /rest/posts calls made with it}"""
        counts = {}
        for request in self.fake.requests_to("/rest/posts", method="POST"):
            text = (request.json or {}).get("commentary")
            counts[text] = counts.get(text, 0) + 1
        return counts

    def arrivals(self):
        return {post.text: datetime.fromtimestamp(post.created_at / 1000, tz=timezone.utc) for post in sorted(self.fake.posts, key=lambda p: p.created_at)}
