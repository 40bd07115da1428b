"""An invitation mail goes out from a Celery task: a mail server that is down costs no 500 and no mail.

A real worker (default queue) sends to a local SMTP port nothing listens on, retrying; once an SMTP
server (aiosmtpd) starts on that port, the next try delivers the invitation."""

import re
import time

import pytest
from aiosmtpd.controller import Controller

from accounts.models import Invitation
from tests.engine.processes import celery_processes, wait_until, worker_env
from tests.factories import UserFactory
from tests.services import free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 Message accepted for delivery"


def test_inviting_while_the_mail_server_is_down_answers_201_queued_and_the_mail_goes_out_once_it_is_up(client_for, team, settings):
    port = free_port()  # nothing listens here until the SMTP server below starts
    smtp = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": port, "EMAIL_TIMEOUT": 2}
    for name, value in smtp.items():
        setattr(settings, name, value)

    with celery_processes(beat=False, queues="default", concurrency=1, env=worker_env(**smtp)) as procs:
        response = client_for(team.owner).post(f"/api/v1/workspaces/{team.workspace.pk}/invitations/", {"email": "late@example.com", "role": "viewer"}, format="json")

        assert response.status_code == 201, response.content
        assert response.json()["mail"] == "queued" and response.json()["status"] == "pending"
        assert Invitation.objects.filter(workspace=team.workspace, email="late@example.com").exists()
        time.sleep(3)  # the worker tries (connection refused) and schedules a retry
        assert procs[0].poll() is None

        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            wait_until(lambda: inbox.messages, timeout=60, interval=0.2)
        finally:
            controller.stop()

    [(recipients, content)] = inbox.messages
    assert recipients == ["late@example.com"]
    assert f"You are invited to {team.workspace.name}" in content
    token = re.search(r"/invitations/([A-Za-z0-9_-]+)/", content).group(1)
    accepted = client_for(UserFactory(email="late@example.com")).post("/api/v1/invitations/accept/", {"token": token}, format="json")
    assert accepted.status_code == 200, accepted.content
