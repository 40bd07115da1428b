import re
from datetime import datetime, time

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.context import parse_id, request_workspace
from accounts.permissions import WorkspaceRole
from social_media.models import ConnectedAccount, Post, without_secrets

from . import services
from .insights.accounts import account_insights
from .insights.best_times import best_times
from .insights.export import POST_COLUMNS, SERIES_COLUMNS, csv_lines, post_record, post_rows_csv, post_table, series_rows
from .insights.hashtags import hashtag_lift
from .insights.overview import overview
from .insights.tz import workspace_timezone
from .serializers import (
    AccountInsightsSerializer,
    AccountQuerySerializer,
    BestTimesSerializer,
    HashtagsSerializer,
    InsightOverviewSerializer,
    InsightQuerySerializer,
    OptionalAccountQuerySerializer,
    PostHistorySerializer,
    PostMetricsSerializer,
    PostTableSerializer,
    window_from,
)

WINDOW_PARAMETERS = [
    OpenApiParameter("since", str, description="ISO 8601 date or date-time, inclusive."),
    OpenApiParameter("until", str, description="ISO 8601 date or date-time, exclusive."),
]
INSIGHT_PARAMETERS = [
    *WINDOW_PARAMETERS,
    OpenApiParameter("from", str, description="Same as since."),
    OpenApiParameter("to", str, description="Same as until."),
    OpenApiParameter("platform", str, description="Only this network (its key, e.g. mastodon)."),
    OpenApiParameter("account", int, description="Only this connected account (its id)."),
]
CSV_PARAMETER = OpenApiParameter("format", str, enum=["json", "csv"], description="csv: the rows as CSV, streamed.")
POST_TABLE_LIMIT = 500
PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class CSVRenderer(BaseRenderer):
    """Lets ?format=csv through content negotiation; the views stream the CSV themselves."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):  # errors answered as CSV: JSON text
        import json

        return json.dumps(data).encode()


def streamed_csv(lines, filename):
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class AnalyticsView(APIView):
    permission_classes = [IsAuthenticated, WorkspaceRole]

    def get_post(self, pk):
        """The post in the request's workspace; any other workspace's post is a 404."""
        return get_object_or_404(Post.objects.filter(workspace=request_workspace(self.request)), pk=pk)

    def get_account(self, pk):
        """The connected account in the request's workspace; any other workspace's is a 404."""
        if pk is None:
            return None
        if parse_id(pk) is None:
            raise Http404
        accounts = without_secrets(ConnectedAccount.objects.filter(workspace=request_workspace(self.request)))
        return get_object_or_404(accounts, pk=pk)

    def insight_query(self):
        query = InsightQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        since, until = (self.local_midnight(data[name], aliases) for name, aliases in (("since", ("since", "from")), ("until", ("until", "to"))))
        return since, until, data["platform"], self.get_account(data["account"])

    def local_midnight(self, moment, names):
        """A plain date (2026-03-01) means that day's midnight in the workspace's time zone."""
        raw = next((self.request.query_params.get(name) for name in names if self.request.query_params.get(name)), "")
        if moment is None or not PLAIN_DATE.fullmatch(raw.strip()):
            return moment
        return datetime.combine(moment.date(), time.min, tzinfo=self.timezone())

    def timezone(self):
        return workspace_timezone(workspace=request_workspace(self.request), user=self.request.user)


class OverviewView(AnalyticsView):
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]

    @extend_schema(
        parameters=[*INSIGHT_PARAMETERS, CSV_PARAMETER],
        responses={200: InsightOverviewSerializer, (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The daily series.")},
    )
    def get(self, request):
        """Totals, per network and per account, engagement rate, the daily series (in the workspace's time
        zone), follower growth and the top posts of the targets posted in the window."""
        since, until, platform, account = self.insight_query()
        body = overview(workspace=request_workspace(request), tz=self.timezone(), since=since, until=until,
                        platform=platform, account=account)
        if request.accepted_renderer.format == "csv":
            return streamed_csv(csv_lines(SERIES_COLUMNS, series_rows(body["series"])), "analytics-series.csv")
        return Response(InsightOverviewSerializer(body).data)


class PostTableView(AnalyticsView):
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]

    @extend_schema(
        operation_id="v1_analytics_posts_list",
        parameters=[*INSIGHT_PARAMETERS, CSV_PARAMETER],
        responses={200: PostTableSerializer, (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Every row.")},
    )
    def get(self, request):
        """The targets posted in the window with their latest figures, newest first (JSON: the first 500;
        CSV: all of them, streamed)."""
        since, until, platform, account = self.insight_query()
        rows = post_table(workspace=request_workspace(request), since=since, until=until, platform=platform, account=account)
        if request.accepted_renderer.format == "csv":
            return streamed_csv(csv_lines(POST_COLUMNS, post_rows_csv(rows)), "analytics-posts.csv")
        page = [post_record(row) for row in rows[: POST_TABLE_LIMIT + 1]]
        count = len(page) if len(page) <= POST_TABLE_LIMIT else rows.count()
        return Response(PostTableSerializer({"count": count, "results": page[:POST_TABLE_LIMIT], "truncated": count > POST_TABLE_LIMIT}).data)


class PostMetricsView(AnalyticsView):
    @extend_schema(responses=PostMetricsSerializer)
    def get(self, request, pk):
        return Response(PostMetricsSerializer(services.post_metrics(post=self.get_post(pk))).data)


class PostHistoryView(AnalyticsView):
    @extend_schema(parameters=WINDOW_PARAMETERS, responses=PostHistorySerializer)
    def get(self, request, pk):
        post = self.get_post(pk)
        since, until = window_from(request)
        return Response(PostHistorySerializer(services.post_history(post=post, since=since, until=until)).data)


class AccountInsightsView(AnalyticsView):
    @extend_schema(parameters=INSIGHT_PARAMETERS[:4], responses=AccountInsightsSerializer)
    def get(self, request, pk):
        """One account: its daily follower series and the performance of each post in the window."""
        account = self.get_account(pk)
        since, until, _platform, _account = self.insight_query()
        return Response(AccountInsightsSerializer(account_insights(account=account, tz=self.timezone(), since=since, until=until)).data)


class BestTimesView(AnalyticsView):
    @extend_schema(parameters=[OpenApiParameter("account", int, required=True)], responses=BestTimesSerializer)
    def get(self, request):
        """Expected engagement for each hour of the week in the account's time zone, with a 95 % interval,
        learnt from the account's posts (else the workspace's, else a network default: see `source`)."""
        query = AccountQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        account = self.get_account(query.validated_data["account"])
        return Response(BestTimesSerializer(best_times(account=account, user=request.user)).data)


class HashtagsView(AnalyticsView):
    @extend_schema(parameters=[OpenApiParameter("account", int)], responses=HashtagsSerializer)
    def get(self, request):
        """Hashtags ranked by engagement lift over the account's baseline (the workspace's posts without
        ?account= or when the account has too few), with post counts and a confidence."""
        query = OptionalAccountQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        account = self.get_account(query.validated_data["account"])
        return Response(HashtagsSerializer(hashtag_lift(workspace=request_workspace(request), account=account)).data)


# --- actions of the posts and queues viewsets (social_media/api) -----------------------------------------
def suggest_hashtags_for(request, *, workspace):
    from rest_framework.exceptions import ValidationError

    from .insights.hashtags import suggest_hashtags
    from .serializers import SuggestHashtagsRequestSerializer, SuggestHashtagsSerializer

    data = SuggestHashtagsRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    account = without_secrets(ConnectedAccount.objects.filter(workspace=workspace, pk=data.validated_data["account"])).first()
    if account is None:
        raise ValidationError({"account": ["No account with this id in this workspace."]})
    answer = suggest_hashtags(workspace=workspace, account=account, content=data.validated_data["content"])
    return Response(SuggestHashtagsSerializer(answer).data)


def suggest_slots_for(request, *, queue):
    from .insights.slots import suggest_slots
    from .serializers import SuggestSlotsRequestSerializer, SuggestSlotsSerializer

    data = SuggestSlotsRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    answer = suggest_slots(queue=queue, posts_per_week=data.validated_data["posts_per_week"], per_day=data.validated_data["per_day"])
    return Response(SuggestSlotsSerializer(answer).data)
