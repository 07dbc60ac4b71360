"""All routers, in the order an update meets them: commands that work anywhere first, the
dialogs next, the catch-all last."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import (
    admin,
    broadcast,
    canvass,
    common,
    directory,
    documents,
    election_admin,
    export,
    fallback,
    fund,
    materials,
    membership,
    protection,
    quest,
    questions,
    registration,
    review,
    settings,
    start,
    stats,
    supporters,
    teams,
)
from bot.telegram.routing import GatedRoot

ROUTERS = (
    membership.router,
    start.router,
    common.router,
    protection.router,
    settings.router,
    admin.router,
    election_admin.router,
    quest.router,
    documents.router,
    fund.router,
    canvass.router,
    supporters.router,
    materials.router,
    review.router,
    stats.router,
    questions.router,
    directory.router,
    export.router,
    broadcast.router,
    teams.router,
    registration.router,
    fallback.router,
)


def build_router() -> Router:
    root = GatedRoot(name="root")
    for router in ROUTERS:
        previous = router.parent_router
        if previous is not None:
            # Routers are module-level; a process that builds a second dispatcher (the tests,
            # the benchmark) moves them to the new root instead of failing.
            previous.sub_routers.remove(router)
            router._parent_router = None
        root.include_router(router)
    return root
