"""The composer's form: one text, a variant per account, media (from the library or uploaded here),
and what to do with it (draft, schedule at a time, add to a queue, publish now). Times are read in the
user's time zone (activated by the middleware); the picker steps by the minute (seconds 00), and a
time with seconds (set through the API) is shown and kept with them."""

from datetime import datetime

from django import forms
from django.utils import timezone

from media.models import MediaFile
from social_media.models import ConnectedAccount, PostQueue
from first_comments.models import MAX_CONTENT as MAX_COMMENT
from social_media.platforms import PlatformFactory

ACTIONS = {"draft": "Save draft", "schedule": "Schedule", "queue": "Add to queue", "publish": "Publish now"}
FIRST_COMMENT_DELAYS = [(0, "right after the post"), (60, "1 minute after"), (300, "5 minutes after"), (900, "15 minutes after"),
                        (3600, "1 hour after"), (6 * 3600, "6 hours after"), (86_400, "24 hours after")]
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
MINUTE_FORMAT = "%Y-%m-%dT%H:%M"


class MinuteInput(forms.DateTimeInput):
    """A datetime-local picked to the minute. A value with seconds other than 00 is shown with them,
    and the input then steps by the second, so saving a post scheduled at 09:00:05 keeps 09:00:05."""

    input_type = "datetime-local"

    def __init__(self):
        super().__init__(attrs={"step": "60"}, format=MINUTE_FORMAT)

    def format_value(self, value):
        if isinstance(value, datetime) and value.second:
            return value.strftime(TIME_FORMAT)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        shown = context["widget"]["value"] or ""
        if len(shown) > len("2030-01-01T09:00") and not shown.endswith(":00"):
            context["widget"]["attrs"]["step"] = "1"
        return context


class AccountChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, account):
        return f"{account.get_platform_display()} @{account.platform_username}"


class MediaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, media):
        return media.original_filename


class QueueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, queue):
        return queue.name


