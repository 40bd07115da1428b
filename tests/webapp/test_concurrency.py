"""Double submits of the web app's forms, as real concurrent PostgreSQL transactions."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.accounts.test_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_registering_the_same_name_twice_at_once_makes_one_user_and_a_form_error(settings):
    """Both requests pass the form's "is it taken?" check; the loser's INSERT broke the unique username: a 500."""
    settings.REGISTRATION_ENABLED = True
    data = {"username": "twice", "email": "twice@example.com", "password": "a-long-pass-phrase", "timezone": "UTC"}

    def submit():
        response = Client(raise_request_exception=False).post(reverse("webapp:register"), data)
        return response.status_code, response.content.decode()

    answers = run_together([submit] * 4)

    assert sorted(status for status, _ in answers) == [302, 400, 400, 400], [s for s, _ in answers]
    refusals = [html for status, html in answers if status == 400]
    # Next to a field: the username, or the email when the winner committed between the form's two
    # checks (its username looked free, its email no longer did).
    assert all('id="id_username_error">' in html or 'id="id_email_error">' in html for html in refusals)
    assert User.objects.filter(username="twice").count() == 1
