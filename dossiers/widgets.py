"""Form widgets written in Python where Django's templates cost too much."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class PlainSelect(forms.Select):
    """A <select> whose options are written in one pass, not one template render each: the register's
    centre picker has ~700 options for a superuser, ~90 % of the page's time with the stock widget
    (issue 17). Same markup (optgroups included); options take no template of their own."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = format_html_join(
            "", "{}", ((self._group(label, options),) for label, options, _i in widget["optgroups"])
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), groups)

    @staticmethod
    def _group(label, options):
        rows = format_html_join(
            "", '<option value="{}"{}>{}</option>', ((o["value"], flatatt(o["attrs"]), o["label"]) for o in options)
        )
        return format_html('<optgroup label="{}">{}</optgroup>', label, rows) if label else rows