class ComposeForm(forms.Form):
    accounts = AccountChoiceField(queryset=ConnectedAccount.objects.none(), widget=forms.CheckboxSelectMultiple, required=False, label="Post to")
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=5000, label="Text")
    library_media = MediaChoiceField(queryset=MediaFile.objects.none(), widget=forms.CheckboxSelectMultiple, required=False, label="Media from the library")
    upload = forms.FileField(required=False, label="Upload an image or video", help_text="Stored in the media library and attached to this post.")
    upload_alt = forms.CharField(required=False, max_length=2000, label="Alt text for the upload", help_text="Describe the image for people who cannot see it.")
    scheduled_time = forms.DateTimeField(
        required=False, label="Publish at", input_formats=[TIME_FORMAT, MINUTE_FORMAT], widget=MinuteInput(),
    )
    queue = QueueChoiceField(queryset=PostQueue.objects.none(), required=False, label="Queue", empty_label="Choose a queue")
    action = forms.ChoiceField(choices=list(ACTIONS.items()), required=False, widget=forms.HiddenInput)
    # first_comments: posted under the post on each network after it is published (docs/first-comments.md).
    first_comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=MAX_COMMENT, label="First comment",
                                    help_text="Posted as a comment (a reply) under the post on each network, e.g. links or hashtags.")
    first_comment_delay = forms.TypedChoiceField(choices=FIRST_COMMENT_DELAYS, coerce=int, empty_value=0, required=False, initial=0,
                                                 label="Post the first comment")

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        # A thread's parts after the first (docs/threads.md): one `thread_part` textarea each, in order
        # (the page's "Add to thread" adds one); errors of part i go to thread_errors[i], next to it.
        self.thread_texts = list(self.data.getlist("thread_part")) if self.is_bound else list(self.initial.get("thread_parts") or [])
        self.thread_errors = {}
        self.account_list = list(ConnectedAccount.objects.filter(workspace=workspace, is_active=True).order_by("platform", "platform_username", "id"))
        self.fields["accounts"].queryset = ConnectedAccount.objects.filter(workspace=workspace, is_active=True).order_by("platform", "platform_username", "id")
        self.fields["library_media"].queryset = MediaFile.objects.filter(workspace=workspace).order_by("-created_at", "-id")
        self.fields["queue"].queryset = PostQueue.objects.filter(workspace=workspace, is_active=True).order_by("name", "id")
        self.fields["scheduled_time"].help_text = f"In your time zone, {timezone.get_current_timezone_name()}."
        for account in self.account_list:
            self.fields[self.variant_name(account)] = forms.CharField(
                required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
                label=f"Text for {account.get_platform_display()} @{account.platform_username}",
                help_text="Leave empty to use the main text.",
            )
            for setting in self.settings_of(account):  # checked when scheduled: a draft may lack them
                self.fields[self.setting_name(account.pk, setting.key)] = forms.CharField(
                    required=False, max_length=setting.max_length, label=setting.label,
                    help_text=f"{setting.help_text}{' Needed to schedule.' if setting.required else ''}",
                )

    @staticmethod
    def variant_name(account):
        return f"variant_{account.pk}"

    @staticmethod
    def setting_name(account_id, key):
        return f"setting_{account_id}_{key}"

    @staticmethod
    def settings_of(account):
        """The settings a target on the account's network takes besides its text (Reddit: subreddit, title)."""
        return PlatformFactory.adapter_class(account.platform).target_setting_fields

    def variant_fields(self):
        return [(account, self[self.variant_name(account)]) for account in self.account_list]

    def account_panels(self):
        """(account, its text field, its setting fields) for each account's tab."""
        return [
            (account, self[self.variant_name(account)], [self[self.setting_name(account.pk, s.key)] for s in self.settings_of(account)])
            for account in self.account_list
        ]

    def target_settings(self):
        """{"<account id>": {key: value}} of the selected accounts whose network takes settings."""
        chosen = {a.pk for a in self.cleaned_data.get("accounts") or ()}
        settings = {}
        for account in self.account_list:
            fields = self.settings_of(account)
            if account.pk in chosen and fields:
                values = {s.key: (self.cleaned_data.get(self.setting_name(account.pk, s.key)) or "").strip() for s in fields}
                settings[str(account.pk)] = {key: value for key, value in values.items() if value}
        return settings

    def clean(self):
        data = super().clean()
        action = data.get("action") or "draft"
        data["action"] = action
        if action == "schedule" and not data.get("scheduled_time") and "scheduled_time" not in self.errors:
            self.add_error("scheduled_time", "Pick the date and time to publish at.")
        if action == "queue" and not data.get("queue") and "queue" not in self.errors:
            self.add_error("queue", "Pick the queue to add the post to.")
        if data.get("upload_alt") and not data.get("upload"):
            self.add_error("upload", "Choose the file this alt text describes.")
        return data

    def thread_value(self):
        """The services' `thread`: the parts after the first, in order (an empty textarea is dropped)."""
        return [{"content": text} for text in self.thread_texts if text.strip()]

    def thread_rows(self):
        """(index, text, errors) of each part for the template."""
        return [(index, text, self.thread_errors.get(index, [])) for index, text in enumerate(self.thread_texts)]

    def first_comment_value(self):
        """The services' first_comment: {content, delay_seconds}, or None (no first comment)."""
        text = self.cleaned_data.get("first_comment") or ""
        if not text.strip():
            return None
        return {"content": text, "delay_seconds": self.cleaned_data.get("first_comment_delay") or 0}

    def custom_content(self):
        """{"<account id>": text} of the selected accounts that have their own text."""
        chosen = {a.pk for a in self.cleaned_data.get("accounts") or ()}
        return {
            str(account.pk): self.cleaned_data.get(self.variant_name(account))
            for account in self.account_list
            if account.pk in chosen and self.cleaned_data.get(self.variant_name(account))
        }
