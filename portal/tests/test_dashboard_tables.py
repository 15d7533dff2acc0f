"""The dashboard's one-pass table cells render exactly as the per-cell template loop did."""

from django.template import engines
from django.utils import translation

from portal.templatetags.dashboard_tables import table_rows, unit_options

LOOP = (
    "{% for row in rows %}<tr>{% for cell in row %}<td>{% if cell is None %}—{% else %}{{ cell }}{% endif %}"
    "</td>{% endfor %}</tr>{% endfor %}"
)
OPTIONS = (
    '{% for pk, code, label in units %}<option value="{{ code }}"{% if pk == selected %} selected{% endif %}>'
    "{{ label }}</option>{% endfor %}"
)
ROWS = [
    ["HN.01", 'Phòng <Tư pháp> & "Hộ tịch"', 12, 0, None, 93.75, 0.5, -1, -0.25, 1e-07, 12345678.5],
    ["X'Y", "", 1234567, 2.0, None, None, 100.0, 7, True, False, 0, -1234567],
    [],  # a row without cells
    [5],
]


def test_does_render_table_rows_exactly_as_the_template_loop():
    with translation.override("vi"):
        expected = engines["django"].from_string(LOOP).render({"rows": ROWS})
        assert str(table_rows(ROWS)) == expected
        assert "93,75" in expected  # localized, so the comparison means something


def test_does_render_table_rows_exactly_as_the_template_loop_with_thousand_separators(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override("en"):  # Vietnamese formats do not group digits
        expected = engines["django"].from_string(LOOP).render({"rows": ROWS})
        assert str(table_rows(ROWS)) == expected
        assert "1,234,567" in expected


def test_does_render_unit_options_exactly_as_the_template_loop():
    units = [(1, "HN<1>", 'Sở "Tư pháp"'), (2, "HN.2", "UBND & xã")]
    for selected in (None, 2):
        expected = engines["django"].from_string(OPTIONS).render({"units": units, "selected": selected})
        assert str(unit_options(units, selected)) == expected
