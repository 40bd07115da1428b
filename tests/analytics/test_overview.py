from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from social_media.models import Status
from social_media.platforms import PLATFORMS
from tests.factories import ConnectedAccountFactory, MembershipFactory, PostFactory, WorkspaceFactory

from .conftest import NOW, published_post

OVERVIEW = "/api/v1/analytics/overview/"


@pytest.mark.django_db
class TestOverview:
    def test_it_sums_posts_targets_and_engagement_per_platform(self, auth_api, workspace, accounts):
        published_post(
            workspace, [accounts["x"], accounts["mastodon"]],
            metrics=[{"likes": 5, "reposts": 2, "replies": 1, "impressions": 100, "clicks": 7}, {"likes": 3, "impressions": 40}],
        )
        published_post(
            workspace, [accounts["x"], accounts["bluesky"]], statuses=[Status.POSTED, Status.FAILED],
            metrics=[{"likes": 1, "clicks": 1}],
        )
        PostFactory(workspace=workspace, status=Status.DRAFT)
        PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=NOW + timedelta(days=1))

        response = auth_api.get(OVERVIEW)

        assert response.status_code == 200
        body = response.json()
        assert body["posts"]["total"] == 4
        assert body["posts"]["by_status"] == {**dict.fromkeys(Status.values, 0), "posted": 2, "draft": 1, "scheduled": 1}
        assert body["targets"] == {"total": 4, "posted": 3, "failed": 1}
        assert body["engagement"] == {"likes": 9, "reposts": 2, "replies": 1, "impressions": 140, "clicks": 8}
        platforms = {row["platform"]: row for row in body["platforms"]}
        assert [row["platform"] for row in body["platforms"]] == list(PLATFORMS)
        assert platforms["x"] == {
            "platform": "x", "label": "X", "targets": 2, "posted": 2, "failed": 0,
            "likes": 6, "reposts": 2, "replies": 1, "impressions": 100, "clicks": 8,
        }
        assert (platforms["bluesky"]["targets"], platforms["bluesky"]["failed"], platforms["bluesky"]["likes"]) == (1, 1, 0)
        assert (platforms["mastodon"]["posted"], platforms["mastodon"]["impressions"]) == (1, 40)
        assert (body["since"], body["until"]) == (None, None)

    def test_it_answers_zeros_for_an_empty_workspace(self, auth_api):
        body = auth_api.get(OVERVIEW).json()

        assert body["posts"]["total"] == 0
        assert body["targets"] == {"total": 0, "posted": 0, "failed": 0}
        assert all(row["targets"] == 0 and row["likes"] == 0 for row in body["platforms"])

    def test_it_ignores_other_workspaces(self, auth_api, workspace, accounts):
        other = WorkspaceFactory()
        published_post(other, [ConnectedAccountFactory(workspace=other, platform="x")], metrics=[{"likes": 50}])

        body = auth_api.get(OVERVIEW).json()

        assert (body["posts"]["total"], body["targets"]["total"], body["engagement"]["likes"]) == (0, 0, 0)

    def test_it_limits_figures_to_posts_going_out_in_the_window(self, auth_api, workspace, accounts):
        published_post(workspace, [accounts["x"]], posted_at=NOW - timedelta(days=10), metrics=[{"likes": 100}])
        published_post(workspace, [accounts["x"]], posted_at=NOW - timedelta(days=2), metrics=[{"likes": 4}])
        PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=NOW + timedelta(days=3))

        since = (NOW - timedelta(days=5)).isoformat()
        until = (NOW + timedelta(days=1)).isoformat()
        body = auth_api.get(OVERVIEW, {"since": since, "until": until}).json()

        assert body["posts"]["by_status"]["posted"] == 1
        assert body["posts"]["by_status"]["scheduled"] == 0
        assert body["targets"]["total"] == 1
        assert body["engagement"]["likes"] == 4
        assert body["since"] is not None and body["until"] is not None

    def test_it_accepts_plain_dates(self, auth_api, workspace, accounts):
        published_post(workspace, [accounts["x"]], posted_at=NOW - timedelta(days=2), metrics=[{"likes": 4}])

        response = auth_api.get(OVERVIEW, {"since": (NOW - timedelta(days=3)).date().isoformat()})

        assert response.status_code == 200
        assert response.json()["engagement"]["likes"] == 4

    @pytest.mark.parametrize(
        "params, field",
        [({"since": "yesterday"}, "since"), ({"until": "2024-13-45"}, "until"), ({"since": "2024-02-01", "until": "2024-01-01"}, "until")],
    )
    def test_it_rejects_a_bad_window_with_field_errors(self, auth_api, params, field):
        response = auth_api.get(OVERVIEW, params)

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "validation_error"
        assert field in response.json()["error"]["fields"]

    def test_it_uses_a_constant_number_of_queries(self, auth_api, workspace, accounts):
        published_post(workspace, [accounts["x"]], metrics=[{"likes": 1}])
        with CaptureQueriesContext(connection) as few:
            auth_api.get(OVERVIEW)
        for _ in range(5):
            published_post(workspace, list(accounts.values()), metrics=[{"likes": 1}, {"likes": 2}, None])
        with CaptureQueriesContext(connection) as many:
            response = auth_api.get(OVERVIEW)

        assert response.json()["engagement"]["likes"] == 16
        assert len(many) == len(few)

    def test_it_lets_a_viewer_read_a_shared_workspace(self, auth_api, user):
        shared = WorkspaceFactory()
        MembershipFactory(user=user, workspace=shared, role=Membership.Role.VIEWER)
        PostFactory(workspace=shared)

        response = auth_api.get(OVERVIEW, HTTP_X_WORKSPACE=str(shared.pk))

        assert response.status_code == 200
        assert response.json()["posts"]["total"] == 1

    def test_it_requires_authentication(self, api):
        assert api.get(OVERVIEW).status_code == 401
