"""Forms of the shell: registration, profile (time zone), workspace switcher."""

import zoneinfo
from functools import lru_cache

from django import forms
from django.contrib.auth import password_validation

from accounts.models import User
from accounts.services import REGISTRATION_CONFLICT, registration_conflict


@lru_cache(maxsize=1)
def timezone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


class RegisterForm(forms.Form):
    username = forms.CharField(max_length=150, validators=[User.username_validator], widget=forms.TextInput(attrs={"autocomplete": "username"}))
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), help_text="At least 8 characters, not all digits.")
    timezone = forms.ChoiceField(choices=timezone_choices, initial="UTC", help_text="Every time in the app is shown and entered in this zone.")

    def clean(self):
        data = super().clean()
        # One sentence whether the username or the email is taken (accounts.services.registration_conflict).
        if data.get("username") and data.get("email") and registration_conflict(username=data["username"], email=data["email"]):
            self.add_error("username", REGISTRATION_CONFLICT)
        if data.get("password"):
            try:
                password_validation.validate_password(data["password"], User(username=data.get("username", ""), email=data.get("email", "")))
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class ProfileForm(forms.Form):
    timezone = forms.ChoiceField(choices=timezone_choices, label="Time zone", help_text="Every time in the app is shown and entered in this zone.")


class SwitchWorkspaceForm(forms.Form):
    workspace = forms.IntegerField(min_value=1)


class WorkspaceForm(forms.Form):
    """The name of a workspace a user without one creates for themselves."""

    name = forms.CharField(max_length=200, label="Workspace name", help_text="Usually your team's or brand's name; you can invite others later.")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the workspace a name.")
        return name
