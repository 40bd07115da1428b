"""An MCP client session (the SDK's own client over stdio) against `manage.py mcp_server`, as an agent
would use it: list accounts, validate, schedule a post and read it back; roles and scopes hold."""

import json
import sys
from datetime import timedelta

import anyio
import pytest
from django.utils import timezone

from accounts.models import Membership
from developer.services import token_create
from social_media.models import Post, Status
from tests.engine.processes import ROOT, worker_env
from tests.factories import ConnectedAccountFactory, MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def _session_calls(raw_token, calls):
    """Run `calls` [(tool, arguments)] in one stdio session; returns [(is_error, payload)]."""
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=sys.executable, args=[str(ROOT / "manage.py"), "mcp_server"], cwd=str(ROOT),
        env={**worker_env(), "SCHEDULER_API_TOKEN": raw_token},
    )

    async def run():
        results = []
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            tools = await session.list_tools()
            results.append((False, sorted(t.name for t in tools.tools)))
            for name, arguments in calls:
                result = await session.call_tool(name, arguments)
                text = result.content[0].text if result.content else ""
                results.append((result.is_error, json.loads(text) if not result.is_error else text))
        return results

    return anyio.run(run)


@pytest.fixture
def team():
    owner = UserFactory(username="agent-owner")
    workspace = WorkspaceFactory(name="Bakery")
    MembershipFactory(user=owner, workspace=workspace, role=Membership.Role.OWNER)
    bluesky = ConnectedAccountFactory(workspace=workspace, platform="bluesky", platform_username="bakery.bsky.social", instance_url="https://bsky.social", platform_settings={})
    return owner, workspace, bluesky


def test_an_agent_schedules_a_post_and_reads_it_back(team):
    owner, workspace, bluesky = team
    _, raw = token_create(user=owner, workspace=workspace, name="agent", scope="write")
    when = (timezone.now() + timedelta(days=2)).replace(microsecond=0)

    (_, tools), (_, accounts), (_, checked), (_, too_long), (_, created) = _session_calls(raw, [
        ("list_accounts", {}),
        ("validate_draft", {"content": "Fresh rye at seven", "account_ids": [bluesky.pk]}),
        ("validate_draft", {"content": "r" * 301, "account_ids": [bluesky.pk]}),
        ("create_post", {"content": "Fresh rye at seven", "account_ids": [bluesky.pk], "scheduled_time": when.isoformat()}),
    ])

    assert {"list_accounts", "validate_draft", "create_post", "get_post", "list_upcoming", "list_failed", "retry_target", "cancel_post", "get_analytics"} <= set(tools)
    assert accounts["accounts"][0]["id"] == bluesky.pk and accounts["accounts"][0]["max_characters"] == 300
    assert checked["valid"] is True and too_long["valid"] is False and too_long["accounts"][0]["errors"]
    post = Post.objects.get()
    assert (post.workspace, post.author, post.status, post.scheduled_time) == (workspace, owner, Status.SCHEDULED, when)
    assert created["id"] == post.pk and created["targets"][0]["account_id"] == bluesky.pk

    (_, _), (_, read_back), (_, upcoming) = _session_calls(raw, [("get_post", {"post_id": post.pk}), ("list_upcoming", {})])
    assert read_back["status"] == "scheduled" and read_back["content"] == "Fresh rye at seven"
    assert [p["id"] for p in upcoming["posts"]] == [post.pk]


def test_a_read_token_and_a_viewer_cannot_change_posts_and_other_workspaces_stay_hidden(team):
    owner, workspace, bluesky = team
    _, read_only = token_create(user=owner, workspace=workspace, name="reader", scope="read")
    viewer = UserFactory()
    MembershipFactory(user=viewer, workspace=workspace, role=Membership.Role.VIEWER)
    _, viewer_token = token_create(user=viewer, workspace=workspace, name="viewer", scope="write")
    foreign = ConnectedAccountFactory(workspace=WorkspaceFactory())

    (_, _), refused, foreign_answer = _session_calls(read_only, [
        ("create_post", {"content": "x", "account_ids": [bluesky.pk]}),
        ("validate_draft", {"content": "x", "account_ids": [foreign.pk]}),
    ])
    assert refused[0] is True and "read-only" in refused[1]
    assert foreign_answer[0] is True and "No active connected account" in foreign_answer[1]
    (_, _), viewer_refused = _session_calls(viewer_token, [("create_post", {"content": "x", "account_ids": [bluesky.pk]})])
    assert viewer_refused[0] is True and "editor" in viewer_refused[1]
    assert not Post.objects.exists()


def test_without_a_token_the_command_says_what_to_set():
    import subprocess

    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "mcp_server"], env={**worker_env(), "SCHEDULER_API_TOKEN": ""}, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "SCHEDULER_API_TOKEN" in result.stderr
