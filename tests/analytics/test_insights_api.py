"""The insights endpoints on seeded data with known answers: totals and rates exact, the daily series in
the workspace's time zone, follower growth, top posts, filters, CSV streamed, bad input and other
workspaces; best times, hashtags, suggestions and queue slots through the API."""

import csv
import io
from datetime import date, datetime, timedelta, timezone as dt_timezone

import pytest
from django.utils import timezone

from analytics.models import AccountSnapshot
from tests.factories import ConnectedAccountFactory, PostQueueFactory, WorkspaceFactory

from .seeding import seed_posts

pytestmark = pytest.mark.django_db

OVERVIEW = "/api/v1/analytics/overview/"
UTC = dt_timezone.utc
D = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
WINDOW = {"from": "2026-03-01", "to": "2026-04-01"}


@pytest.fixture
def seeded(workspace):
    """x: impressions reported; mastodon: none (rate per post); one post outside the window."""
    workspace.metadata = {"timezone": "Europe/Berlin"}
    workspace.save()
    x = ConnectedAccountFactory(workspace=workspace, platform="x", platform_username="ex")
    masto = ConnectedAccountFactory(workspace=workspace, platform="mastodon", platform_username="toot")
    seed_posts(x, [
        (D, {"likes": 10, "reposts": 2, "replies": 1, "quotes": 1, "saves": 1, "impressions": 300}, "first #a"),
        (D + timedelta(hours=11, minutes=30), {"likes": 4, "impressions": 100}, "late night in Berlin"),  # 23:30 UTC = next day in Berlin
        (D - timedelta(days=30), {"likes": 99, "impressions": 1000}, "outside the window"),
    ])
    seed_posts(masto, [
        (D + timedelta(days=1), {"likes": 6, "reposts": 3}, "toot one"),
        (D + timedelta(days=2), {"likes": 1, "replies": 2}, "toot two"),
    ])
    for day, followers in ((date(2026, 3, 1), 100), (date(2026, 3, 15), 130), (date(2026, 3, 31), 160)):
        AccountSnapshot.objects.create(account=x, day=day, followers=followers, following=5, posts=10, captured_at=D)
    AccountSnapshot.objects.create(account=masto, day=date(2026, 3, 2), followers=50, captured_at=D)
    AccountSnapshot.objects.create(account=masto, day=date(2026, 3, 20), followers=45, captured_at=D)
    return {"x": x, "mastodon": masto}


