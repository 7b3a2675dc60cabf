# Minimal Django project serving django-scim2 0.23.0 (PyPI) at /scim/v2/ for `scimock check`.
# Everything SCIM (views, adapters, filter->SQL, discovery documents) is django-scim2's; this
# project supplies the models its default adapters expect, a bearer-token check and SQLite.
import os

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "interop-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django_scim",
    "peerapp",
]
MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "peerapp.auth.BearerTokenMiddleware",
    "django_scim.middleware.SCIMAuthCheckMiddleware",
]
ROOT_URLCONF = "urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("PEER_DB", os.path.join(BASE_DIR, "db.sqlite3")),
    }
}
AUTH_USER_MODEL = "peerapp.User"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
APPEND_SLASH = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SCIM_BEARER_TOKEN = os.environ.get("SCIM_BEARER_TOKEN", "scimock-token")
SCIM_SERVICE_PROVIDER = {
    "NETLOC": os.environ.get("SCIM_NETLOC", "127.0.0.1"),
    "SCHEME": "http",
    "GROUP_MODEL": "peerapp.models.Group",
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication scheme using the OAuth Bearer Token Standard",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
        },
    ],
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="django-scim2"',
}
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}}}
