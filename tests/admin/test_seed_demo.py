from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User, Workspace
from analytics.models import AnalyticsSnapshot, PostAnalytics
from social_media.models import ConnectedAccount, Post, PostQueue, PostTarget, PublishAttempt, Status
from social_media.platforms.registry import PLATFORMS

MODELS = [User, Workspace, ConnectedAccount, Post, PostTarget, PublishAttempt, PostQueue, PostAnalytics, AnalyticsSnapshot]


def seed(*args):
    out = StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
class TestSeedDemo:
    def test_it_creates_a_usable_demo_and_prints_the_credentials(self):
        output = seed()

        user = User.objects.get(username="demo")
        assert user.check_password("demo-scheduler-password")
        assert "'demo'" in output and "'demo-scheduler-password'" in output
        workspace = user.personal_workspace
        assert (workspace.name, workspace.plan) == ("Demo workspace", "pro")
        accounts = ConnectedAccount.objects.filter(workspace=workspace)
        assert sorted(accounts.values_list("platform", flat=True)) == sorted(PLATFORMS)
        for account in accounts:
            assert account.is_active and account.platform_settings["demo"] is True
            assert account.access_token.startswith("demo-fake-")
            assert "fake" in account.display_name
        statuses = set(Post.objects.filter(workspace=workspace).values_list("status", flat=True))
        assert {Status.DRAFT, Status.SCHEDULED, Status.POSTED, Status.PARTIALLY_POSTED, Status.FAILED, Status.CANCELLED} <= statuses
        scheduled = Post.objects.get(workspace=workspace, status=Status.SCHEDULED)
        assert scheduled.scheduled_time is not None
        assert all(t.next_attempt_at == scheduled.scheduled_time for t in scheduled.targets.all())
        assert PostAnalytics.objects.filter(target__post__workspace=workspace).count() == PostTarget.objects.filter(
            post__workspace=workspace, status=Status.POSTED
        ).count() > 0
        assert AnalyticsSnapshot.objects.exists()
        assert PostQueue.objects.get(workspace=workspace).target_accounts.count() == len(PLATFORMS)
        assert "Created this run:" in output
        for account in accounts:
            assert account.access_token not in output

    def test_the_printed_credentials_log_in_through_the_api(self, api):
        seed()

        response = api.post("/api/v1/auth/login/", {"username": "demo", "password": "demo-scheduler-password"})

        assert response.status_code == 200
        assert "access" in response.json()

    def test_it_runs_twice_without_duplicating_anything(self):
        seed()
        first = counts()
        scheduled_before = Post.objects.get(status=Status.SCHEDULED).scheduled_time

        output = seed()

        assert counts() == first
        assert "nothing (all present already)" in output
        assert Post.objects.get(status=Status.SCHEDULED).scheduled_time == scheduled_before

    def test_it_resets_the_demo_password_so_the_printed_one_works(self):
        seed()
        user = User.objects.get(username="demo")
        user.set_password("something-else")
        user.save()

        seed("--password", "fresh-demo-pass")

        user.refresh_from_db()
        assert user.check_password("fresh-demo-pass")

    def test_the_demo_overview_reflects_the_seeded_posts(self, api):
        seed()
        api.force_authenticate(User.objects.get(username="demo"))

        body = api.get("/api/v1/analytics/overview/").json()

        assert body["posts"]["total"] == 6
        assert body["targets"]["posted"] >= 4 and body["targets"]["failed"] >= 4
        assert body["engagement"]["likes"] > 0

    def test_it_refuses_to_run_with_debug_off_unless_forced(self, settings):
        settings.DEBUG = False

        with pytest.raises(CommandError, match="DEBUG"):
            call_command("seed_demo", stdout=StringIO())
        assert not User.objects.filter(username="demo").exists()
