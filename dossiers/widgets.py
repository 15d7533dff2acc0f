"""Form widgets written in Python where Django's templates cost too much."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


class PlainSelect(forms.Select):
    """A <select> whose options are written in one pass, not one template render each: the register's
    centre picker has ~700 options for a superuser, ~90 % of the page's time with the stock widget
    (issue 17). Same markup (optgroups included); escaped as Django escapes (`html.escape`)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = "".join(self._group(label, options) for label, options, _index in widget["optgroups"])
        return mark_safe(f'<select name="{escape(widget["name"])}"{flatatt(widget["attrs"])}>{groups}</select>')  # noqa: S308 - escaped above

    @staticmethod
    def _group(label, options) -> str:
        rows = "".join(
            f'<option value="{escape(str(o["value"]))}"{_attrs(o["attrs"])}>{escape(str(o["label"]))}</option>'
            for o in options
        )
        return f'<optgroup label="{escape(str(label))}">{rows}</optgroup>' if label else rows


def _attrs(attrs: dict) -> str:
    """An option's attributes: almost always none or `selected` (flatatt is slow for ~700 of them)."""
    if not attrs:
        return ""
    return " selected" if attrs == {"selected": True} else flatatt(attrs)
