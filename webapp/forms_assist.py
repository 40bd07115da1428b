"""Forms of the writing assistant's pages: the brand voice, and the composer's Assist panel."""

from django import forms

from assistant.models import BrandVoice
from media.models import MediaFile
from social_media.models import ConnectedAccount, without_secrets


class VoiceForm(forms.ModelForm):
    class Meta:
        model = BrandVoice
        fields = ["description", "audience", "tone", "avoid_words", "avoid_topics", "emoji", "hashtags", "call_to_action", "language"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "audience": forms.Textarea(attrs={"rows": 2}),
            "avoid_words": forms.Textarea(attrs={"rows": 2}),
            "avoid_topics": forms.Textarea(attrs={"rows": 2}),
        }


class AssistForm(forms.Form):
    """What the Assist panel sends: the brief, and the composer's chosen accounts and library media
    (hx-include), each checked against the request's workspace."""

    brief = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="What is the post about?")
    n = forms.TypedChoiceField(choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")], coerce=int, initial=3, label="Variants per network")
    accounts = forms.ModelMultipleChoiceField(queryset=ConnectedAccount.objects.none(), error_messages={"required": "Choose at least one account in the composer first."})
    library_media = forms.ModelMultipleChoiceField(queryset=MediaFile.objects.none(), required=False)

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].queryset = without_secrets(ConnectedAccount.objects.filter(workspace=workspace, is_active=True))
        self.fields["library_media"].queryset = MediaFile.objects.filter(workspace=workspace)


class HashtagAssistForm(forms.Form):
    content = forms.CharField(max_length=5000, error_messages={"required": "Write the main text first: the assistant works from it."})
    accounts = forms.ModelMultipleChoiceField(queryset=ConnectedAccount.objects.none(), error_messages={"required": "Choose an account in the composer first."})

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].queryset = without_secrets(ConnectedAccount.objects.filter(workspace=workspace, is_active=True))
