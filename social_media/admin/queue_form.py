"""Staff create and edit queues in the admin through queue_save, the service the API and the web app
use: the time zone and weekly timetable are cleaned as there, and only active accounts of the queue's
workspace can be its accounts. As PostAdminForm, the service runs in a savepoint during validation, so
a refusal shows next to its field and nothing is saved."""

from django import forms
from django.db import transaction
from rest_framework.exceptions import ValidationError

from ..models import PostQueue
from ..services.queues import queue_save

FIELD_OF = {"timezone": "timezone", "posting_schedule": "posting_schedule", "target_accounts": "target_accounts", "queue": None}


def _messages(detail):
    if isinstance(detail, dict):  # the timetable's problems, by day
        return [f"{key}: {message}" for key, value in detail.items() for message in _messages(value)]
    if isinstance(detail, (list, tuple)):
        return [message for value in detail for message in _messages(value)]
    return [str(detail)]


class PostQueueAdminForm(forms.ModelForm):
    class Meta:
        model = PostQueue
        fields = ["workspace", "name", "description", "target_accounts", "posting_schedule", "timezone", "is_active"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            with transaction.atomic():  # a savepoint: a refused queue leaves nothing behind
                self.instance = queue_save(
                    workspace=data["workspace"], queue=self.instance if self.instance.pk else None, name=data["name"],
                    description=data.get("description", ""), accounts=list(data.get("target_accounts") or []),
                    posting_schedule=data.get("posting_schedule"), timezone_name=data.get("timezone", ""),
                    is_active=data.get("is_active", False),
                )
        except ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {None: exc.detail}
            for key, value in detail.items():
                field = FIELD_OF.get(key)
                for message in _messages(value):
                    self.add_error(field if field in self.fields else None, message)
        return data

    def save(self, commit=True):
        return self.instance  # queue_save saved it in clean()

    def save_m2m(self):
        pass
