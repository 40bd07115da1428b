"""The invitation page's form for an invitee without an account (accounts/api/invitation_views.py)."""

from django import forms


class InvitationSignupForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(max_length=128, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="At least 10 characters, not all digits.")
