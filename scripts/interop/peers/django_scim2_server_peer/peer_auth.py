# SCIM2_SERVER_AUTH_CHECK: a (HttpRequest) -> bool callable, django-scim2-server's hook.
import hmac

from django.conf import settings


def bearer_token(request) -> bool:
    got = request.headers.get("Authorization", "")
    return hmac.compare_digest(got, f"Bearer {settings.SCIM_BEARER_TOKEN}")
