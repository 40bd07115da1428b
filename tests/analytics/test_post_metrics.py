from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from social_media.models import Status
from tests.factories import ConnectedAccountFactory, WorkspaceFactory

from .conftest import NOW, published_post, snapshot


def post_url(post):
    return f"/api/v1/analytics/posts/{post.pk}/"


def history_url(post):
    return f"/api/v1/analytics/posts/{post.pk}/history/"


@pytest.mark.django_db
class TestPostMetrics:
    def test_it_lists_each_targets_latest_metrics_and_their_sum(self, auth_api, workspace, accounts):
        post, (x_target, masto_target, bsky_target) = published_post(
            workspace, [accounts["x"], accounts["mastodon"], accounts["bluesky"]], statuses=[Status.POSTED, Status.POSTED, Status.FAILED],
            metrics=[{"likes": 5, "impressions": 90, "platform_metrics": {"quote_count": 1}}, {"likes": 2, "reposts": 3}],
        )

        response = auth_api.get(post_url(post))

        assert response.status_code == 200
        body = response.json()
        assert body["post"]["id"] == post.pk and body["post"]["status"] == "posted"
        assert body["totals"] == {"likes": 7, "reposts": 3, "replies": 0, "impressions": 90, "clicks": 0}
        by_id = {item["id"]: item for item in body["targets"]}
        assert by_id[x_target.pk]["platform"] == "x"
        assert by_id[x_target.pk]["account"] == {"id": accounts["x"].pk, "platform_username": "me_x"}
        assert by_id[x_target.pk]["metrics"]["likes"] == 5
        assert by_id[x_target.pk]["metrics"]["platform_metrics"] == {"quote_count": 1}
        assert by_id[masto_target.pk]["metrics"]["reposts"] == 3
        assert by_id[bsky_target.pk]["status"] == "failed"
        assert by_id[bsky_target.pk]["metrics"] is None

    def test_it_never_shows_account_tokens(self, auth_api, workspace, accounts):
        post, _ = published_post(workspace, [accounts["x"]], metrics=[{"likes": 1}])

        text = auth_api.get(post_url(post)).content.decode()

        assert accounts["x"].access_token not in text and accounts["x"].refresh_token not in text

    def test_it_answers_404_for_another_workspaces_post(self, auth_api):
        other = WorkspaceFactory()
        post, _ = published_post(other, [ConnectedAccountFactory(workspace=other)], metrics=[{"likes": 1}])

        response = auth_api.get(post_url(post))

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"

    def test_it_answers_404_for_an_id_beyond_any_row(self, auth_api):
        assert auth_api.get("/api/v1/analytics/posts/99999999999999999999/").status_code == 404

    def test_it_uses_a_constant_number_of_queries(self, auth_api, workspace, accounts):
        small, _ = published_post(workspace, [accounts["x"]], metrics=[{"likes": 1}])
        large, _ = published_post(workspace, list(accounts.values()), metrics=[{"likes": 1}, {"likes": 1}, {"likes": 1}])
        with CaptureQueriesContext(connection) as few:
            auth_api.get(post_url(small))
        with CaptureQueriesContext(connection) as many:
            auth_api.get(post_url(large))

        assert len(many) == len(few)


@pytest.mark.django_db
class TestPostHistory:
    def test_it_lists_snapshots_per_target_oldest_first(self, auth_api, workspace, accounts):
        post, (x_target, masto_target) = published_post(workspace, [accounts["x"], accounts["mastodon"]])
        snapshot(x_target, NOW - timedelta(hours=1), likes=4)
        snapshot(x_target, NOW - timedelta(hours=3), likes=1)
        snapshot(masto_target, NOW - timedelta(hours=2), likes=2)

        response = auth_api.get(history_url(post))

        assert response.status_code == 200
        targets = {item["id"]: item for item in response.json()["targets"]}
        assert [s["data"]["likes"] for s in targets[x_target.pk]["snapshots"]] == [1, 4]
        assert targets[x_target.pk]["snapshots"][0]["data"] == {"likes": 1, "reposts": 0, "replies": 0, "quotes": 0, "impressions": 0, "clicks": 0, "saves": 0, "views": 0, "raw": {}}
        assert [s["data"]["likes"] for s in targets[masto_target.pk]["snapshots"]] == [2]
        assert targets[masto_target.pk]["platform"] == "mastodon"

    def test_it_limits_snapshots_to_the_window(self, auth_api, workspace, accounts):
        post, (target,) = published_post(workspace, [accounts["x"]])
        snapshot(target, NOW - timedelta(days=3), likes=1)
        snapshot(target, NOW - timedelta(hours=5), likes=2)
        snapshot(target, NOW - timedelta(minutes=5), likes=3)

        response = auth_api.get(history_url(post), {"since": (NOW - timedelta(days=1)).isoformat(), "until": (NOW - timedelta(hours=1)).isoformat()})

        assert [s["data"]["likes"] for s in response.json()["targets"][0]["snapshots"]] == [2]

    def test_it_rejects_a_bad_window(self, auth_api, workspace, accounts):
        post, _ = published_post(workspace, [accounts["x"]])

        response = auth_api.get(history_url(post), {"since": "soon"})

        assert response.status_code == 400
        assert "since" in response.json()["error"]["fields"]

    def test_it_answers_404_for_another_workspaces_post(self, auth_api):
        other = WorkspaceFactory()
        post, _ = published_post(other, [ConnectedAccountFactory(workspace=other)])

        assert auth_api.get(history_url(post)).status_code == 404

    def test_it_uses_a_constant_number_of_queries(self, auth_api, workspace, accounts):
        small, (target,) = published_post(workspace, [accounts["x"]])
        snapshot(target, NOW, likes=1)
        large, targets = published_post(workspace, list(accounts.values()))
        for t in targets:
            for hours in range(4):
                snapshot(t, NOW - timedelta(hours=hours), likes=hours)
        with CaptureQueriesContext(connection) as few:
            auth_api.get(history_url(small))
        with CaptureQueriesContext(connection) as many:
            response = auth_api.get(history_url(large))

        assert sum(len(t["snapshots"]) for t in response.json()["targets"]) == 12
        assert len(many) == len(few)
