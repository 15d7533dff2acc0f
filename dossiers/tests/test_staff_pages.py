"""Staff pages: work queues, intake at the counter, the dossier page and its actions."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from dossiers.models import Dossier, Status
from dossiers.services.applicants import PHONE_INVALID
from dossiers.services.routing import REASON_REQUIRED, STALE, dossier_transition
from dossiers.tests.conftest import local
from dossiers.tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db
HOME = reverse("staff:home")
INTAKE = reverse("staff:intake")


def page_codes(response) -> list[str]:
    return [d.code for d in response.context["page"].object_list]


def act(dossier, action, user, **kwargs):
    return dossier_transition(dossier_id=dossier.pk, action=action, actor=user, **kwargs)


def intake_post(world, **overrides) -> dict:
    data = {
        "procedure": "1.001193",
        "name": "Trần Thị Bình",
        "id_number": "056190001234",
        "phone": "0905 123 456",
        "email": "binh@example.vn",
        "address": "12 Lê Thánh Tôn, Nha Trang",
        "channel": "counter",
        "set_count": "1",
        "receiving_unit": str(world["centre"].pk),
        "documents": [str(d.pk) for d in world["procedure"].documents.all()],
    }
    data.update(overrides)
    return data


# -- queues -----------------------------------------------------------------------------------


@pytest.fixture
def queues(world, receive):
    """One dossier per queue, seen from the centre (clerk) and the agency (specialist)."""
    quick = ProcedureFactory(
        national_code="2.000001",
        name="Thủ tục một ngày",
        lead_agency=world["agency"],
        legal_processing_time=Decimal(1),
        time_unit="working_days",
    )
    late = receive(received_at=local(2026, 1, 5, 8, 0))
    at_agency = act(receive(), "transfer", world["clerk"])
    submitted = receive(submit_only=True)
    soon = receive(procedure=quick)
    mine = receive()
    Dossier.objects.filter(pk=mine.pk).update(assignee=world["clerk"])
    signing = act(act(receive(), "transfer", world["clerk"]), "transfer", world["specialist"])
    done = act(
        act(act(receive(), "transfer", world["clerk"]), "transfer", world["specialist"]), "complete", world["leader"]
    )
    return {
        "late": late,
        "at_agency": at_agency,
        "submitted": submitted,
        "soon": soon,
        "mine": mine,
        "done": done,
        "signing": signing,
    }


@pytest.mark.parametrize(
    ("user", "tab", "expected"),
    [
        ("clerk", "mine", {"mine"}),
        ("clerk", "unit", {"late", "submitted", "soon", "mine"}),
        ("clerk", "soon", {"soon"}),
        ("clerk", "overdue", {"late"}),
        ("clerk", "pending", {"submitted"}),
        ("clerk", "done", {"done"}),
        ("specialist", "unit", {"at_agency", "signing"}),
        ("specialist", "my_step", {"at_agency"}),
        ("specialist", "pending", {"at_agency"}),  # not a specialist's tab: they land on their step
        ("leader", "to_sign", {"signing"}),
        ("leader", "", {"signing"}),  # a leader lands on what waits for their signature
        ("clerk", "", {"submitted"}),  # a clerk lands on the online submissions to receive
        ("supervisor", "", {"late"}),  # a supervisor lands on the overdue list
        ("outsider", "overdue", set()),
    ],
)
def test_does_list_the_right_dossiers_when_a_queue_tab_is_opened(client, world, queues, user, tab, expected):
    client.force_login(world[user])
    response = client.get(HOME, {"tab": tab})
    assert response.status_code == 200
    assert set(page_codes(response)) == {queues[name].code for name in expected}


def test_does_show_due_badges_and_counts_when_the_queue_has_late_and_soon_dossiers(client, world, queues):
    client.force_login(world["clerk"])
    response = client.get(HOME, {"tab": "unit"})
    badges = {d.code: d.badge and d.badge[0] for d in response.context["page"].object_list}
    assert badges[queues["late"].code] == "late" and badges[queues["soon"].code] == "soon"
    assert badges[queues["mine"].code] == "ok" and badges[queues["submitted"].code] is None
    counts = {key: count for key, _label, count in response.context["tabs"]}
    assert counts == {"mine": "1", "unit": "4", "soon": "1", "overdue": "1", "pending": "1", "done": "1"}
    assert f'href="{reverse("staff:dossier", args=[queues["late"].code])}"' in response.content.decode()


def test_does_show_the_results_to_return_as_more_than_the_cap_when_they_pile_up(
    client, world, queues, receive, monkeypatch
):
    from dossiers.models import dossier as model

    more = act(
        act(act(receive(), "transfer", world["clerk"]), "transfer", world["specialist"]),
        "complete",
        world["leader"],
    )
    client.force_login(world["clerk"])
    monkeypatch.setattr(model, "COUNT_CAP", 2)
    exact = client.get(HOME, {"tab": "done"})
    monkeypatch.setattr(model, "COUNT_CAP", 1)
    capped = client.get(HOME, {"tab": "done"})
    counts = {key: count for key, _label, count in capped.context["tabs"]}
    assert {key: count for key, _label, count in exact.context["tabs"]}["done"] == "2"
    assert set(page_codes(exact)) == {queues["done"].code, more.code}
    assert counts["done"] == "1+" and counts["unit"] == "4"  # the open tabs stay exact
    assert page_codes(capped) == [queues["done"].code]  # the first in order (finished first)


def test_does_escape_what_a_row_shows_when_a_name_holds_markup(client, world, receive):
    marked = ProcedureFactory(
        national_code="2.000002", name='<b onclick="x()">Khai sinh</b> & con', lead_agency=world["agency"]
    )
    dossier = receive(procedure=marked)
    client.force_login(world["clerk"])
    html = client.get(HOME, {"tab": "unit"}).content.decode()
    assert f'<tr data-code="{dossier.code}">' in html
    assert "&lt;b onclick=&quot;x()&quot;&gt;Khai sinh&lt;/b&gt; &amp; con" in html and "<b onclick" not in html


@pytest.mark.parametrize("query", ["H56-260", "056190001234", "0905 123 456", "+84905123456", "trần thị"])
def test_does_find_the_dossier_when_searching_by_code_id_number_phone_or_name(client, world, receive, query):
    with time_machine.travel(local(2026, 2, 6, 9, 0), tick=False):
        wanted = receive()
    receive(applicant=_other_applicant())
    client.force_login(world["clerk"])
    response = client.get(HOME, {"q": query})
    assert page_codes(response) == [wanted.code]


def _other_applicant():
    from dossiers.services.applicants import applicant_clean

    return applicant_clean(name="Lê Văn Cường", id_number="079088000111", phone="0912345678")


def test_cannot_find_dossiers_of_other_units_when_searching(client, world, receive):
    receive(receiving_unit=world["other_centre"], actor=world["other_clerk"])
    client.force_login(world["clerk"])
    assert page_codes(client.get(HOME, {"q": "056190001234"})) == []


def test_does_run_a_fixed_number_of_queries_when_the_queue_grows(client, world, receive, django_assert_max_num_queries):
    client.force_login(world["clerk"])
    for _ in range(3):
        receive()
    with django_assert_max_num_queries(20) as few:
        response = client.get(HOME, {"tab": "unit"})
    assert len(page_codes(response)) == 3
    for _ in range(27):
        receive()
    with django_assert_max_num_queries(len(few)):
        response = client.get(HOME, {"tab": "unit"})
    assert len(page_codes(response)) == 30


def test_does_redirect_to_the_login_page_when_anonymous(client):
    response = client.get(HOME)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    login = client.get(response.url)
    assert "Đăng nhập" in login.content.decode() and 'name="next"' in login.content.decode()


# -- intake -----------------------------------------------------------------------------------


def test_does_show_the_checklist_all_checked_when_a_procedure_is_picked(client, world):
    client.force_login(world["clerk"])
    response = client.get(INTAKE, {"procedure": "1.001193"})
    html = response.content.decode()
    assert response.context["procedure"] == world["procedure"]
    for doc in world["procedure"].documents.all():
        assert f'name="documents" value="{doc.pk}" checked' in html
    assert 'name="name"' in html and "autofocus" in html


def test_does_pick_the_procedure_when_its_name_is_typed(client, world):
    client.force_login(world["clerk"])
    response = client.get(INTAKE, {"procedure": "lý lịch tư pháp"})
    assert response.context["procedure"] == world["procedure"]


def test_does_receive_and_redirect_to_the_dossier_when_the_form_is_complete(client, world):
    client.force_login(world["clerk"])
    response = client.post(INTAKE, intake_post(world))
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response.url == reverse("staff:dossier", args=[dossier.code])
    assert dossier.status == Status.RECEIVED and dossier.applicant_phone == "0905123456"
    assert dossier.documents.count() == 2
    page = client.get(response.url).content.decode()
    assert f"Đã tiếp nhận hồ sơ {dossier.code}" in page
    assert reverse("staff:print-receipt", args=[dossier.code]) in page and "In giấy tiếp nhận" in page


def test_cannot_receive_and_does_offer_guidance_when_a_mandatory_document_is_unchecked(client, world):
    first, second = world["procedure"].documents.all()
    client.force_login(world["clerk"])
    response = client.post(INTAKE, intake_post(world, documents=[str(first.pk)]))
    assert response.status_code == 422 and Dossier.objects.count() == 0
    assert [d.pk for d in response.context["missing"]] == [second.pk]
    url = urlsplit(response.context["guidance_url"])
    assert url.path == reverse("staff:print-guidance")
    query = parse_qs(url.query)
    assert query["procedure"] == ["1.001193"] and query["missing"] == [str(second.pk)]
    assert set(query) == {"procedure", "missing", "phieu"}  # no personal data in the address
    assert 'id="guidance-link"' in response.content.decode()
    slip = client.get(response.context["guidance_url"]).content.decode()
    assert "Trần Thị Bình" in slip and "0905 123 456" in slip and "12 Lê Thánh Tôn, Nha Trang" in slip


def test_cannot_receive_and_does_show_the_error_when_the_phone_is_invalid(client, world):
    client.force_login(world["clerk"])
    response = client.post(INTAKE, intake_post(world, phone="12345"))
    html = response.content.decode()
    assert response.status_code == 422 and Dossier.objects.count() == 0
    assert response.context["form"].errors["phone"] == [str(PHONE_INVALID)]
    assert str(PHONE_INVALID) in html and 'value="Trần Thị Bình"' in html


def test_cannot_open_intake_when_the_user_is_not_a_counter_clerk(client, world):
    client.force_login(world["specialist"])
    response = client.get(INTAKE)
    assert response.status_code == 403
    assert client.post(INTAKE, intake_post(world)).status_code == 403 and Dossier.objects.count() == 0


# -- the dossier page -------------------------------------------------------------------------


def test_does_show_only_the_allowed_actions_when_the_dossier_page_is_opened(client, world, receive):
    dossier = receive()
    client.force_login(world["clerk"])
    response = client.get(reverse("staff:dossier", args=[dossier.code]))
    html = response.content.decode()
    assert {a["action"].name for a in response.context["actions"]} == {"transfer", "withdraw"}  # refuse: before receipt
    assert 'id="action-transfer"' in html and 'id="action-complete"' not in html
    assert f'name="version" value="{dossier.version}"' in html
    client.force_login(world["specialist"])
    response = client.get(reverse("staff:dossier", args=[dossier.code]))
    assert response.status_code == 200 and response.context["actions"] == []


def test_does_move_the_status_when_an_action_is_posted(client, world, receive):
    dossier = receive()
    client.force_login(world["clerk"])
    url = reverse("staff:act", args=[dossier.code])
    response = client.post(url, {"action": "transfer", "version": dossier.version})
    dossier.refresh_from_db()
    assert response.status_code == 302 and dossier.status == Status.PROCESSING
    assert dossier.current_unit == world["agency"]
    assert "Đã thực hiện: Chuyển xử lý." in client.get(response.url).content.decode()


def test_cannot_act_and_does_show_the_409_message_when_the_version_is_stale(client, world, receive):
    dossier = receive()
    seen = dossier.version
    act(dossier, "transfer", world["clerk"])
    dossier.refresh_from_db()
    events = dossier.events.count()
    client.force_login(world["specialist"])
    response = client.post(reverse("staff:act", args=[dossier.code]), {"action": "transfer", "version": seen})
    assert response.status_code == 409 and str(STALE) in response.content.decode()
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.version, after.status, after.current_unit_id) == (
        dossier.version,
        Status.PROCESSING,
        dossier.current_unit_id,
    )
    assert after.events.count() == events


def test_cannot_refuse_when_the_reason_is_empty(client, world, receive):
    dossier = receive(channel="online", submit_only=True)
    client.force_login(world["clerk"])
    response = client.post(reverse("staff:act", args=[dossier.code]), {"action": "refuse", "reason": " "})
    assert response.status_code == 422 and str(REASON_REQUIRED) in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED


def test_cannot_see_or_act_on_the_dossier_when_the_user_is_an_outsider(client, world, receive):
    dossier = receive()
    client.force_login(world["outsider"])
    assert client.get(reverse("staff:dossier", args=[dossier.code])).status_code == 404
    response = client.post(reverse("staff:act", args=[dossier.code]), {"action": "transfer"})
    assert response.status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED


def test_does_show_steps_timeline_and_print_links_when_the_dossier_was_processed(client, world, receive):
    dossier = receive()
    act(dossier, "transfer", world["clerk"])
    act(dossier, "request_supplement", world["specialist"], reason="Thiếu bản sao CCCD")
    client.force_login(world["specialist"])
    response = client.get(reverse("staff:dossier", args=[dossier.code]))
    html = response.content.decode()
    assert "Thiếu bản sao CCCD" in html and "Yêu cầu bổ sung hồ sơ" in html and "Thẩm định" in html
    assert reverse("staff:print-supplement", args=[dossier.code]) in html
    assert reverse("staff:print-refusal", args=[dossier.code]) not in html


def test_does_record_the_missing_documents_when_a_supplement_is_requested_from_the_page(client, world, receive):
    from dossiers.services.routing import dossier_transition

    dossier = dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])
    client.force_login(world["specialist"])
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/xu-ly/",
        {
            "action": "request_supplement",
            "reason": "Thiếu giấy tờ",
            "version": dossier.version,
            "documents": "Bản sao sổ hộ khẩu\n\nGiấy xác nhận cư trú\n",
        },
    )
    assert response.status_code == 302
    event = dossier.events.get(action="request_supplement")
    assert event.data["documents"] == ["Bản sao sổ hộ khẩu", "Giấy xác nhận cư trú"]


def test_does_keep_the_lists_other_parameters_in_the_page_links(rf):
    """templates/_pagination.html, shared by the staff queue, supervision and petition lists."""
    import re
    from html import unescape

    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    page = Paginator(range(30), 10).get_page(2)
    html = render_to_string(
        "_pagination.html", {"page": page}, request=rf.get("/", {"q": "Bình", "tab": "late", "page": 2})
    )
    links = [parse_qs(urlsplit(unescape(href)).query) for href in re.findall(r'href="([^"]*)"', html)]
    assert links == [{"q": ["Bình"], "tab": ["late"], "page": [str(n)]} for n in (1, 3)], html
    assert "Trang 2/3" in html
    assert render_to_string("_pagination.html", {"page": Paginator(range(5), 10).get_page(1)}).strip() == ""
