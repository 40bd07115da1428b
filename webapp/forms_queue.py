"""Queue form: name, accounts, the time zone and one line of HH:MM times per weekday."""

from django import forms

from accounts.context import parse_id
from social_media.models import ConnectedAccount, Post, Status
from social_media.services.queues import DAYS

from .forms_account import timezone_choices
from .forms_compose import AccountChoiceField


class QueueForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    accounts = AccountChoiceField(queryset=ConnectedAccount.objects.none(), widget=forms.CheckboxSelectMultiple, required=False, label="Accounts", help_text="Posts added without accounts go to these.")
    timezone = forms.ChoiceField(choices=timezone_choices, label="Time zone of the posting times")
    is_active = forms.BooleanField(required=False, initial=True, label="Active (posts can be added)")

    def __init__(self, *args, workspace, queue=None, **kwargs):
        if queue is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": queue.name, "description": queue.description, "timezone": queue.timezone, "is_active": queue.is_active,
                "accounts": list(queue.target_accounts.values_list("pk", flat=True)),
                **{f"day_{day}": ", ".join(queue.posting_schedule.get(day, [])) for day in DAYS},
            }
        super().__init__(*args, **kwargs)
        self.fields["accounts"].queryset = ConnectedAccount.objects.filter(workspace=workspace, is_active=True).order_by("platform", "platform_username")
        for day in DAYS:
            self.fields[f"day_{day}"] = forms.CharField(
                required=False, label=day.title(), max_length=500,
                widget=forms.TextInput(attrs={"placeholder": "09:00, 15:30", "inputmode": "numeric"}),
            )

    def day_fields(self):
        return [self[f"day_{day}"] for day in DAYS]

    def posting_schedule(self):
        return {day: [t.strip() for t in self.cleaned_data.get(f"day_{day}", "").replace(";", ",").split(",") if t.strip()] for day in DAYS}


class AddToQueueForm(forms.Form):
    post = forms.ModelChoiceField(queryset=Post.objects.none(), label="Draft post", empty_label="Choose a draft")

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = Post.objects.filter(workspace=workspace, status=Status.DRAFT).order_by("-created_at", "-id")
        self.fields["post"].label_from_instance = lambda p: f"#{p.pk}: {(p.content or '(no text)')[:60]}"


class ReorderForm(forms.Form):
    post_ids = forms.CharField(max_length=20000)

    def clean_post_ids(self):
        raw = [part.strip() for part in self.cleaned_data["post_ids"].split(",") if part.strip()]
        ids = [parse_id(part) for part in raw]
        if None in ids:
            raise forms.ValidationError("Give post ids separated by commas.")
        return ids
