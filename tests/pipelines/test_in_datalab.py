"""The pipeline API and a pipeline run inside a real datalab: hub, sandbox, the user's own account."""

from __future__ import annotations

import textwrap

import pytest
import requests

from datalabs_hub.pipelines.examples import EXAMPLES
from datalabs_hub.testing.kernel import run_code


@pytest.fixture(scope="module")
def datalab(shipped_hub, accounts):
    """alice's jupyterlab-astro datalab from the shipped library, with three demo volumes."""
    hub = shipped_hub
    alice = accounts["alice"].name
    body = {"datalab": "jupyterlab-astro", "volumes": ["spice-kernels", "heliophysics", "astronomy"]}
    assert hub.api("POST", f"/users/{alice}/servers/pipes", json=body).status_code in (201, 202)
    try:
        hub.wait_ready(alice, "pipes")
        yield hub, alice, f"{hub.url}/user/{alice}/pipes/", hub.user_token(alice)
    finally:
        hub.api("DELETE", f"/users/{alice}/servers/pipes")
        hub.wait_stopped(alice, "pipes")


def api(datalab, method: str, path: str, **kwargs) -> requests.Response:
    _, _, base, token = datalab
    return requests.request(method, f"{base}datalabs/api/pipelines/{path}",
                            headers={"Authorization": f"token {token}"}, timeout=120, **kwargs)


def test_palette_and_validation_in_the_datalab(datalab, accounts) -> None:
    _, alice, _, _ = datalab
    assets = api(datalab, "GET", "assets")
    assert assets.status_code == 200
    assert {a["id"] for a in assets.json()["assets"]} >= {"fits-header", "spice-position", "plot-lightcurve"}

    example = (EXAMPLES / "eit-images.cwl").read_text()
    good = api(datalab, "POST", "validate", json={"content": example, "path": f"home/{alice}/eit-images.cwl"})
    assert good.json() == {"valid": True, "problems": []}

    # the server runs as alice: root's files and other users' homes stay closed
    for run, expected in (("/etc/shadow", "permission denied"),
                          (f"/home/{accounts['bob'].name}/secret.cwl", "undefined reference")):
        doc = f"cwlVersion: v1.2\nclass: Workflow\ninputs: {{}}\noutputs: {{}}\nsteps:\n  s:\n    run: {run}\n" \
              "    in: {}\n    out: []\n"
        result = api(datalab, "POST", "validate", json={"content": doc, "path": f"home/{alice}/p.cwl"}).json()
        assert result["valid"] is False
        assert expected in result["problems"][0]["message"], result


def test_example_pipeline_runs_in_a_notebook_kernel(datalab) -> None:
    _, _, base, token = datalab
    code = textwrap.dedent(f"""
        import json, os, shutil, subprocess, sys
        os.makedirs(os.path.expanduser("~/pipeline"), exist_ok=True)
        os.chdir(os.path.expanduser("~/pipeline"))
        for name in ("eit-images.cwl", "eit-images.job.yml"):
            shutil.copy(os.path.join({str(EXAMPLES)!r}, name), name)
        # cwltool and the assets' python3 come from the datalab's PATH (the spawner puts its environment first)
        done = subprocess.run(["cwltool", "--no-container", "--quiet", "--outdir", "out",
                               "eit-images.cwl", "eit-images.job.yml"], capture_output=True, text=True)
        print("rc", done.returncode)
        print(done.stderr[-1500:] if done.returncode else "")
        outputs = json.loads(done.stdout or "{{}}")
        print("times", json.dumps(outputs.get("observation_times")))
        print("previews", len(outputs.get("previews") or []))
        if outputs:
            print(open(outputs["sun_positions"]["path"]).read())
        """)
    result = run_code(base, token, code, timeout=240)
    assert result["error"] is None, result
    out = result["stdout"]
    assert "rc 0" in out, out
    assert 'times ["2004-03-01T00:00:10.515", "2004-03-01T01:00:16.178"]' in out
    assert "previews 2" in out
    rows = [line.split(",") for line in out.splitlines() if line.startswith("2004-03-01T")]
    assert len(rows) == 2 and all(0.98 < float(r[6]) < 1.0 for r in rows)
