"""Password rules beyond Django's own validators (configured in settings.AUTH_PASSWORD_VALIDATORS)."""

from django.core.exceptions import ValidationError


class NotOnlyWhitespaceValidator:
    """Refuse a password made only of spaces, tabs or newlines (Django's validators accept 8 spaces:
    the common-password list is compared after stripping, and length counts the spaces)."""

    def validate(self, password, user=None):
        if not password.strip():
            raise ValidationError("The password cannot consist only of spaces.", code="password_only_whitespace")

    def get_help_text(self):
        return "Your password cannot consist only of spaces."
