"""Staff create and edit drafts and scheduled posts in the admin through the same services as the API
and the web app (post_create / post_update / post_schedule): the form runs the service inside its own
savepoint during validation, so a refusal (a network's limit, a time in the past, an account of another
workspace) shows next to the field and nothing is saved. Times are entered and shown to the second."""

from django import forms
from django.contrib.admin import widgets
from django.db import transaction
from rest_framework.exceptions import APIException, ValidationError

from accounts.context import parse_id

from ..models import ConnectedAccount, Post
from ..services.posts import PENDING_STATUSES, SCHEDULED_STATUSES, post_create, post_update

FIELD_OF = {"target_accounts": "accounts", "scheduled_time": "scheduled_time", "content": "content", "workspace": "workspace"}


class SecondsSplitDateTime(widgets.AdminSplitDateTime):
    """The admin's date + time widget, with the time shown as HH:MM:SS."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[1].format = "%H:%M:%S"


class PostAdminForm(forms.ModelForm):
    accounts = forms.ModelMultipleChoiceField(
        queryset=ConnectedAccount.objects.filter(is_active=True).select_related("workspace").order_by("workspace_id", "platform", "platform_username"),
        required=False, widget=widgets.FilteredSelectMultiple("accounts", is_stacked=False),
        help_text="Active accounts of the post's workspace; a post goes to each of them.",
    )
    scheduled_time = forms.SplitDateTimeField(
        required=False, widget=SecondsSplitDateTime, label="Scheduled time",
        help_text="Leave empty for a draft. Server time zone (UTC), to the second.",
    )

    class Meta:
        model = Post
        fields = ["workspace", "content"]

    actor = None  # set by PostAdmin.get_form: the staff user, the author of a new post

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "accounts" in self.fields:
            self.fields["accounts"].initial = list(self.instance.targets.values_list("account_id", flat=True))
        if self.instance.pk and "scheduled_time" in self.fields:
            self.fields["scheduled_time"].initial = self.instance.scheduled_time

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if self.instance.pk and self.instance.status not in PENDING_STATUSES:
            raise forms.ValidationError(f"This post is {self.instance.get_status_display().lower()}; only drafts and scheduled posts can be edited.")
        accounts, at = list(data.get("accounts") or []), data.get("scheduled_time")
        try:
            with transaction.atomic():  # a savepoint: a refused post leaves nothing behind
                if self.instance.pk:
                    unschedule = at is None and self.instance.status in SCHEDULED_STATUSES
                    self.instance = post_update(
                        post=self.instance, content=data.get("content", ""), accounts=accounts, actor=self.actor,
                        **({"scheduled_time": at} if at is not None or unschedule else {}),
                    )
                else:
                    self.instance = post_create(
                        workspace=data["workspace"], author=self.actor, content=data.get("content", ""),
                        accounts=accounts, scheduled_time=at,
                    )
        except ValidationError as exc:
            self._add_service_errors(exc.detail)
        except APIException as exc:
            raise forms.ValidationError(str(exc.detail)) from None
        return data

    def _add_service_errors(self, detail):
        if not isinstance(detail, dict):
            raise forms.ValidationError([str(m) for m in detail])
        for key, messages in detail.items():
            if key == "targets" and isinstance(messages, dict):
                names = {str(a.pk): str(a) for a in ConnectedAccount.objects.filter(pk__in=[k for k in messages if parse_id(k) is not None])}
                for account_id, problems in messages.items():
                    for problem in problems:
                        self.add_error("content", f"{names.get(str(account_id), account_id)}: {problem}")
                continue
            field = FIELD_OF.get(key)
            for message in messages if isinstance(messages, list) else [messages]:
                self.add_error(field if field in self.fields else None, str(message))

    def save(self, commit=True):
        return self.instance  # the service saved it in clean()

    def save_m2m(self):
        pass
