"""Feedback pages: rate a finished dossier (QR, lookup, kiosk), petitions (public and staff).

Views parse, check access and call one service; wrong keys and unknown codes give the
same 404 page, as the status lookup does.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as gt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from citizens.identity import citizen_dossier, citizen_initial
from dossiers.errors import DomainError, RateLimited
from dossiers.models import Dossier, Unit
from dossiers.services.lookup import public_dossier

from .forms import KioskRatingForm, KioskStartForm, PetitionActionForm, PetitionForm, PetitionRatingForm, RatingForm
from .models import Petition, Rating
from .services.petition_opinion import petition_rate_answer
from .services.petitions import may_handle, petition_act, petition_for_citizen, petition_submit
from .services.ratings import RATABLE, rating_submit
from .throttle import petition_follow_rate, petition_rate, throttle, throttle_dossier_key
from .workflow import TO_UNIT, allowed_actions, event_label

PUBLIC_PAGE_SIZE = 20
STAFF_PAGE_SIZE = 50
KIOSK_RETURN_SECONDS = 8
# Pages whose address carries a key: not cached, not indexed, the key never sent to another site.
# `same-origin`, not `no-referrer`: these pages post forms back here (the rating, the language
# switch), and with `no-referrer` Chromium sends the POST with `Origin: null`, which Django's CSRF
# check refuses (issue 16: a phone could not rate from the lookup page).
KEY_PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin", "X-Robots-Tag": "noindex"}


def key_page(view):
    """Send KEY_PAGE_HEADERS with every answer of `view`."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        for header, value in KEY_PAGE_HEADERS.items():
            response[header] = value
        return response

    return wrapper


def not_found(request):
    return render(request, "feedback/not_found.html", status=404)


