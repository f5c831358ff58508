#!/usr/bin/env python3
"""Web-app datalab benchmark: how long from the spawn request to the app's first meaningful paint.

    .venv/bin/python bench/webapp.py [--runs 3]

Run as root from the checkout (after `bash bootstrap.sh test`). One real hub with the shipped
catalogue (spawner_profiles/) on the demo volumes, one test account. For each datalab, in turns
(so background load hits all alike), the server is started and stopped again:

  spawn   from `POST /hub/api/users/{u}/servers/{name}` until the hub reports the server ready
          (for a web app that includes the spawner's wait until the app answers)
  page    Debian's Chromium (1280x800, already logged in) opens /user/{u}/{name}/ and waits for the
          first meaningful paint: JupyterLab's launcher; JS9's list of images and then the first
          image displayed; the Voila dashboard's light-curve plot
  total   spawn + page: what a user waits after pressing Launch

The JupyterLab datalab (`jupyterlab-astro`, the same volume) is the baseline. Everything started is
removed in a finally block (hub, proxy, servers, the account); the hub's log is kept in
/tmp/bench-webapp-hub.log.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

CHECKOUT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CHECKOUT))

from datalabs_hub.testing.hub import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_VOLUMES,
    RealHub,
    cleanup_tree,
    create_account,
    delete_account,
)

#: datalab id -> (volumes, what the first meaningful paint is)
DATALABS = {
    "jupyterlab-astro": (["heliophysics"], "JupyterLab's launcher"),
    "js9": (["heliophysics"], "JS9 shows the first FITS image"),
    "stix-dashboard": (["heliophysics"], "the dashboard's plot"),
}


def meaningful_paint(page, datalab: str) -> None:
    if datalab == "jupyterlab-astro":
        expect(page.locator(".jp-Launcher")).to_be_visible(timeout=120_000)
    elif datalab == "js9":
        page.locator("#list button").first.click(timeout=120_000)
        expect(page.locator("#status")).to_contain_text("pixels", timeout=120_000)
    else:
        expect(page.locator("img[src^='data:image/png']").first).to_be_visible(timeout=120_000)


def one_run(hub: RealHub, account, token: str, page, datalab: str) -> tuple[float, float]:
    server = f"bench-{datalab}"[:60]
    t0 = time.monotonic()
    r = hub.api("POST", f"/users/{account.name}/servers/{server}", token=token,
                json={"datalab": datalab, "volumes": DATALABS[datalab][0]})
    r.raise_for_status()
    hub.wait_ready(account.name, server, timeout=180)
    t1 = time.monotonic()
    page.goto(f"{hub.url}/user/{account.name}/{server}/")
    meaningful_paint(page, datalab)
    t2 = time.monotonic()
    hub.api("DELETE", f"/users/{account.name}/servers/{server}", json={"remove": True})
    hub.wait_stopped(account.name, server, timeout=60)
    return t1 - t0, t2 - t1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    assert (DEMO_VOLUMES / "heliophysics").is_dir(), "run `bash bootstrap.sh test` to build the demo volumes"
    work = Path(tempfile.mkdtemp(prefix="bench-webapp-"))
    hub = RealHub(workdir=work, catalog=CHECKOUT / "spawner_profiles", volume_roots=[DEMO_VOLUMES])
    account = create_account("dlbench", "datalabs-users")
    times: dict[str, list[tuple[float, float]]] = {d: [] for d in DATALABS}
    try:
        hub.start()
        hub.api("POST", f"/users/{account.name}")
        token = hub.user_token(account.name)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(f"{hub.url}/hub/login")
            page.fill("#username_input", account.name)
            page.fill("#password_input", account.password)
            page.click("#login_submit")
            page.wait_for_url("**/hub/**")
            order = list(DATALABS)
            for run in range(args.runs):
                for datalab in order[run % len(order):] + order[:run % len(order)]:
                    times[datalab].append(one_run(hub, account, token, page, datalab))
                    spawn, paint = times[datalab][-1]
                    print(f"run {run + 1} {datalab}: spawn {spawn:.2f} s, page {paint:.2f} s", flush=True)
            browser.close()
    finally:
        hub.close()
        Path("/tmp/bench-webapp-hub.log").write_text(hub.log())
        delete_account(account.name)
        cleanup_tree(work)
    print(f"\nmedian of {args.runs} runs, seconds (spawn request -> first meaningful paint):")
    print(f"{'datalab':<18} {'spawn':>7} {'page':>7} {'total':>7}   first meaningful paint")
    for datalab, runs in times.items():
        spawn = statistics.median(s for s, _ in runs)
        paint = statistics.median(p for _, p in runs)
        total = statistics.median(s + p for s, p in runs)
        print(f"{datalab:<18} {spawn:7.2f} {paint:7.2f} {total:7.2f}   {DATALABS[datalab][1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
