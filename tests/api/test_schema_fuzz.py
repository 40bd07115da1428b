"""Schema-driven fuzz test of the whole API (schemathesis against /api/schema/): every operation, as
a user with data (accounts, posts, queues, media), a bounded number of generated requests each. Fails
on any 5xx and on any answer the schema does not describe (status, content type, body).

Marked `fuzz` (deselect locally with -m "not fuzz"); `make test` runs it. Examples are derandomized
so a failure reproduces. The connect flow is left out: it calls the network's servers (its own tests
use local fakes)."""

import os
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.core.cache import cache
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings as hypothesis_settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from feeds.models import FeedSubscription
from social_media.models import Status
from tests.assistant.conftest import openai_fake, openai_server  # noqa: F401  (the assistant's local model)
from tests.factories import ConnectedAccountFactory, MediaFileFactory, PostFactory, PostQueueFactory, PostTargetFactory, UserFactory
from webhooks.models import WebhookEndpoint
from webhooks.services import new_secret

# `make test` runs 12 per operation; FUZZ_EXAMPLES=200 is the long run (docs/benchmarks.md, "Schema fuzz").
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Stateful scenarios (chains of calls that feed one answer's ids into the next request, from the links
# schemathesis infers from the schema) and calls per scenario.
STATEFUL_SCENARIOS = int(os.environ.get("FUZZ_STATEFUL_SCENARIOS", "15"))
STATEFUL_STEPS = int(os.environ.get("FUZZ_STATEFUL_STEPS", "10"))
# FUZZ_COUNT_FILE: each test appends the number of requests it made (the long run's case count).
COUNT_FILE = os.environ.get("FUZZ_COUNT_FILE", "")
EXCLUDED = r"/accounts/(connect|callback)/"
# Which existing row a path's {id} names when the generated id is even (odd ids stay random: 404s).
ROWS_BY_PREFIX = ("posts", "queues", "accounts", "media", "workspaces", "analytics/posts", "feeds", "webhooks")


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes the database connection after each request (as in production); inside a
    test that would close the test's transaction. Django's own test client does the same as this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_data(db, settings, keep_test_connection, openai_fake):
    settings.THROTTLING_ENABLED = False  # the plan limit would answer 429 after 100 requests
    settings.ASSISTANT_DAILY_QUOTAS = {}  # the assistant (on, against the local OpenAI server) uncapped too
    user = UserFactory()
    workspace = user.personal_workspace
    account = ConnectedAccountFactory(workspace=workspace)
    other_account = ConnectedAccountFactory(workspace=workspace, platform="bluesky", platform_settings={})
    media = MediaFileFactory(workspace=workspace)
    draft = PostFactory(workspace=workspace, content="draft")
    PostTargetFactory(post=draft, account=account)
    scheduled = PostFactory(workspace=workspace, content="later", status=Status.SCHEDULED, scheduled_time=timezone.now() + timedelta(days=2))
    PostTargetFactory(post=scheduled, account=other_account, status=Status.SCHEDULED, next_attempt_at=scheduled.scheduled_time)
    queue = PostQueueFactory(workspace=workspace)
    queue.target_accounts.add(account)
    feed = FeedSubscription.objects.create(workspace=workspace, url="https://example.com/feed.xml")
    feed.accounts.add(account)
    webhook = WebhookEndpoint.objects.create(workspace=workspace, url="https://example.com/hook", events=["post.published"], secret=new_secret())
    return {
        "headers": {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"},
        "rows": {"posts": draft.pk, "analytics/posts": scheduled.pk, "queues": queue.pk, "accounts": account.pk,
                 "media": media.pk, "workspaces": workspace.pk, "feeds": feed.pk, "webhooks": webhook.pk},
    }


# Loaded when the module is collected (pytest-django has set Django up by then); schema generation
# reads no rows. (schemathesis' fixture-based lazy loader does not run on pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


def aim_at_real_rows(case, rows):
    """Half the generated ids name the user's own rows, so handlers run past their 404."""
    ident = case.path_parameters.get("id") if case.path_parameters else None
    if not isinstance(ident, int) or ident % 2:
        return
    path = case.path.removeprefix("/api/v1/")
    for prefix in sorted(ROWS_BY_PREFIX, key=len, reverse=True):
        if path.startswith(prefix + "/"):
            case.path_parameters["id"] = rows[prefix]
            return


@pytest.mark.fuzz
@pytest.mark.django_db
@schema.exclude(path_regex=EXCLUDED).parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_as_its_schema_says(case, fuzz_data):
    aim_at_real_rows(case, fuzz_data["rows"])
    count_requests(1)
    case.call_and_validate(headers=fuzz_data["headers"], checks=CHECKS)


def count_requests(n):
    if COUNT_FILE:
        with open(COUNT_FILE, "a") as out:
            out.write(f"{n}\n")


@pytest.mark.fuzz
@pytest.mark.django_db
def test_chained_requests_answer_as_the_schema_says(fuzz_data):
    """Stateful: scenarios of up to STATEFUL_STEPS calls where a created post, queue, feed, webhook or
    token's id goes into the next call's path (links schemathesis infers from the schema), logged in."""
    calls = []

    class Workflow(schema.exclude(path_regex=EXCLUDED).as_state_machine()):
        # Each scenario starts from the same rows (a savepoint rolled back after it): Hypothesis assumes
        # the same choices meet the same answers, and one scenario's rows would change the next's.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)
            cache.clear()

        def get_call_kwargs(self, case):
            return {"headers": fuzz_data["headers"]}

        def after_call(self, response, case):
            calls.append((case.method, case.path, response.status_code))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    try:
        Workflow.run(settings=hypothesis_settings(
            max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS, deadline=None, derandomize=True,
            # No shrinking: a scenario's steps depend on the answers before them, which a replay cannot
            # reproduce (Hypothesis reports that as a flaky strategy and hides the failure found).
            database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck),
        ))
    finally:
        count_requests(len(calls))
    # The chains reached real rows: some call on an {id} path answered 2xx.
    assert any(200 <= status < 300 and "{" in path for _method, path, status in calls), calls[:20]
