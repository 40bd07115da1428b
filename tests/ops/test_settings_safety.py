"""Production safety of config/settings.py, checked in child processes with production-like environments."""

import re

from tests.ops.conftest import ROOT, base_env, run_python

SETTINGS_READ = "from django.conf import settings; print(settings.{})"


def test_it_passes_djangos_security_deploy_checks_with_production_settings(production_env):
    result = run_python(["manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"], production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_passes_every_deploy_check_including_the_api_schema(production_env):
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(production_env):
    del production_env["SECRET_KEY"]

    result = run_python(["-c", "import config.settings"], production_env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is required when DEBUG is off" in result.stderr


def test_debug_is_off_unless_asked_for(production_env):
    result = run_python(["-c", SETTINGS_READ.format("DEBUG")], production_env)

    assert result.stdout.strip() == "False"


def test_it_secures_cookies_and_redirects_to_https_by_default(production_env):
    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"

    result = run_python(["-c", code], production_env)

    assert result.stdout.split() == ["True", "True", "True", "True"]


def _names_read_from_environment():
    pattern = re.compile(r"""(?:os\.environ\.get|os\.getenv|os\.environ\[|env_bool|env_int|env_list)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")
    sources = [ROOT / "config" / "settings.py", ROOT / "config" / "gunicorn.conf.py", ROOT / "config" / "health.py"]
    sources += [p for app in ("accounts", "social_media", "media", "analytics", "approvals", "first_comments", "feeds", "webhooks", "alerts", "assistant", "developer", "transfer") for p in (ROOT / app).rglob("*.py")]
    names = set()
    for path in sources:
        names |= set(pattern.findall(path.read_text()))
    return names


def _documented_names():
    lines = (ROOT / ".env.example").read_text().splitlines()
    return {m.group(1) for line in lines if (m := re.match(r"^(?:# )?([A-Z][A-Z0-9_]+)=", line))}


def test_env_example_lists_every_variable_the_code_reads():
    read = _names_read_from_environment()

    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ENCRYPTION_KEYS", "PORT"} <= read
    assert read - _documented_names() == set()


def test_env_example_lists_the_admin_variables_ensure_admin_reads():
    from accounts.management.commands.ensure_admin import ENV_NAMES

    assert set(ENV_NAMES) <= _documented_names()


def test_env_example_as_copied_gives_working_settings(tmp_path):
    active = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            active[name] = value
    active["SECRET_KEY"] = "x" * 60
    env = base_env(**active)
    env.pop("VAR_DIR", None)
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.CELERY_BROKER_URL, s.MEDIA_ROOT.is_absolute(), s.STATIC_ROOT.is_absolute(), s.ALLOWED_HOSTS)"
    )

    result = run_python(["-c", code], env)

    assert result.returncode == 0, result.stderr
    debug, broker, media_absolute, static_absolute, hosts = result.stdout.split(" ", 4)
    assert (debug, broker, media_absolute, static_absolute) == ("False", "filesystem://", "True", "True")
    assert hosts.strip() == "['scheduler.example.com']"


def test_the_configuration_doc_explains_every_variable_of_env_example():
    doc = (ROOT / "docs" / "configuration.md").read_text()

    assert {name for name in _documented_names() if f"`{name}`" not in doc} == set()


def test_it_refuses_a_sqlite_database_url_with_a_sentence_saying_why_and_what_to_do(tmp_path):
    env = base_env(DEBUG="1", VAR_DIR=tmp_path / "var", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    result = run_python(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "DATABASE_URL=sqlite://... is not PostgreSQL, and the scheduler runs on PostgreSQL only" in result.stderr
    assert "unset DATABASE_URL to use the private PostgreSQL `make run` starts under var/" in result.stderr


def test_without_database_url_it_uses_the_private_postgresql_under_var_dir(tmp_path):
    code = "from django.conf import settings as s; d = s.DATABASES['default']; print(d['ENGINE'], d['HOST'], d['NAME'])"

    result = run_python(["-c", code], base_env(DEBUG="1", VAR_DIR=tmp_path / "var"))

    assert result.stdout.split() == ["django.db.backends.postgresql", str((tmp_path / "var" / "postgres").resolve()), "scheduler"], result.stderr
