"""What every Datalabs spawner shares: the catalogue, the launch form, option checks and progress."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterator

from jupyterhub.utils import exponential_backoff, url_path_join
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from traitlets import Integer, List, Unicode, default
from traitlets.config import Configurable

from ..catalog import VOLUME_ROOT, Catalog, CatalogStore, shared_store
from ..errors import Conflict, DatalabsError, InvalidOptions, to_http_error
from ..webapp.server_proxy import ready_path
from .options import LaunchOptions, options_from_form, parse_options
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
        [VOLUME_ROOT],
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

    @default("options_form")
    def _options_form_default(self) -> Callable[[Any], str]:
        """The catalogue as the spawn page's form (the home page shows the same catalogue)."""

        def catalog_form(spawner: DatalabsSpawner) -> str:
            previous = spawner.orm_spawner.user_options if spawner.orm_spawner else None
            return spawn_form_html(spawner.catalog, spawner.user_groups(), previous)

        return catalog_form

    @default("options_from_form")
    def _options_from_form_default(self) -> Callable[[dict[str, list[str]]], dict[str, Any]]:
        """Form fields -> user options, checked now so the form is shown again with what is wrong."""

        def catalog_choice(formdata: dict[str, list[str]]) -> dict[str, Any]:
            with self.http_errors():
                raw = options_from_form(formdata)
                self.plan_for(raw)
            return raw

        return catalog_choice

    @default("apply_user_options")
    def _apply_user_options_default(self) -> Callable[[Any, dict[str, Any]], None]:
        """Check the user options against the catalogue and the per-user limit, and plan the launch."""

        def apply_catalog_choice(spawner: DatalabsSpawner, user_options: dict[str, Any]) -> None:
            with spawner.http_errors():
                spawner.apply_launch_options(user_options)

        return apply_catalog_choice

    #: the plan of the current launch, set by :meth:`apply_launch_options`
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
        """Check raw user options against the catalogue and this user's groups (raises InvalidOptions)."""
        options = parse_options(raw)
        return options, build_launch_plan(self.catalog, options, self.user_groups())

    # --- errors: converted to HTTP here, and only here --------------------------------------

    @contextmanager
    def http_errors(self) -> Iterator[None]:
        """Turn a :class:`~datalabs_hub.errors.DatalabsError` raised inside into the HTTP error the user sees.

        User mistakes keep their message (it names the field); operator faults are logged with
        their details and the user gets a plain sentence.
        """
        try:
            yield
        except DatalabsError as e:
            raise to_http_error(e, self.log) from None

    # --- checks before a back end starts anything -------------------------------------------

    def _running_siblings(self) -> list[str]:
        spawners = getattr(self.user, "spawners", {}) or {}
        return sorted(name or "(default)" for name, sp in spawners.items() if sp is not self and sp.active)

    def apply_launch_options(self, user_options: dict[str, Any]) -> LaunchPlan:
        """Validate the user options against the catalogue and the per-user limit, and plan the launch.

        Raises :class:`~datalabs_hub.errors.InvalidOptions` naming the bad field (the last good
        options are restored as the form's defaults) or :class:`~datalabs_hub.errors.Conflict` at
        the per-user limit; nothing has been started.
        """
        try:
            options, plan = self.plan_for(user_options or {})
        except InvalidOptions:
            self._restore_last_good_options()
            raise
        running = self._running_siblings()
        if self.max_running_datalabs and len(running) >= self.max_running_datalabs:
            raise Conflict(
                f"You already run {len(running)} datalabs ({', '.join(running)}), the most allowed per user"
                f" ({self.max_running_datalabs}). Stop one on the home page before starting another."
            )
        self.apply_plan(plan)
        self.plan = plan
        self._launch_started = time.monotonic()
        self.last_good_options = options.model_dump(exclude_none=True)
        self.progress_events = []
        self.report(5, f"Launching {plan.datalab.title}")
        for v in plan.volumes:
            self.report(10, f"Archive volume {v.title} -> {v.mount_path} (read-only)")
        return plan

    #: Spawner traits a plan sets (the back end's ``apply_plan``); the operator's values are their base.
    planned_traits: tuple[str, ...] = ()
    _operator_values: dict[str, Any] | None = None

    def operator_values(self) -> dict[str, Any]:
        """The operator's values of :attr:`planned_traits`, as they were before the first launch."""
        if self._operator_values is None:
            self._operator_values = {name: copy.deepcopy(getattr(self, name)) for name in self.planned_traits}
        return self._operator_values

    def apply_plan(self, plan: LaunchPlan) -> None:
        """Set the back end's traits for ``plan`` on top of :meth:`operator_values` (nothing started yet)."""

    def _require_plan(self) -> LaunchPlan:
        """The plan ``apply_user_options`` made; start() without one is a programming error."""
        if self.plan is None:
            raise RuntimeError("start() before apply_user_options: JupyterHub runs that hook first")
        return self.plan

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

    async def wait_for_application(self, server_url: str) -> None:
        """Before the hub reports ready: a desktop datalab's window is on screen, a web app answers (or their timeouts)."""
        await self.wait_for_desktop(server_url)
        await self.wait_for_webapp(server_url)

    async def _ask_datalab(self, url: str, request_timeout: float, **kwargs: Any) -> Any:
        """GET ``url`` of the datalab's server with the server's own token; None if it cannot be reached."""
        try:
            return await AsyncHTTPClient().fetch(url, headers={"Authorization": f"token {self.api_token}"},
                                                 request_timeout=request_timeout, raise_error=False, **kwargs)
        except (OSError, HTTPClientError):
            return None

    async def wait_for_desktop(self, server_url: str) -> None:
        """For a desktop datalab: wait until its application's window is on screen (or the timeout).

        Asks the datalab's own ``desktop/<id>/api/session`` with the server's token.
        """
        plan = self.plan
        if plan is None or plan.datalab.kind != "desktop":
            return
        self.report(60, f"{plan.datalab.title} is starting")
        url = url_path_join(server_url, self.server.base_url, "desktop", plan.datalab.id, "api", "session")

        async def on_screen() -> bool:
            response = await self._ask_datalab(url, request_timeout=5)
            try:
                return response is not None and response.code == 200 and bool(json.loads(response.body).get("on_screen"))
            except ValueError:
                return False

        try:  # checks ~0.1 s apart (random jitter up to max_wait): the tab opens as soon as the window is up
            await exponential_backoff(on_screen, "", start_wait=0.05, max_wait=0.2, timeout=self.desktop_ready_timeout)
            self.report(90, f"{plan.datalab.title} is on screen")
        except TimeoutError:
            self.report(90, f"{plan.datalab.title} is taking long to start; opening it anyway")

    _launch_started: float = 0.0

    async def wait_for_webapp(self, server_url: str) -> None:
        """For a web-app datalab: ask its app through the server (which starts it) until it answers.

        jupyter-server-proxy starts the app on this first request and answers once the app does,
        so the tab opens on a page that is already up. The wait ends at the app's ``timeout`` or a
        few seconds before the hub's ``start_timeout``, whichever comes first; the tab then opens
        anyway and the page appears when the app is up.
        """
        plan = self.plan
        app = plan.contract.webapp if plan is not None else None
        if app is None:
            return
        self.report(60, f"{app.title} is starting")
        url = url_path_join(server_url, self.server.base_url, ready_path(app))

        wait = max(1.0, min(app.webapp.timeout, self._launch_started + self.start_timeout - 5 - time.monotonic()))
        deadline = time.monotonic() + wait

        async def answers() -> bool:
            # the first request waits while jupyter-server-proxy starts the app
            response = await self._ask_datalab(url, request_timeout=max(0.5, deadline - time.monotonic()),
                                               follow_redirects=False)
            return response is not None and response.code < 500

        try:
            await exponential_backoff(answers, "", start_wait=0.05, max_wait=0.5, timeout=wait)
            self.report(90, f"{app.title} answers")
        except TimeoutError:
            self.report(90, f"{app.title} is taking long to start; opening it anyway")

    # --- progress events shown on the spawn page -------------------------------------------

    progress_events: list[dict[str, Any]] = []
    _progress_reported: asyncio.Event | None = None

    @property
    def _reported(self) -> asyncio.Event:
        """Set when an event is reported; the spawn page's listeners wait on it."""
        if self._progress_reported is None:
            self._progress_reported = asyncio.Event()
        return self._progress_reported

    def report(self, progress: int, message: str) -> None:
        """Add a progress event for the spawn page."""
        self.progress_events = [*self.progress_events, {"progress": progress, "message": message}]
        self.log.info("%s: %s", self._log_name, message)
        self._reported.set()

    async def progress(self) -> AsyncIterator[dict[str, Any]]:
        """Yield progress events as the back end reports them, until the hub stops listening."""
        sent = 0
        while True:
            self._reported.clear()
            events = self.progress_events
            if sent > len(events):  # a new launch started the list over
                sent = 0
            while sent < len(events):
                yield events[sent]
                sent += 1
            if len(self.progress_events) <= sent:
                await self._reported.wait()

