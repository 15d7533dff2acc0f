"""Search ignoring accents and case, for staff (dossiers) and the public (procedures), issue 16 point 7."""

import sqlite3

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers.demo.seed import demo_catalogue_seed, demo_units_seed
from dossiers.models import Dossier, Procedure
from dossiers.services.applicants import applicant_clean
from dossiers.textsearch import FOLD_FUNCTION, fold, fold_or_none, phrases

VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
LINH = {"name": "Trần Thị Mỹ Linh", "id_number": "079190001234", "phone": "0905123456"}


def test_does_fold_every_vietnamese_letter_to_ascii_when_text_is_folded():
    folded = fold(VIETNAMESE + VIETNAMESE.upper())
    assert folded.isascii() and folded == folded.lower()
    assert fold("  TRẦN  Thị Mỹ LINH ") == "tran thi my linh" and fold("Đặng Đức") == "dang duc"
    assert fold("") == "" and fold(None) == "" and fold_or_none(None) is None


def test_does_use_the_common_wording_when_a_citizen_types_a_synonym():
    assert phrases("Sổ đỏ") == ["so do", "quyen su dung dat"]
    assert phrases("cấp giấy khai sinh cho con") == ["cap giay khai sinh cho con", "cap khai sinh cho con"]
    assert phrases("ly lich tu phap") == ["ly lich tu phap"]


@pytest.mark.django_db
@pytest.mark.postgres
def test_does_fold_in_sql_exactly_as_in_python_when_the_database_is_postgresql():
    letters = VIETNAMESE + VIETNAMESE.upper()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {FOLD_FUNCTION}(%s)", [letters])
        assert cursor.fetchone()[0] == fold(letters)


def test_does_fold_in_sql_on_sqlite_when_the_function_is_registered():
    from dossiers.textsearch import _register_sqlite

    db = sqlite3.connect(":memory:")

    class Wrapper:
        vendor, connection = "sqlite", db

    _register_sqlite(None, Wrapper())
    db.execute("CREATE TABLE d (name text)")
    db.executemany("INSERT INTO d VALUES (?)", [("TRẦN THỊ MỸ LINH",), ("Đặng Văn Nam",), (None,)])
    found = db.execute(f"SELECT name FROM d WHERE {FOLD_FUNCTION}(name) LIKE '%tran thi my%'").fetchall()
    assert found == [("TRẦN THỊ MỸ LINH",)]
    assert db.execute(f"SELECT {FOLD_FUNCTION}(name) FROM d WHERE name LIKE 'Đ%'").fetchall() == [("dang van nam",)]


@pytest.fixture
def linh(receive):
    return receive(applicant=applicant_clean(**LINH))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "both"),
    [
        ("tran thi my linh", False),
        ("TRẦN THỊ MỸ LINH", False),
        ("Trần thị mỹ linh", False),
        ("my linh", False),
        ("TRAN THI", True),
    ],
)
def test_does_find_the_dossier_when_the_name_is_typed_with_or_without_accents_in_any_case(linh, receive, typed, both):
    binh = receive()  # Trần Thị Bình
    assert set(Dossier.objects.search(typed)) == ({linh, binh} if both else {linh})


@pytest.mark.django_db
def test_does_find_the_dossier_by_passport_or_spaced_cccd_when_staff_search(linh, receive):
    foreigner = receive(applicant=applicant_clean(**LINH | {"id_type": "passport", "id_number": "N0123456"}))
    assert list(Dossier.objects.search("n0123456")) == [foreigner]
    assert list(Dossier.objects.search("079 190 001 234")) == [linh]


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "statements"), [("tran thi my linh", 2), ("my linh", 2), ("079190001234", 1)])
def test_does_search_in_two_statements_at_most_when_the_name_is_typed(
    linh, django_assert_num_queries, typed, statements
):
    # A whole name: does anyone have it exactly? then the rows. A number: the rows at once.
    with django_assert_num_queries(statements):
        assert [d.code for d in Dossier.objects.search(typed).for_list()[:50]] == [linh.code]


@pytest.mark.django_db
def test_does_find_only_that_person_when_a_whole_name_someone_has_is_typed(linh, receive):
    longer = receive(applicant=applicant_clean(**LINH | {"name": "Trần Thị Mỹ Linh Anh", "id_number": "079190001235"}))
    assert list(Dossier.objects.search("TRAN THI MY LINH")) == [linh]
    assert list(Dossier.objects.search("tran thi my linh anh")) == [longer]
    assert set(Dossier.objects.search("thi my linh")) == {linh, longer}  # a part of a name: every name containing it


@pytest.mark.django_db
def test_does_find_a_dossier_by_its_whole_code_or_a_part_of_it(linh, receive):
    other = receive()
    assert list(Dossier.objects.search(linh.code.lower())) == [linh]
    assert set(Dossier.objects.search(linh.code.rsplit("-", 1)[0])) == {linh, other}  # the same centre and day


@pytest.mark.django_db
def test_does_find_nothing_and_search_no_parts_when_the_whole_code_is_another_units(linh, receive, world):
    elsewhere = receive(receiving_unit=world["other_centre"], actor=world["other_clerk"])
    visible = Dossier.objects.visible_to(world["clerk"])
    with CaptureQueriesContext(connection) as captured:
        found = list(visible.search(elsewhere.code))
    assert found == [] and list(Dossier.objects.search(elsewhere.code)) == [elsewhere]
    assert len(captured) == 2 and not any("LIKE" in q["sql"].upper() for q in captured), captured.captured_queries


@pytest.fixture
def catalogue(db):
    demo_units_seed()
    demo_catalogue_seed()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ket hon", "Đăng ký kết hôn"),
        ("dang ky khai sinh", "Đăng ký khai sinh"),
        ("KHAI SINH dang ky", "Đăng ký khai sinh"),
        ("giấy khai sinh", "Đăng ký khai sinh"),
        (
            "ly lich tu phap",
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
        ),
        ("sổ đỏ", "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu"),
        ("xac nhan doc than", "Cấp Giấy xác nhận tình trạng hôn nhân"),
    ],
)
def test_does_find_the_procedure_when_a_citizen_types_plain_words(catalogue, typed, expected):
    assert expected in list(Procedure.objects.active().search(typed).values_list("name", flat=True))


@pytest.mark.django_db
def test_cannot_find_a_procedure_when_a_word_is_in_none_of_its_names(catalogue):
    assert not Procedure.objects.search("ket hon xyzzy").exists()


@pytest.mark.django_db
def test_does_list_the_procedure_on_the_public_page_when_searched_without_accents(client, catalogue):
    html = client.get("/thu-tuc/", {"q": "dang ky ket hon"}).content.decode()
    assert '<a href="/thu-tuc/1.000894/">Đăng ký kết hôn</a>' in html


@pytest.mark.django_db
def test_does_keep_the_staff_search_page_to_a_fixed_number_of_queries_when_more_dossiers_match(
    client, world, receive, django_assert_max_num_queries
):
    client.force_login(world["clerk"])
    receive(applicant=applicant_clean(**LINH))
    with CaptureQueriesContext(connection) as few:
        assert client.get("/can-bo/", {"q": "tran thi my linh"}).status_code == 200
    for n in range(12):
        receive(applicant=applicant_clean(**LINH | {"phone": f"09051234{n:02d}"}))
    with django_assert_max_num_queries(len(few)):
        response = client.get("/can-bo/", {"q": "TRẦN THỊ MỸ LINH"})
    assert response.context["page"].paginator.count == 13
