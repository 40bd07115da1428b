"""Fill the database with a demo user, workspace, one fake connected account per network, posts in
several states, a queue and some analytics, so the API and admin have something to show.

Idempotent: a second run finds everything by its natural key and creates nothing twice (the demo
user's password is set again, so the printed credentials always work). Tokens are fake and labelled
so; instance URLs use the reserved `.invalid` domain, so nothing can reach a real server with them.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, User, Workspace
from accounts.services import user_register
from analytics.models import AnalyticsSnapshot, PostAnalytics
from social_media.models import ConnectedAccount, Post, PostQueue, PostTarget, PublishAttempt, Status, summarize_status
from social_media.platforms.registry import PLATFORMS

ACCOUNTS = {
    "x": {"instance_url": "", "platform_settings": {"max_weighted_length": 280}},
    "bluesky": {
        "instance_url": "https://pds.demo.invalid",
        "platform_settings": {"max_characters": 300, "max_text_bytes": 3000, "max_media_attachments": 4, "max_image_bytes": 1_000_000},
    },
    "mastodon": {
        "instance_url": "https://mastodon.demo.invalid",
        "platform_settings": {"max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23, "limits_source": "defaults"},
    },
}
P, F, D, S, C = Status.POSTED, Status.FAILED, Status.DRAFT, Status.SCHEDULED, Status.CANCELLED
# (content, hours from now: publish time for past posts, schedule for future ones, target status per platform)
POSTS = [
    ("Demo draft: three ideas for next week's launch thread", None, {"x": D, "bluesky": D, "mastodon": D}),
    ("Demo scheduled: this week's changelog is out. https://example.com/changelog", 72, {"x": S, "bluesky": S, "mastodon": S}),
    ("Demo published: thanks to everyone who joined the community call!", -48, {"x": P, "bluesky": P, "mastodon": P}),
    ("Demo partly published: new docs on scheduling queues", -24, {"x": P, "bluesky": F, "mastodon": P}),
    ("Demo failed: a post every network refused", -6, {"x": F, "bluesky": F, "mastodon": F}),
    ("Demo cancelled: a post we changed our minds about", None, {"x": C, "mastodon": C}),
]
DEMO_ERROR = "Demo failure: the network rejected this post (sample data, nothing was sent)."


class Command(BaseCommand):
    help = "Create (or complete) demo data: a user, a workspace, fake accounts, posts, a queue and analytics."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--email", default="demo@example.com")
        parser.add_argument("--password", default="demo-scheduler-password")
        parser.add_argument("--force", action="store_true", help="Seed even with DEBUG off (never on a real deployment).")

    def handle(self, *args, username, email, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to seed demo data with DEBUG off: it creates a user with a known password. Pass --force to do it anyway.")
        self.created = {}
        with transaction.atomic():
            user = self._user(username, email, password)
            workspace = self._workspace(user)
            accounts = self._accounts(workspace, user)
            posts = [self._post(workspace, user, accounts, *spec) for spec in POSTS]
            queue = self._queue(workspace, accounts)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Log in with username '{username}' and password '{password}' (POST /api/v1/auth/login/).")
        self.stdout.write(f"  Workspace: {workspace.name} (id {workspace.pk}, plan {workspace.plan}); queue: {queue.name}.")
        self.stdout.write(f"  Accounts: {', '.join(str(a) for a in accounts.values())} (fake tokens; publishing to them fails).")
        self.stdout.write(f"  Posts: {', '.join(f'{p.pk} {p.status}' for p in posts)}.")
        made = ", ".join(f"{kind} {n}" for kind, n in self.created.items() if n) or "nothing (all present already)"
        self.stdout.write(f"  Created this run: {made}.")

    def _count(self, kind, created):
        self.created[kind] = self.created.get(kind, 0) + int(created)

    def _user(self, username, email, password):
        user = User.objects.filter(username=username).first()
        self._count("users", user is None)
        if user is None:
            return user_register(username=username, email=email, password=password)
        user.set_password(password)
        user.save(update_fields=["password"])
        return user

    def _workspace(self, user):
        workspace, created = Workspace.objects.get_or_create(personal_owner=user, defaults={"name": "Demo workspace"})
        self._count("workspaces", created)
        Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": Membership.Role.OWNER})
        Workspace.objects.filter(pk=workspace.pk).update(name="Demo workspace", plan=Workspace.Plan.PRO)
        workspace.refresh_from_db()
        return workspace

    def _accounts(self, workspace, user):
        accounts = {}
        for platform, (label, _path) in PLATFORMS.items():
            spec = ACCOUNTS.get(platform, {"instance_url": "", "platform_settings": {}})
            account, created = ConnectedAccount.objects.get_or_create(
                workspace=workspace, platform=platform, platform_user_id=f"demo-{platform}",
                defaults={
                    "platform_username": f"demo_{platform}",
                    "display_name": f"Demo {label} (fake account)",
                    "access_token": f"demo-fake-access-token-{platform}",
                    "refresh_token": f"demo-fake-refresh-token-{platform}",
                    "token_expires_at": timezone.now() + timedelta(days=365),
                    "instance_url": spec["instance_url"],
                    "platform_settings": {"demo": True, **spec["platform_settings"]},
                    "limits_refreshed_at": timezone.now(),
                    "is_active": True,
                    "connected_by": user,
                },
            )
            self._count("accounts", created)
            accounts[platform] = account
        return accounts

    def _post(self, workspace, user, accounts, content, hours, statuses):
        now = timezone.now()
        at = now + timedelta(hours=hours) if hours is not None else None
        post, created = Post.objects.get_or_create(workspace=workspace, content=content, defaults={"author": user})
        self._count("posts", created)
        for platform, status in statuses.items():
            if platform in accounts:
                self._target(post, accounts[platform], status, at)
        if created:  # a re-run leaves times alone, so nothing drifts
            target_statuses = list(post.targets.values_list("status", flat=True))
            post.status = summarize_status(target_statuses) or Status.DRAFT
            post.scheduled_time = at if at is not None and at > now else None
            post.posted_at = at if Status.POSTED in target_statuses else None
            post.save(update_fields=["status", "scheduled_time", "posted_at", "updated_at"])
        return post

    def _target(self, post, account, status, at):
        posted = status == Status.POSTED
        fake_id = f"demo{post.pk}{account.pk}"
        target, created = PostTarget.objects.get_or_create(
            post=post, account=account,
            defaults={
                "status": status,
                "platform_post_id": fake_id if posted else "",
                "platform_post_url": f"https://{account.platform}.demo.invalid/@{account.platform_username}/{fake_id}" if posted else "",
                "posted_at": at if posted else None,
                "last_attempt_at": at if status in (Status.POSTED, Status.FAILED) else None,
                "next_attempt_at": at if status == Status.SCHEDULED else None,
                "error_message": DEMO_ERROR if status == Status.FAILED else "",
                "retry_count": 1 if status == Status.FAILED else 0,
            },
        )
        self._count("targets", created)
        if status in (Status.POSTED, Status.FAILED) and not target.attempts.exists():
            PublishAttempt.objects.create(
                target=target, attempt_number=1, started_at=at, finished_at=at + timedelta(seconds=1),
                outcome=PublishAttempt.Outcome.SUCCESS if posted else PublishAttempt.Outcome.FAILED,
                error_class="" if posted else "InvalidContent", http_status=200 if posted else 422,
                message="" if posted else DEMO_ERROR,
            )
            self._count("publish attempts", True)
        if posted:
            self._analytics(target, at)

    def _analytics(self, target, posted_at):
        seed = target.pk % 7 + 1
        figures = {"likes": 12 * seed, "reposts": 3 * seed, "replies": seed, "impressions": 400 * seed, "clicks": 9 * seed}
        _row, created = PostAnalytics.objects.get_or_create(target=target, defaults={**figures, "platform_metrics": {"demo": True}})
        self._count("analytics rows", created)
        if target.snapshots.exists():
            return
        for step, share in enumerate((0.25, 0.6, 1.0), start=1):
            snapshot = AnalyticsSnapshot.objects.create(target=target, snapshot_data={k: int(v * share) for k, v in figures.items()})
            AnalyticsSnapshot.objects.filter(pk=snapshot.pk).update(captured_at=posted_at + timedelta(hours=2 * step))
            self._count("snapshots", True)

    def _queue(self, workspace, accounts):
        weekday_mornings = {day: ["09:00"] for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}
        queue, created = PostQueue.objects.get_or_create(
            workspace=workspace, name="Demo weekday mornings",
            defaults={"description": "Sample queue: one slot each weekday at 09:00.", "posting_schedule": weekday_mornings, "timezone": "Europe/Berlin"},
        )
        self._count("queues", created)
        queue.target_accounts.add(*accounts.values())
        return queue
