"""Logging filter that keeps bearer tokens, passwords and secrets out of every log line."""

import logging
import re

_PATTERNS = [
    # OAuth callbacks carry the authorization code (and state) in the query string.
    (re.compile(r"(?i)([?&](?:code|state|oauth_verifier|token)=)[^&\s\"']+"), r"\1[redacted]"),
    # A pending connection's one-time completion token (social_media/services/pending.py).
    (re.compile(r"(/accounts/connect/pending/)[^/\s?\"']+"), r"\1[redacted]"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*"), r"\1[redacted]"),
    (re.compile(r"(?i)((?:access|refresh)_?token|fb_exchange_token|app_password|password|client_secret|code_verifier)(['\"]?\s*[:=]\s*['\"]?)[^'\"&\s,}]+"), r"\1\2[redacted]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
