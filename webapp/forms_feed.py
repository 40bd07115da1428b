"""Feed subscription form: the address, the accounts and queue of this workspace, drafts or queue, the
text template. The checks that matter (public address, template placeholders, the workspace of the
accounts and queue, the interval) run in feeds.services for every caller; this form only reads values."""

from django import forms
from django.db.models import Q

from feeds import template as feed_template
from feeds.models import DEFAULT_INTERVAL_MINUTES, DEFAULT_TEMPLATE, MIN_INTERVAL_MINUTES, FeedSubscription
from feeds.services import MAX_INTERVAL_MINUTES
from social_media.models import ConnectedAccount, PostQueue

from .forms_compose import AccountChoiceField, QueueChoiceField

# The service's field names, as the API spells them, and this form's.
SERVICE_FIELDS = {"account_ids": "accounts", "queue_id": "queue"}


class FeedForm(forms.Form):
    url = forms.URLField(max_length=1000, assume_scheme="https", label="Feed address", help_text="The RSS or Atom feed's URL, such as https://blog.example.com/feed.xml.")
    mode = forms.ChoiceField(choices=FeedSubscription.Mode.choices, initial=FeedSubscription.Mode.DRAFT, widget=forms.RadioSelect, label="New items become")
    accounts = AccountChoiceField(queryset=ConnectedAccount.objects.none(), widget=forms.CheckboxSelectMultiple, required=False, label="Accounts",
                                  help_text="Needed for drafts; in a queue, none chosen means the queue's accounts.")
    queue = QueueChoiceField(queryset=PostQueue.objects.none(), required=False, label="Queue", empty_label="Choose a queue",
                             help_text="Where its posts take the next free time (queue mode only).")
    template = forms.CharField(max_length=1000, initial=DEFAULT_TEMPLATE, widget=forms.Textarea(attrs={"rows": 2}), label="Post text",
                               help_text=f"{feed_template.HELP} Write {{{{ or }}}} for a literal brace.")
    poll_interval_minutes = forms.IntegerField(min_value=MIN_INTERVAL_MINUTES, max_value=MAX_INTERVAL_MINUTES, initial=DEFAULT_INTERVAL_MINUTES,
                                               label="Check every (minutes)")
    post_existing = forms.BooleanField(required=False, label="Also post the items already in the feed (up to 50 a check)")

    def __init__(self, *args, workspace, subscription=None, **kwargs):
        chosen = []
        if subscription is not None:
            chosen = [a.pk for a in subscription.accounts.all()]
            kwargs.setdefault("initial", {
                "url": subscription.url, "mode": subscription.mode, "accounts": chosen, "queue": subscription.queue_id,
                "template": subscription.template, "poll_interval_minutes": subscription.poll_interval_minutes,
            })
        super().__init__(*args, **kwargs)
        # Only this workspace's: an id of another workspace is "not one of the available choices". A
        # disconnected account the feed already uses stays listed, so saving does not drop it unseen.
        self.fields["accounts"].queryset = (
            ConnectedAccount.objects.filter(Q(is_active=True) | Q(pk__in=chosen), workspace=workspace)
            .defer("access_token", "refresh_token").order_by("platform", "platform_username")
        )
        self.fields["queue"].queryset = PostQueue.objects.filter(workspace=workspace).order_by("name", "id")
        if subscription is not None:
            del self.fields["post_existing"]  # it decides the first check only; a new address checks anew

    def service_values(self) -> dict:
        """cleaned_data as feeds.services takes it."""
        data = dict(self.cleaned_data)
        data["accounts"] = list(data["accounts"])
        return data
