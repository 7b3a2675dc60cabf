# Minimal Django project serving browniebroke's django-scim2-server 1.1.0 (PyPI) at /scim/v2/.
# Its own models/migrations (SCIMUser/SCIMGroup beside auth.User/auth.Group) and views; this
# project supplies only a bearer-token access check (SCIM2_SERVER_AUTH_CHECK) and SQLite.
import os

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "interop-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django_scim2_server",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("PEER_DB", os.path.join(BASE_DIR, "db.sqlite3")),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
APPEND_SLASH = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SCIM_BEARER_TOKEN = os.environ.get("SCIM_BEARER_TOKEN", "scimock-token")
SCIM2_SERVER_AUTH_CHECK = "peer_auth.bearer_token"
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}}}
