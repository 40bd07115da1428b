"""The home page's first-run checklist: connect an account, set a posting schedule, write the first
post. Each step is ticked from the workspace's own rows, never from a flag, and links to the page
that does it; the checklist goes away once all three are done."""

from django.urls import reverse

from social_media.models import ConnectedAccount, Post, PostQueue


def first_run_steps(workspace):
    """[{key, label, done, url, action}] for the checklist, or [] when every step is done."""
    steps = [
        {"key": "connect", "label": "Connect an account", "url": reverse("webapp:accounts"), "action": "Connect",
         "done": ConnectedAccount.objects.filter(workspace=workspace, is_active=True).exists()},
        {"key": "schedule", "label": "Set a posting schedule", "url": reverse("webapp:queues"), "action": "Set times",
         "done": PostQueue.objects.filter(workspace=workspace, is_active=True).exclude(posting_schedule={}).exists()},
        {"key": "post", "label": "Write your first post", "url": reverse("webapp:compose"), "action": "Compose",
         "done": Post.objects.filter(workspace=workspace).exists()},
    ]
    return [] if all(step["done"] for step in steps) else steps
