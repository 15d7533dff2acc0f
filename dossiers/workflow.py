"""The dossier state machine as data (shared/docs/domain.md, "Dossier statuses").

Each action moves a dossier from one of its source statuses to its target, may be
taken only by the listed roles, and only in the unit named by `where`:
"receiving" (the one-stop counter that received it), "current" (the unit holding
it) or "either". Reception itself (→ 2) is `services.intake.dossier_receive`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Status
from .roles import COUNTER_CLERK, SPECIALIST, UNIT_LEADER

S = Status
CLERK, SPEC, LEAD = COUNTER_CLERK, SPECIALIST, UNIT_LEADER


@dataclass(frozen=True)
class Rule:
    action: str
    sources: frozenset[int]
    target: Status
    roles: frozenset[str]
    where: str
    needs_reason: bool
    label: str


def _rule(action, sources, target, roles, where, needs_reason, label) -> Rule:
    return Rule(action, frozenset(sources), target, frozenset(roles), where, needs_reason, label)


# fmt: off
RULES: dict[str, Rule] = {r.action: r for r in (
    #     action                 from                          to            who            where   reason label  # noqa: E501
    _rule("accept",              {S.SUBMITTED},                        S.RECEIVED,   {CLERK},            "receiving", False, _("Tiếp nhận hồ sơ trực tuyến")),  # noqa: E501
    # Mẫu 02 for an online submission that needs completing: it stays submitted (no clock) for the citizen.
    _rule("request_completion",  {S.SUBMITTED},                        S.SUBMITTED,  {CLERK},            "receiving", True,  _("Hướng dẫn bổ sung, hoàn thiện hồ sơ")),  # noqa: E501
    # Mẫu 03 only before a receipt is issued; after it, a refusal is a reasoned result (`complete`, approved=False).
    _rule("refuse",              {S.SUBMITTED},                        S.REFUSED,    {CLERK, LEAD},      "receiving", True,  _("Từ chối tiếp nhận")),  # noqa: E501
    _rule("transfer",            {S.RECEIVED, S.PROCESSING},           S.PROCESSING, {CLERK, SPEC, LEAD}, "current",  False, _("Chuyển xử lý")),  # noqa: E501
    _rule("request_supplement",  {S.PROCESSING},                       S.SUPPLEMENT, {CLERK, SPEC, LEAD}, "current",  True,  _("Yêu cầu bổ sung hồ sơ")),  # noqa: E501
    _rule("supplement_received", {S.SUPPLEMENT},                       S.PROCESSING, {CLERK, SPEC, LEAD}, "either",   False, _("Nhận hồ sơ bổ sung")),  # noqa: E501
    _rule("request_payment",     {S.PROCESSING},                       S.PAYMENT,    {CLERK, SPEC, LEAD}, "current",  False, _("Yêu cầu thực hiện nghĩa vụ tài chính")),  # noqa: E501
    _rule("payment_received",    {S.PAYMENT},                          S.PROCESSING, {CLERK, SPEC, LEAD}, "either",   False, _("Đã thực hiện nghĩa vụ tài chính")),  # noqa: E501
    _rule("complete",            {S.PROCESSING},                       S.DONE,       {SPEC, LEAD},       "current",   False, _("Có kết quả giải quyết")),  # noqa: E501
    _rule("return_result",       {S.DONE},                             S.RETURNED,   {CLERK},            "receiving", False, _("Trả kết quả")),  # noqa: E501
    # Not once the result is ready: there is nothing left to withdraw.
    _rule("withdraw",            {S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.PAYMENT},
                                                                       S.WITHDRAWN,  {CLERK, LEAD},      "either",    True,  _("Công dân rút hồ sơ")),  # noqa: E501
    _rule("stop",                {S.PROCESSING, S.SUPPLEMENT, S.PAYMENT}, S.STOPPED, {LEAD},             "current",   True,  _("Dừng xử lý")),  # noqa: E501
)}
# fmt: on

ACTIONS = tuple(RULES)
# The clock waits while the citizen has to act (Decision 766: time waiting for the citizen is not counted).
PAUSING = {"request_supplement", "request_payment"}
RESUMING = {"supplement_received", "payment_received"}
# Staff pages ask for confirmation before these (issue 16: the result, and a payment demand to the citizen).
CONFIRMED = {"complete", "request_payment"}
# Who may take a routing step of each role: the step's own role, and a unit leader for a specialist's step.
STEP_ROLES = {SPEC: {SPEC, LEAD}, LEAD: {LEAD}, CLERK: {CLERK}}


def allowed_actions(status: int) -> list[Rule]:
    return [rule for rule in RULES.values() if status in rule.sources]
