"""Logins: locked after repeated wrong passwords, unlocked by an administrator, fair to both
known and unknown names, and sent somewhere real afterwards."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import User
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a long editor password"
LOGIN = reverse("admin:login")


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # The real hasher takes a large fraction of a second per login, by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(_fast_hashing):
    return User.objects.create_user("editor", password=PASSWORD, is_staff=True)


def log_in(client, password, username="editor", address="192.0.2.1", **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password, **extra},
        REMOTE_ADDR=address,
    )


def fail(client, times, **kwargs):
    return [log_in(client, "wrong password", **kwargs).status_code for _ in range(times)]


def test_the_right_password_logs_in(client, editor):
    assert log_in(client, PASSWORD).status_code == 302


def test_the_lock_engages_at_the_limit_and_refuses_even_the_right_password(client, editor):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = fail(client, limit)
    assert statuses == [200] * (limit - 1) + [429]
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()


def test_the_lockout_page_says_what_happened_and_when_to_retry(client, editor):
    response = fail(client, settings.AXES_FAILURE_LIMIT) and log_in(client, PASSWORD)
    text = BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)
    assert "Login locked" in text
    assert f"After {settings.AXES_FAILURE_LIMIT} wrong passwords in a row for editor" in text
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    assert f"locked for {minutes} minutes" in text
    assert "Try again after" in text
    assert "Access attempts" in text


def test_the_lock_holds_only_for_that_name_and_address(client, editor):
    fail(client, settings.AXES_FAILURE_LIMIT)
    assert log_in(client, PASSWORD, address="198.51.100.7").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, editor):
    fail(client, settings.AXES_FAILURE_LIMIT)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )
    assert log_in(client, PASSWORD).status_code == 302


def test_an_administrator_unlocks_it_in_the_admin(client, editor):
    fail(client, settings.AXES_FAILURE_LIMIT)
    admin_user = User.objects.create_superuser("admin", password="another long password")
    staff = type(client)()
    staff.force_login(admin_user)
    changelist = reverse("admin:axes_accessattempt_changelist")
    listed = BeautifulSoup(staff.get(changelist).content, "html.parser")
    assert "editor" in listed.get_text()
    attempt = AccessAttempt.objects.get()
    response = staff.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert log_in(client, PASSWORD).status_code == 302


def test_a_refused_next_lands_on_the_admin_index(client, editor):
    response = log_in(client, PASSWORD, next="https://elsewhere.example/")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == 200


class CountingHasher(MD5PasswordHasher):
    """A fast hasher that counts how often a password is hashed."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt).replace("md5$", "counting_md5$", 1)


@pytest.mark.parametrize("username", ["editor", "nobody-by-this-name"])
def test_a_wrong_password_costs_one_hash_for_known_and_unknown_names(client, settings, username):
    settings.PASSWORD_HASHERS = ["tests.test_lockout.CountingHasher"]
    User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    CountingHasher.calls = 0
    assert log_in(client, "wrong password", username=username).status_code == 200
    assert CountingHasher.calls == 1
