"""What every Datalabs spawner shares: the catalogue, the launch form, option checks and progress."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any, AsyncIterator

from jupyterhub.utils import url_path_join
from tornado import web
from tornado.httpclient import AsyncHTTPClient
from traitlets import Integer, List, Unicode, default
from traitlets.config import Configurable

from ..catalog import Catalog, CatalogStore, shared_store
from .options import LaunchOptions, OptionsError, options_from_form, parse_options
from .pages import group_names, spawn_form_html
from .plan import LaunchPlan, build_launch_plan

DEFAULT_CATALOG = Path(__file__).resolve().parents[2] / "spawner_profiles"


class DatalabsSpawner(Configurable):
    """Shared base of the Datalabs spawners (a mixin): catalogue, launch form, option checks, progress.

    Configure it as ``c.DatalabsSpawner.<option>``; the back end (local or Kubernetes) starts the plan.
    """

    catalog_path = Unicode(
        str(DEFAULT_CATALOG),
        help="""Folder of the datalab catalogue (``*.yaml`` files with ``datalabs:`` and ``volumes:``).

        Edits take effect on the next page load; an invalid edit is logged and the last valid
        catalogue stays in use.
        """,
    ).tag(config=True)

    allowed_volume_roots = List(
        Unicode(),
        ["/srv/datalabs/volumes"],
        help="""Host folders that local archive-volume sources must lie below.

        A catalogue entry whose ``source.local`` is elsewhere is refused, so a catalogue edit
        cannot expose arbitrary host paths to users.
        """,
    ).tag(config=True)

    max_running_datalabs = Integer(
        3,
        help="""How many datalabs one user may run at once (0: no limit).

        Starting one more is refused with a message that says which ones are running.
        """,
    ).tag(config=True)

    desktop_ready_timeout = Integer(
        60,
        help="""Seconds a desktop datalab may take to show its application's window before it is reported ready.

        A desktop datalab starts its application with the server; the spawn page says so, and the
        datalab opens once the window is on screen (so the tab shows the application at once). After
        this time it opens anyway and the application appears when it is up.
        """,
    ).tag(config=True)

    @default("apply_user_options")
    def _apply_user_options_default(self):
        """Options are checked and applied by :meth:`prepare_launch` when the back end starts."""

        def handled_in_prepare_launch(spawner, user_options):
            return None

        return handled_in_prepare_launch

    #: the plan of the current launch, set by :meth:`prepare_launch`
    plan: LaunchPlan | None = None

    @property
    def catalog_store(self) -> CatalogStore:
        return shared_store(self.catalog_path, self.allowed_volume_roots)

    @property
    def catalog(self) -> Catalog:
        return self.catalog_store.get()

    def user_groups(self) -> list[str]:
        """The JupyterHub groups of the user (they decide which datalabs and volumes they see)."""
        return group_names(self.user)

    def plan_for(self, raw: Any) -> tuple[LaunchOptions, LaunchPlan]:
        """Check raw user options against the catalogue and this user's groups (raises OptionsError)."""
        options = parse_options(raw)
        return options, build_launch_plan(self.catalog, options, self.user_groups())

    # --- the launch form -------------------------------------------------------------------

    async def get_options_form(self) -> str:
        """The catalogue as the spawn page's form (the home page shows the same catalogue)."""
        previous = self.orm_spawner.user_options if self.orm_spawner else None
        return spawn_form_html(self.catalog, self.user_groups(), previous)

    def options_from_form(self, formdata: dict[str, list[str]]) -> dict[str, Any]:
        """Form fields -> user options, checked now so the form shows what is wrong."""
        raw = options_from_form(formdata)
        try:
            self.plan_for(raw)
        except OptionsError as e:
            raise ValueError(f"Cannot launch: {e.field}: {e.message}") from None
        return raw

    # --- checks before a back end starts anything -------------------------------------------

    def _running_siblings(self) -> list[str]:
        spawners = getattr(self.user, "spawners", {}) or {}
        return sorted(name or "(default)" for name, sp in spawners.items() if sp is not self and sp.active)

    def prepare_launch(self) -> LaunchPlan:
        """Validate the user options against the catalogue and the per-user limit.

        Raises ``HTTPError(400)`` with a message naming the bad field; nothing has been started.
        """
        try:
            options, plan = self.plan_for(self.user_options or {})
        except OptionsError as e:
            self._restore_last_good_options()
            raise web.HTTPError(400, f"Invalid spawn options: {e.field}: {e.message}") from None
        running = self._running_siblings()
        if self.max_running_datalabs and len(running) >= self.max_running_datalabs:
            raise web.HTTPError(
                400,
                f"You already run {len(running)} datalabs ({', '.join(running)}), the most allowed per user"
                f" ({self.max_running_datalabs}). Stop one on the home page before starting another.",
            )
        self.plan = plan
        self.last_good_options = options.model_dump(exclude_none=True)
        self.progress_events = []
        self.report(5, f"Launching {plan.datalab.title}")
        for v in plan.volumes:
            self.report(10, f"Archive volume {v.title} -> {v.mount_path} (read-only)")
        return plan

    # --- the last options that launched, kept across stops so a bad request loses nothing ----

    #: the options of the last successful launch (JupyterHub stores the request's options before start)
    last_good_options: dict[str, Any] | None = None

    def _restore_last_good_options(self) -> None:
        previous = (self.orm_spawner.state or {}).get("datalabs_last_good_options") if self.orm_spawner else None
        if previous is not None:
            self.orm_spawner.user_options = previous
            self.user_options = previous

    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        if self.last_good_options is not None:
            state["datalabs_last_good_options"] = self.last_good_options
        return state

    def load_state(self, state: dict[str, Any]) -> None:
        super().load_state(state)
        self.last_good_options = state.get("datalabs_last_good_options", self.last_good_options)

    async def wait_for_desktop(self, server_url: str) -> None:
        """For a desktop datalab: wait until its application's window is on screen (or the timeout).

        Asks the datalab's own ``desktop/<id>/api/session`` with the server's token.
        """
        plan = self.plan
        if plan is None or plan.datalab.kind != "desktop":
            return
        self.report(60, f"{plan.datalab.title} is starting")
        url = url_path_join(server_url, self.server.base_url, "desktop", plan.datalab.id, "api", "session")
        client = AsyncHTTPClient()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.desktop_ready_timeout
        while loop.time() < deadline:
            try:
                response = await client.fetch(url, headers={"Authorization": f"token {self.api_token}"},
                                              request_timeout=5, raise_error=False)
                if response.code == 200 and json.loads(response.body).get("on_screen"):
                    self.report(90, f"{plan.datalab.title} is on screen")
                    return
            except (OSError, ValueError):
                pass
            await asyncio.sleep(0.1)
        self.report(90, f"{plan.datalab.title} is taking long to start; opening it anyway")

    # --- progress events shown on the spawn page -------------------------------------------

    progress_events: list[dict[str, Any]] = []

    def report(self, progress: int, message: str) -> None:
        """Add a progress event for the spawn page."""
        self.progress_events = [*self.progress_events, {"progress": progress, "message": message}]
        self.log.info("%s: %s", self._log_name, message)

    async def progress(self) -> AsyncIterator[dict[str, Any]]:
        """Yield progress events as the back end reports them, until the hub stops listening."""
        sent = 0
        while True:
            events = self.progress_events
            while sent < len(events):
                yield events[sent]
                sent += 1
            await asyncio.sleep(0.2)


def hub_state_dir() -> str:
    """Where the hub keeps its own files (database, cookie secret); hidden from datalabs."""
    return os.environ.get("DATALABS_STATE_DIR", "/var/lib/datalabs")
