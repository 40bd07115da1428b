from django.db import connection


def test_it_runs_on_postgresql_when_the_suite_starts_services(db):
    import os

    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor == "sqlite"
