"""`bench/crash_safety.py --network threads`: the Threads fake (tests/fakes/threads_fake/) and one
connected account per fake user. Threads has no idempotency key: exactly once rests on the container
id stored before threads_publish, so every post text published twice counts as a duplicate."""

from datetime import datetime, timedelta, timezone


class Network:
    name = "threads"

    def __init__(self):
        from tests.fakes.threads_fake import ThreadsFake

        self.fake = ThreadsFake(app_id="bench", app_secret="bench-secret")
        self.fake.in_progress_polls = 1
        self.fake.quota_total = 100_000
        self.fake.reply_quota_total = 100_000  # thread parts and first comments are replies: their own quota
        base_url = self.fake.start()
        self.env = {
            "THREADS_API_BASE_URL": base_url, "THREADS_APP_ID": "bench", "THREADS_APP_SECRET": "bench-secret",
            "THREADS_CONTAINER_POLL_SECONDS": 0.2, "THREADS_CONTAINER_TIMEOUT_SECONDS": 20,
        }

    def make_accounts(self, owner, count):
        from social_media.models import ConnectedAccount

        accounts = []
        for i in range(count):
            user = self.fake.add_user(f"crash{i}")
            accounts.append(ConnectedAccount(
                workspace=owner.personal_workspace, platform="threads", platform_user_id=user.id, platform_username=user.username,
                access_token=self.fake.issue_token(user), token_expires_at=datetime.now(timezone.utc) + timedelta(days=59),
            ))
        return ConnectedAccount.objects.bulk_create(accounts)

    def prepare_targets(self):
        """Threads targets need no settings."""

    def stored(self):
        """{text: live posts with it}"""
        counts = {}
        for post in self.fake.posts:
            counts[post.text] = counts.get(post.text, 0) + 1
        return counts

    def sends(self):
        """{text: threads_publish calls made for it} (a retry after "not published" may rightly call twice)."""
        counts = {}
        for request in self.fake.requests:
            if request.method == "POST" and request.path.endswith("/threads_publish"):
                container = self.fake.containers.get(request.params.get("creation_id", ""))
                if container is not None:
                    counts[container.text] = counts.get(container.text, 0) + 1
        return counts

    def arrivals(self):
        return {p.text: datetime.fromtimestamp(p.timestamp, timezone.utc) for p in sorted(self.fake.media.values(), key=lambda p: p.timestamp)}

    def stop(self):
        self.fake.stop()
