"""`bench/crash_safety.py --network reddit`: the Reddit fake (tests/fakes/reddit_fake/), driven by the
real praw in the workers. Each target posts to r/bench_sub with its own title (reconcile matches the
account's recent submissions by subreddit + title), so a title stored twice is a duplicate."""

from datetime import datetime, timezone


class Network:
    name = "reddit"

    def __init__(self):
        from tests.fakes.reddit_fake import RedditFake

        self.fake = RedditFake(client_id="bench", client_secret="bench-secret")
        base_url = self.fake.start()
        self.fake.add_subreddit("bench_sub")
        self.env = {
            "REDDIT_OAUTH_URL": base_url, "REDDIT_URL": base_url, "REDDIT_CLIENT_ID": "bench", "REDDIT_CLIENT_SECRET": "bench-secret",
            "REDDIT_USER_AGENT": "bench:scheduler:1.0 (by /u/scheduler-bench)",
        }

    def make_accounts(self, owner, count):
        from social_media.models import ConnectedAccount

        accounts = []
        for i in range(count):
            user = self.fake.add_user(f"crash{i}")
            accounts.append(ConnectedAccount(
                workspace=owner.personal_workspace, platform="reddit", platform_user_id=user.id, platform_username=user.name,
                refresh_token=self.fake.issue_refresh_token(user),
            ))
        return ConnectedAccount.objects.bulk_create(accounts)

    def prepare_targets(self):
        from social_media.models import PostTarget

        targets = list(PostTarget.objects.select_related("post"))
        for target in targets:
            target.platform_specific_settings = {"subreddit": "bench_sub", "title": target.post.content}
        PostTarget.objects.bulk_update(targets, ["platform_specific_settings"], batch_size=1000)

    def stored(self):
        counts = {}
        for post in self.fake.posts:
            counts[post.title] = counts.get(post.title, 0) + 1
        return counts

    def sends(self):
        counts = {}
        for request in self.fake.requests_to("/api/submit/", method="POST"):
            title = request.form.get("title")
            counts[title] = counts.get(title, 0) + 1
        return counts

    def arrivals(self):
        ordered = sorted(self.fake.submissions.values(), key=lambda s: s.created_utc)
        return {s.title: datetime.fromtimestamp(s.created_utc, timezone.utc) for s in ordered}

    def stop(self):
        self.fake.stop()
