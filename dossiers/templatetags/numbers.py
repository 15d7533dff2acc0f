"""`num`: a figure as Vietnamese writes it (1.234.567; 12,5), English with Accept-Language en."""

from django import template

from ..numbers import format_number

register = template.Library()


@register.filter
def num(value, decimals=0) -> str:
    return format_number(value, int(decimals))