class TestOverviewInsights:
    def test_totals_rates_and_breakdowns_are_exact(self, auth_api, seeded):
        body = auth_api.get(OVERVIEW, WINDOW).json()

        totals = body["totals"]
        assert (totals["posts"], totals["likes"], totals["impressions"], totals["engagement"]) == (4, 21, 400, 31)
        # x: 19 engagements over 400 impressions; mastodon has no impressions, so the overall rate is over x's only
        assert totals["engagement_rate"] == pytest.approx(19 / 400)
        assert totals["engagement_per_post"] == pytest.approx(31 / 4) and totals["basis"] == "impressions"
        by_platform = {row["platform"]: row for row in body["by_platform"]}
        assert by_platform["mastodon"]["engagement_rate"] is None and by_platform["mastodon"]["basis"] == "per_post"
        assert by_platform["mastodon"]["engagement_per_post"] == pytest.approx(12 / 2)
        assert by_platform["x"]["engagement"] == 19 and by_platform["x"]["label"] == "X"
        assert [(row["platform_username"], row["engagement"]) for row in body["by_account"]] == [("ex", 19), ("toot", 12)]
        assert body["targets"]["posted"] == 4  # the existing figures describe the same window

    def test_the_daily_series_is_in_the_workspaces_time_zone(self, auth_api, seeded):
        body = auth_api.get(OVERVIEW, WINDOW).json()  # plain dates: midnight in Berlin

        assert body["timezone"] == "Europe/Berlin"
        series = {row["day"]: row for row in body["series"]}
        assert len(series) == 31 and body["series"][0]["day"] == "2026-03-01"
        assert (series["2026-03-10"]["posts"], series["2026-03-10"]["likes"]) == (1, 10)
        assert (series["2026-03-11"]["posts"], series["2026-03-11"]["likes"]) == (2, 10)  # the 23:30 UTC one and a toot
        assert series["2026-03-09"]["posts"] == 0

    def test_follower_growth_and_top_posts(self, auth_api, seeded):
        body = auth_api.get(OVERVIEW, WINDOW).json()

        growth = {row["account"]: row for row in body["followers"]["accounts"]}
        assert (growth[seeded["x"].id]["start"], growth[seeded["x"].id]["end"], growth[seeded["x"].id]["change"]) == (100, 160, 60)
        assert growth[seeded["mastodon"].id]["change"] == -5
        assert body["followers"]["total_change"] == 55
        assert body["followers"]["series"][:2] == [{"day": "2026-03-01", "followers": 100}, {"day": "2026-03-02", "followers": 150}]
        assert body["followers"]["series"][-1] == {"day": "2026-03-31", "followers": 205}
        assert [p["content"] for p in body["top_posts"]] == ["first #a", "toot one", "late night in Berlin", "toot two"]
        assert body["top_posts"][0]["engagement"] == 15

    def test_platform_and_account_filters(self, auth_api, seeded):
        by_platform = auth_api.get(OVERVIEW, {**WINDOW, "platform": "mastodon"}).json()
        by_account = auth_api.get(OVERVIEW, {**WINDOW, "account": seeded["x"].id}).json()

        assert (by_platform["totals"]["posts"], by_platform["totals"]["engagement"]) == (2, 12)  # 6+3, 1+2
        assert by_platform["posts"]["total"] == 2 and by_platform["filters"] == {"platform": "mastodon", "account": None}
        assert [row["account"] for row in by_platform["followers"]["accounts"]] == [seeded["mastodon"].id]
        assert (by_account["totals"]["posts"], by_account["totals"]["engagement"]) == (2, 19)
        assert [p["content"] for p in by_account["top_posts"]] == ["first #a", "late night in Berlin"]

    def test_the_series_is_streamed_as_csv(self, auth_api, seeded):
        response = auth_api.get(OVERVIEW, {**WINDOW, "format": "csv"})

        assert response.status_code == 200 and response.streaming
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0][:3] == ["day", "posts", "engagement"] and len(rows) == 32
        assert rows[11][:4] == ["2026-03-11", "2", "13", "10"]  # engagement 4 + 6 + 3, likes 4 + 6

    def test_the_post_table_as_json_and_as_csv(self, auth_api, seeded):
        table = auth_api.get("/api/v1/analytics/posts/", WINDOW).json()
        response = auth_api.get("/api/v1/analytics/posts/", {**WINDOW, "format": "csv", "platform": "x"})

        assert table["count"] == 4 and not table["truncated"]
        assert [row["content"] for row in table["results"]] == ["toot two", "toot one", "late night in Berlin", "first #a"]
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert [(r["account"], r["likes"], r["impressions"]) for r in rows] == [("ex", "4", "100"), ("ex", "10", "300")]

    def test_a_formula_in_a_post_is_not_run_by_a_spreadsheet(self, auth_api, workspace):
        account = ConnectedAccountFactory(workspace=workspace)
        seed_posts(account, [(D, {"likes": 1}, "=HYPERLINK(\"http://evil\")")])

        response = auth_api.get("/api/v1/analytics/posts/", {"format": "csv"})

        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0]["content"] == "'=HYPERLINK(\"http://evil\")"

    @pytest.mark.parametrize("params, field", [
        ({"platform": "myspace"}, "platform"),
        ({"account": "abc"}, "account"),
        ({"from": "2026-04-01", "to": "2026-03-01"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-03-01", "since": "2026-03-01"}, "from"),
    ])
    def test_bad_input_is_a_400_with_field_errors(self, auth_api, params, field):
        response = auth_api.get(OVERVIEW, params)

        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]

    def test_another_workspaces_account_is_a_404(self, auth_api):
        stranger = ConnectedAccountFactory(workspace=WorkspaceFactory())

        assert auth_api.get(OVERVIEW, {"account": stranger.id}).status_code == 404
        assert auth_api.get(f"/api/v1/analytics/accounts/{stranger.id}/").status_code == 404
        assert auth_api.get("/api/v1/analytics/best-times/", {"account": stranger.id}).status_code == 404
        assert auth_api.get("/api/v1/analytics/hashtags/", {"account": stranger.id}).status_code == 404
        assert auth_api.get("/api/v1/analytics/accounts/99999999999999999999999/").status_code == 404


class TestAccountInsights:
    def test_follower_series_and_per_post_performance(self, auth_api, seeded):
        body = auth_api.get(f"/api/v1/analytics/accounts/{seeded['x'].id}/", WINDOW).json()

        assert [(row["day"], row["followers"]) for row in body["followers"]] == [("2026-03-01", 100), ("2026-03-15", 130), ("2026-03-31", 160)]
        assert [row["content"] for row in body["posts"]] == ["late night in Berlin", "first #a"]
        assert body["posts"][1]["quotes"] == 1 and body["posts"][1]["engagement"] == 15
        assert body["totals"]["engagement_rate"] == pytest.approx(19 / 400)
        assert body["posts"][0]["relative_to_baseline"] == pytest.approx(5 / 16)  # log1p(4) - log1p(15): its only neighbour


class TestBestTimesAndHashtagsApi:
    def test_best_times_needs_an_account(self, auth_api):
        response = auth_api.get("/api/v1/analytics/best-times/")

        assert response.status_code == 400 and "account" in response.json()["error"]["fields"]

    def test_best_times_answers_168_hours_and_says_its_source(self, auth_api, seeded):
        body = auth_api.get("/api/v1/analytics/best-times/", {"account": seeded["x"].id}).json()

        assert len(body["slots"]) == 168 and body["source"] == "default" and body["posts_used"] == 0
        assert body["timezone"] == "Europe/Berlin"  # no queue: the workspace's time zone

    def test_hashtags_and_suggestions(self, auth_api, workspace):
        account = ConnectedAccountFactory(workspace=workspace)
        now = timezone.now()
        items = []
        for i in range(40):
            tagged = i % 4 == 0
            items.append((now - timedelta(days=3, hours=7 * i), {"likes": 30 if tagged else 10}, f"post {i} {'#growth' if tagged else '#daily'}"))
        seed_posts(account, items)

        lifts = auth_api.get("/api/v1/analytics/hashtags/", {"account": account.id}).json()
        suggested = auth_api.post("/api/v1/posts/suggest-hashtags/", {"content": "New today #daily", "account": account.id}, format="json")

        assert lifts["source"] == "account" and lifts["hashtags"][0]["tag"] == "growth" and lifts["hashtags"][0]["posts"] == 10
        assert suggested.status_code == 200, suggested.content
        assert [s["tag"] for s in suggested.json()["suggestions"]] == ["growth"]
        assert [p["tag"] for p in suggested.json()["present"]] == ["daily"] and suggested.json()["present"][0]["lift"] < 1

    def test_suggest_hashtags_refuses_another_workspaces_account(self, auth_api):
        stranger = ConnectedAccountFactory(workspace=WorkspaceFactory())

        response = auth_api.post("/api/v1/posts/suggest-hashtags/", {"content": "x", "account": stranger.id}, format="json")

        assert response.status_code == 400 and "account" in response.json()["error"]["fields"]

    def test_a_queue_gets_suggested_slots(self, auth_api, workspace, seeded):
        queue = PostQueueFactory(workspace=workspace, timezone="America/New_York")
        queue.target_accounts.add(seeded["x"])

        response = auth_api.post(f"/api/v1/queues/{queue.id}/suggest-slots/", {"posts_per_week": 5}, format="json")
        bad = auth_api.post(f"/api/v1/queues/{queue.id}/suggest-slots/", {"posts_per_week": 0}, format="json")
        other = PostQueueFactory(workspace=WorkspaceFactory())

        assert response.status_code == 200
        body = response.json()
        assert body["timezone"] == "America/New_York" and len(body["slots"]) == 5
        assert sum(len(times) for times in body["posting_schedule"].values()) == 5
        assert body["accounts"] == [{"account": seeded["x"].id, "source": "default", "posts_used": 0}]
        assert bad.status_code == 400 and "posts_per_week" in bad.json()["error"]["fields"]
        assert auth_api.post(f"/api/v1/queues/{other.id}/suggest-slots/", {}, format="json").status_code == 404


def test_the_schema_describes_the_new_endpoints(auth_api):
    schema = auth_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    for path in ("/api/v1/analytics/best-times/", "/api/v1/analytics/hashtags/", "/api/v1/analytics/accounts/{id}/",
                 "/api/v1/analytics/posts/", "/api/v1/posts/suggest-hashtags/", "/api/v1/queues/{id}/suggest-slots/"):
        assert path in schema["paths"], path
    overview = schema["paths"]["/api/v1/analytics/overview/"]["get"]
    assert {"from", "to", "platform", "account", "format"} <= {p["name"] for p in overview["parameters"]}
