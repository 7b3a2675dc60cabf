# Bearer token check in front of django-scim2's SCIMAuthCheckMiddleware (which only asks
# whether request.user is authenticated; django-scim2 leaves authentication to the project).
from django.conf import settings
from django.contrib.auth.models import AnonymousUser


class _TokenClient(AnonymousUser):
    @property
    def is_authenticated(self):
        return True

    @property
    def is_anonymous(self):
        return False


class BearerTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ok = request.headers.get("Authorization") == f"Bearer {settings.SCIM_BEARER_TOKEN}"
        request.user = _TokenClient() if ok else AnonymousUser()
        return self.get_response(request)
