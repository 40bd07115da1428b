"""crash_safety.py --network facebook: the Meta fake (tests/fakes/meta_fake/) with one Page per account.
Facebook takes no idempotency key, so a re-sent post is a real duplicate on the Page; after a lost
answer or a killed worker the engine reconciles by looking for the text among the Page's posts."""

from datetime import datetime, timedelta, timezone

APP_ID, APP_SECRET = "bench-meta-app", "bench-meta-secret"


class Network:
    """The interface bench/crash_safety.py's run_network expects (see bench/networks_threads.py)."""

    name = "facebook"

    def __init__(self):
        from tests.fakes.meta_fake import MetaFake

        self.fake = MetaFake(app_id=APP_ID, app_secret=APP_SECRET)
        self.fake.latency = 0.05  # a network round trip, so kills land mid-request
        base_url = self.fake.start()
        self.env = {"META_APP_ID": APP_ID, "META_APP_SECRET": APP_SECRET, "META_GRAPH_VERSION": self.fake.version,
                    "META_GRAPH_BASE_URL": base_url, "META_GRAPH_VIDEO_BASE_URL": base_url, "META_AUTHORIZE_URL": base_url,
                    "META_TIMEOUT_SECONDS": 5, "ALLOW_INSECURE_NETWORK_URLS": 1}

    def make_accounts(self, owner, count):
        from social_media.models import ConnectedAccount

        accounts = []
        for i in range(count):
            user = self.fake.add_user(f"Crash {i}")
            page = self.fake.add_page(user, f"Crash Page {i}")
            accounts.append(ConnectedAccount(
                workspace=owner.personal_workspace, platform="facebook", platform_user_id=page["id"], platform_username=page["name"],
                access_token=self.fake.page_token(user["id"], page["id"]), refresh_token=self.fake.user_token(user),
                token_expires_at=datetime.now(timezone.utc) + timedelta(days=60), platform_settings={"page_id": page["id"]},
            ))
        return ConnectedAccount.objects.bulk_create(accounts)

    def prepare_targets(self):
        """Facebook targets need no settings."""

    def sends(self):
        """How many create requests reached the fake per text."""
        counts = {}
        for request in self.fake.requests_to("/feed", method="POST"):
            text = request.form.get("message")
            counts[text] = counts.get(text, 0) + 1
        return counts

    def stored(self):
        counts = {}
        for post in self.fake.live_posts():
            counts[post["message"]] = counts.get(post["message"], 0) + 1
        return counts

    def arrivals(self):
        first = {}
        for post in sorted(self.fake.live_posts(), key=lambda p: p["created"]):
            first.setdefault(post["message"], datetime.fromtimestamp(post["created"], timezone.utc))
        return first

    def stop(self):
        self.fake.stop()
