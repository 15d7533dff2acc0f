from django import template

from ..people import person_name

register = template.Library()


@register.filter(name="person")
def person(user) -> str:
    """`{{ user|person }}`: the name in Vietnamese order, or the username."""
    return person_name(user)
