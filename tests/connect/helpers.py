"""Helpers of the connect tests: the user's browser at the network, raw column values."""

from urllib.parse import parse_qs, urlsplit

import requests
from django.db import connection


def follow_authorization(url):
    """Be the user's browser at the network: approve, and return the callback query it redirects to."""
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text[:300]
    location = answer.headers["Location"]
    return urlsplit(location).path, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def raw_column(table, column, row_id):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [row_id])
        return cursor.fetchone()[0]