def rate_limited(request, exc: RateLimited):
    response = render(request, "feedback/rate_limited.html", status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _form_errors(form, exc: DomainError) -> None:
    """Put a service's field messages on the form's fields (others on the form)."""
    fields = {k: v for k, v in exc.fields.items() if k in form.fields}
    for name, message in fields.items():
        form.add_error(name, str(message))
    if not fields:
        form.add_error(None, str(exc.message))


# -- ratings ---------------------------------------------------------------------------------


def _rating_state(dossier: Dossier) -> str:
    if Rating.objects.filter(dossier=dossier).exists():
        return "rated"
    return "open" if dossier.status in RATABLE else "not_finished"


@key_page
@require_http_methods(["GET", "POST"])
def rate(request, code: str):
    """The applicant's rating page, reached from the receipt's QR code or the lookup page."""
    try:
        throttle_dossier_key(request, code=code)
    except RateLimited as exc:
        return rate_limited(request, exc)
    data = request.POST if request.method == "POST" else request.GET
    key, source = data.get("key", ""), "qr" if data.get("src") == "qr" else "lookup"
    # A citizen logged in with the electronic identity rates their own dossier without the key.
    dossier = citizen_dossier(request, code=code) or public_dossier(code=code, key=key)
    if dossier is None:
        return not_found(request)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rating_submit(dossier=dossier, source=source, **form.rating_kwargs())
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            return redirect("feedback:rate-done")
    context = {"dossier": dossier, "key": key, "src": source, "form": form, "state": _rating_state(dossier)}
    return render(request, "feedback/rate.html", context, status=400 if form.errors else 200)


def rate_done(request):
    return render(request, "feedback/rate_done.html")


@login_required
def kiosk_start(request):
    """The counter tablet's idle screen: the clerk enters (or scans) the dossier code."""
    form = KioskStartForm(request.GET or None)
    if form.is_valid():
        code = form.cleaned_data["code"].strip()
        if Dossier.objects.at_counter_of(request.user).filter(code=code).exists():
            return redirect("feedback:kiosk", code=code)
        form.add_error("code", gt("Không tìm thấy hồ sơ này ở đơn vị của bạn."))
    return render(request, "feedback/kiosk_start.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def kiosk(request, code: str):
    """The rating kiosk at the counter (a tablet logged in as the counter's clerk)."""
    dossier = Dossier.objects.at_counter_of(request.user).select_related("procedure").filter(code=code).first()
    if dossier is None:
        raise Http404
    form = KioskRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rating_submit(
                dossier=dossier, satisfied=form.cleaned_data["satisfied"] == "yes", source="kiosk", actor=request.user
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("feedback:kiosk-done")
    context = {"dossier": dossier, "state": _rating_state(dossier), "idle_seconds": 120}
    return render(request, "feedback/kiosk_rate.html", context)


@login_required
def kiosk_done(request):
    return render(request, "feedback/kiosk_done.html", {"return_seconds": KIOSK_RETURN_SECONDS})


# -- petitions (public) ----------------------------------------------------------------------


def _petition_throttle(request) -> None:
    throttle(request, scope="petition", rate=petition_rate())
    if request.POST.get("dossier_key") and request.POST.get("dossier_code"):
        throttle_dossier_key(request, code=request.POST["dossier_code"])


@key_page  # the lookup page links here with the dossier's key
@require_http_methods(["GET", "POST"])
def petition_new(request):
    initial = {
        "dossier_code": request.GET.get("dossier", "")[:48],
        "dossier_key": request.GET.get("key", "")[:32],
        "unit_code": request.GET.get("unit", "")[:32],
    }
    initial.update(citizen_initial(request))  # name, phone, email of a citizen logged in with the e-identity
    if initial["dossier_code"]:
        initial["about"] = Petition.About.DOSSIER
    form = PetitionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        try:
            _petition_throttle(request)
        except RateLimited as exc:
            return rate_limited(request, exc)
        if form.is_valid():
            try:
                petition = petition_submit(**form.cleaned_data)
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                url = reverse("feedback:petition", args=[petition.code])
                return redirect(f"{url}?{urlencode({'key': petition.key, 'moi': 1})}")
    return render(request, "feedback/petition_form.html", {"form": form}, status=400 if form.errors else 200)


@require_safe
def petition_follow(request):
    """The follow box of /phan-anh/: code and key typed in, then the petition's own page."""
    code, key = request.GET.get("code", "").strip()[:32], request.GET.get("key", "").strip()[:16]
    if not code or not key:
        return redirect("feedback:petitions")
    return redirect(f"{reverse('feedback:petition', args=[code])}?{urlencode({'key': key})}")


@key_page
def petition(request, code: str):
    """Follow one petition with its key; without a key, its published answer (or a key form)."""
    key = request.GET.get("key", "")
    if not key:
        published = Petition.objects.published().for_list().filter(code=code).first()
        template = "feedback/petition_public.html" if published else "feedback/petition_key.html"
        return render(request, template, {"petition": published, "code": code})
    try:
        throttle(request, scope="petition-follow", rate=petition_follow_rate(), code=code)
    except RateLimited as exc:
        return rate_limited(request, exc)
    found = petition_for_citizen(code=code, key=key)
    if found is None:
        return not_found(request)
    context = {"petition": found, "key": key, "events": found.events.public(), "is_new": "moi" in request.GET}
    return render(request, "feedback/petition_follow.html", context)


@key_page
@require_POST
def petition_rate_view(request, code: str):
    """The petitioner rates the answer from the follow-up page (766 §5.3), once."""
    try:
        throttle(request, scope="petition-follow", rate=petition_follow_rate(), code=code)
    except RateLimited as exc:
        return rate_limited(request, exc)
    form = PetitionRatingForm(request.POST)
    found = petition_for_citizen(code=code, key=request.POST.get("key", "")) if form.is_valid() else None
    if found is None:
        return not_found(request)
    try:
        petition_rate_answer(petition_id=found.pk, satisfied=form.cleaned_data["satisfied"] == "yes")
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, gt("Cảm ơn Ông/Bà đã đánh giá câu trả lời."))
    url = reverse("feedback:petition", args=[found.code])
    return redirect(f"{url}?{urlencode({'key': form.cleaned_data['key']})}")


def petitions(request):
    """Published answers, newest first, with search."""
    q = request.GET.get("q", "").strip()[:100]
    rows = Petition.objects.published().search(q).for_list().order_by("-published_at", "-id")
    page = Paginator(rows, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/petitions.html", {"page": page, "q": q})


# -- petitions (staff) -----------------------------------------------------------------------


def _staff_rows(request):
    rows = Petition.objects.visible_to(request.user).search(request.GET.get("q", "")).for_list()
    status = request.GET.get("status", "")
    if status in Petition.Status.values:
        rows = rows.filter(status=status)
    if request.GET.get("overdue") == "1":
        rows = rows.overdue()
    return rows.order_by("answer_by", "id") if status in ("", "received", "info_requested") else rows


@login_required
def staff_petitions(request):
    now = timezone.now()
    page = Paginator(_staff_rows(request), STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    for p in page.object_list:
        p.overdue_now = p.is_overdue(now)
    filters = {k: request.GET.get(k, "") for k in ("q", "status", "overdue")}
    context = {"page": page, "filters": filters, "statuses": Petition.Status.choices}
    return render(request, "feedback/staff_petitions.html", context)


def _visible(request, code: str) -> Petition:
    found = Petition.objects.visible_to(request.user).select_related("unit", "procedure", "dossier", "answered_by")
    petition = found.filter(code=code).first()
    if petition is None:
        raise Http404
    return petition


@login_required
def staff_petition(request, code: str):
    petition = _visible(request, code)
    actions = allowed_actions(petition) if may_handle(request.user, petition) else []
    events = list(petition.events.select_related("actor"))
    for e in events:
        e.label = event_label(e.action)
    context = {
        "petition": petition,
        "events": events,
        "actions": actions,
        "form": PetitionActionForm(initial={"publish": True}),
        "overdue": petition.is_overdue(),
        "units": transfer_units(petition) if any(TO_UNIT in a.asks for a in actions) else [],
    }
    return render(request, "feedback/staff_petition.html", context)


def transfer_units(petition: Petition):
    return Unit.objects.filter(is_active=True).exclude(pk=petition.unit_id).order_by("kind", "name")


@login_required
@require_POST
def staff_petition_act(request, code: str):
    petition = _visible(request, code)
    form = PetitionActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gt("Dữ liệu không hợp lệ."))
        return redirect("feedback:staff-petition", code=code)
    try:
        petition_act(petition_id=petition.pk, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, gt("Đã cập nhật phản ánh %(code)s.") % {"code": code})
    return redirect("feedback:staff-petition", code=code)
