"""The coordinators' daily digest as a message (the reminder kind "digest"): what waits in
/pending, the unanswered questions and the stalled candidates of the recipient's scope. None
when nothing waits (no news is not worth a push) or the recipient is no longer staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.db.uow import UnitOfWork
from bot.i18n import Markup, Translator
from bot.services import digest, pending
from bot.services.crypto import FieldCipher
from bot.services.pending import PendingContext

WAITING_CAP = 1000


def render(t: Translator, report: digest.Digest) -> str:
    lines = [t("digest-head"), t("digest-waiting", count=report.waiting)]
    lines.append("")
    if report.questions_total:
        lines.append(t("digest-questions-head", count=report.questions_total))
        lines += [
            t("digest-question", id=q.id, name=q.name, days=q.days) for q in report.questions
        ]
        if report.questions_total > len(report.questions):
            lines.append(t("stats-more", count=report.questions_total - len(report.questions)))
    else:
        lines.append(t("digest-no-questions"))
    lines.append("")
    if report.stalled_total:
        lines.append(
            t("digest-stalled-head", count=report.stalled_total, days=digest.STALLED_DAYS)
        )
        lines += [t("digest-stalled", name=s.name, days=s.days) for s in report.stalled]
        if report.stalled_total > len(report.stalled):
            lines.append(t("stats-more", count=report.stalled_total - len(report.stalled)))
    else:
        lines.append(t("digest-no-stalled", days=digest.STALLED_DAYS))
    return Markup("\n".join(lines))


async def digest_text(
    uow: UnitOfWork,
    cipher: FieldCipher,
    settings: Settings,
    quest_holder: Any,
    t: Translator,
    user_id: int,
    now: datetime,
) -> str | None:
    scope = await digest.staff_scope(uow, user_id, settings.admin_ids)
    if scope is None:
        return None
    ctx = PendingContext(uow, cipher, settings, t, user_id, quest_holder)
    waiting = len(await pending.waiting(ctx, scope, WAITING_CAP))
    report = await digest.collect(uow, cipher, scope, now, waiting)
    if report.empty:
        return None
    await uow.audit.record(
        None,
        "digest_sent",
        "user",
        user_id,
        questions=[q.id for q in report.questions],
        candidates=[s.candidate_id for s in report.stalled],
    )
    return render(t, report)
