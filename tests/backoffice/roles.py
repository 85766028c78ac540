"""Staff users in the roles the migration creates, logged in (helpers, not fixtures, so that
any test module can build the fixtures it needs)."""

from django.contrib.auth.models import Group, User
from django.test import Client

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
MANAGER, SUPPORT = "Shop manager", "Support"


def staff(username: str, group: str | None = None) -> User:
    user = User.objects.create_user(username, password="unused-password", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))  # the group the roles migration made
    return user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client
