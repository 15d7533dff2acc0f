"""`{% public_menu %}` and `{% staff_menu %}`: the portal's two navigations (portal.navigation)."""

from django import template

from .. import navigation

register = template.Library()


def _path(context) -> str:
    request = context.get("request")
    return request.path if request is not None else ""


@register.inclusion_tag("public/_nav.html", takes_context=True)
def public_menu(context):
    return {"links": navigation.public_menu(_path(context))}


@register.inclusion_tag("staff/_nav.html", takes_context=True)
def staff_menu(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {"links": navigation.staff_menu(user, _path(context)) if user is not None else []}
