"""Prometheus metrics (prometheus-client): what an operator watches to know posts go out on time.

Events are counted where they happen, in the process they happen in (web: API requests; workers:
publish lateness and outcomes, token refreshes). With PROMETHEUS_MULTIPROC_DIR set (a directory
emptied at start, shared by the processes of one host: gunicorn workers, Celery pool, runall's
children), every process writes there and /metrics sums them; a worker host of its own serves the same
on WORKER_METRICS_PORT. Gauges of the whole system (targets due but not dispatched, stuck, unconfirmed
and failed, accounts to reconnect, queue depths) are read from PostgreSQL and the broker when scraped,
so any one host tells the truth for all of them. docs/operations.md "Metrics" shows how to scrape it.

/metrics is off unless METRICS_ENABLED; it then answers a request carrying `Authorization: Bearer
<METRICS_TOKEN>`, or one from an address in METRICS_ALLOWED_IPS, and is a 404 to anyone else."""

import hmac
import logging
import os
import time

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, REGISTRY

logger = logging.getLogger(__name__)

# Lateness: a target's due time -> the moment its network call starts (seconds).
LATENESS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900)
PUBLISH_LATENESS = Histogram("scheduler_publish_lateness_seconds", "Due time to the start of the network call.", ["network"], buckets=LATENESS_BUCKETS)
PUBLISH_OUTCOMES = Counter("scheduler_publish_outcomes_total", "Publish attempts by verdict.", ["network", "outcome", "error_class"])
TOKEN_REFRESHES = Counter("scheduler_token_refreshes_total", "Token refreshes by result.", ["network", "result"])
API_LATENCY = Histogram("scheduler_api_request_seconds", "API request duration.", ["endpoint", "method", "status"],
                        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))


def observe_lateness(network, due_at):
    if due_at is not None:
        PUBLISH_LATENESS.labels(network).observe(max(0.0, (timezone.now() - due_at).total_seconds()))


def count_outcome(network, outcome, error_class=""):
    PUBLISH_OUTCOMES.labels(network, outcome, error_class or "").inc()


def count_refresh(network, result):
    TOKEN_REFRESHES.labels(network, result).inc()


# --- Gauges read at scrape time ---------------------------------------------------------------------
class SystemCollector:
    """The engine's state from PostgreSQL and the broker, when scraped."""

    def describe(self):
        return []  # registering must not query the database (it may not exist yet)

    def collect(self):
        from social_media.models import ConnectedAccount, PostTarget, Status

        now = timezone.now()
        due = GaugeMetricFamily("scheduler_targets_due_undispatched", "Targets due more than 5 s ago that no worker has been handed.", labels=["network"])
        stuck = GaugeMetricFamily("scheduler_targets_stuck_publishing", "Targets publishing longer than PUBLISH_STUCK_AFTER_SECONDS without a heartbeat.", labels=["network"])
        states = GaugeMetricFamily("scheduler_targets", "Targets needing a person, by status.", labels=["network", "status"])
        reconnect = GaugeMetricFamily("scheduler_accounts_needing_reconnect", "Active accounts whose credentials stopped working.", labels=["network"])
        for row in PostTarget.objects.filter(status=Status.SCHEDULED, dispatched_at__isnull=True, next_attempt_at__lt=now - timezone.timedelta(seconds=5)).values("account__platform").annotate(n=_count()):
            due.add_metric([row["account__platform"]], row["n"])
        stale = now - timezone.timedelta(seconds=settings.PUBLISH_STUCK_AFTER_SECONDS)
        for row in PostTarget.objects.filter(status=Status.PUBLISHING, heartbeat_at__lt=stale).values("account__platform").annotate(n=_count()):
            stuck.add_metric([row["account__platform"]], row["n"])
        for row in PostTarget.objects.filter(status__in=[Status.UNCONFIRMED, Status.FAILED]).values("account__platform", "status").annotate(n=_count()):
            states.add_metric([row["account__platform"], row["status"]], row["n"])
        for row in ConnectedAccount.objects.filter(is_active=True, needs_reconnect=True).values("platform").annotate(n=_count()):
            reconnect.add_metric([row["platform"]], row["n"])
        yield from (due, stuck, states, reconnect)
        depth = GaugeMetricFamily("scheduler_queue_depth", "Messages waiting in each Celery queue.", labels=["queue"])
        for name, size in queue_depths().items():
            depth.add_metric([name], size)
        yield depth


def _count():
    from django.db.models import Count

    return Count("id")


def queue_depths() -> dict:
    """Messages waiting per Celery queue: Redis LLEN, RabbitMQ's passive declare, the filesystem broker's files."""
    from config.celery import app
    from config.queues import CeleryQueue

    sizes = {}
    try:
        with app.connection_for_read() as connection:
            channel = connection.default_channel
            for queue in CeleryQueue:
                if hasattr(channel, "client") and hasattr(channel.client, "llen"):  # Redis
                    sizes[queue.value] = int(channel.client.llen(queue.value))
                elif hasattr(channel, "queue_declare"):
                    sizes[queue.value] = int(channel.queue_declare(queue=queue.value, passive=True).message_count)
    except Exception as exc:  # a broker down is an alert of its own, not a broken scrape
        logger.warning("metrics: queue depth unavailable (%s)", exc.__class__.__name__)
    return sizes


_SYSTEM = SystemCollector()


def registry():
    """Every process's metrics of this host (multiprocess mode), else this process's; plus the gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined)
        combined.register(_SYSTEM)
        return combined
    return REGISTRY


if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    REGISTRY.register(_SYSTEM)


def allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    return request.META.get("REMOTE_ADDR", "") in settings.METRICS_ALLOWED_IPS


def metrics_view(request):
    if not settings.METRICS_ENABLED or not allowed(request):
        raise Http404()
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


class ApiLatencyMiddleware:
    """API request duration by endpoint (the URL pattern's name, never the raw path), method and status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.METRICS_ENABLED or not request.path.startswith("/api/"):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        endpoint = match.view_name if match is not None else "unmatched"
        API_LATENCY.labels(endpoint, request.method, str(response.status_code)).observe(time.perf_counter() - started)
        return response
