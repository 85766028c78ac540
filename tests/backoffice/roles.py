"""Staff users in the roles the migration creates, logged in (helpers, not fixtures, so that
any test module can build the fixtures it needs)."""

from django.contrib.auth.models import User
from django.test import Client

from ..factories import UserFactory

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
MANAGER, SUPPORT = "Shop manager", "Support"


def staff(username: str, group: str | None = None) -> User:
    return UserFactory(username=username, is_staff=True, groups=[group] if group else [])


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client
