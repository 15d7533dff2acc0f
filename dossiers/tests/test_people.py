"""One name formatter for staff: family name first, as Vietnamese names are written."""

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template

from dossiers.people import person_name


@pytest.mark.parametrize(
    ("first", "last", "username", "shown"),
    [
        ("Thị Mỹ Linh", "Đặng", "linh", "Đặng Thị Mỹ Linh"),
        ("", "", "motcua.quantri", "motcua.quantri"),
        ("Linh", "", "linh", "Linh"),
    ],
)
def test_does_put_the_family_name_first_when_a_user_is_named(first, last, username, shown):
    user = get_user_model()(username=username, first_name=first, last_name=last)
    assert person_name(user) == shown
    assert Template("{% load people %}{{ user|person }}").render(Context({"user": user})) == shown


def test_does_name_nobody_when_there_is_no_user():
    assert person_name(None) == ""


def test_does_greet_the_recipient_family_name_first_when_the_digest_is_written():
    from django.template.loader import render_to_string

    user = get_user_model()(username="linh", first_name="Thị Mỹ Linh", last_name="Đặng")
    empty = {"count": 0, "items": [], "more": 0}
    text = render_to_string(
        "email/digest.txt",
        {"user": user, "overdue": empty, "due_today": empty, "apologies": empty, "day": None},
    )
    assert "Kính gửi Đặng Thị Mỹ Linh," in text
