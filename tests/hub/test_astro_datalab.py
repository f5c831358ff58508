"""The shipped `jupyterlab-astro` datalab on the real demo archive volumes, used from a notebook kernel."""

from __future__ import annotations

import textwrap

from datalabs_hub.testing.kernel import run_code


def test_notebook_code_reads_archive_data_and_cannot_write_it(shipped_hub, accounts):
    hub = shipped_hub
    alice = accounts["alice"].name
    body = {"datalab": "jupyterlab-astro", "volumes": ["spice-kernels", "heliophysics", "astronomy"]}
    assert hub.api("POST", f"/users/{alice}/servers/astro", json=body).status_code in (201, 202)
    hub.wait_ready(alice, "astro")
    try:
        token = hub.user_token(alice)
        code = textwrap.dedent(
            """
            import glob, os, getpass
            import spiceypy
            from astropy.io import fits
            spiceypy.furnsh("/data/spice-kernels/mk/demo.tm")
            et = spiceypy.str2et("2020-01-01T00:00:00")
            pos, _ = spiceypy.spkpos("MOON", et, "J2000", "NONE", "EARTH")
            print("moon_km", round(float(sum(p * p for p in pos) ** 0.5)))
            stix = sorted(glob.glob("/data/heliophysics/**/*.fits", recursive=True))
            with fits.open(stix[0]) as hdul:
                print("fits_hdus", len(hdul), hdul[0].header.get("TELESCOP"))
            print("user", getpass.getuser(), "home", os.path.expanduser("~"))
            print("mounted", sorted(os.listdir("/data")))
            try:
                open("/data/astronomy/new.txt", "w")
            except OSError as e:
                print("write_error", e.errno, e.strerror)
            """
        )
        result = run_code(f"{hub.url}/user/{alice}/astro/", token, code)
        assert result["error"] is None, result
        out = result["stdout"]
        moon = int(out.split("moon_km ")[1].split()[0])
        assert 356_000 < moon < 407_000, out
        assert "fits_hdus" in out
        assert f"user {alice} home /home/{alice}" in out
        assert "mounted ['astronomy', 'heliophysics', 'spice-kernels']" in out
        assert "write_error 30 Read-only file system" in out
    finally:
        hub.api("DELETE", f"/users/{alice}/servers/astro")
        hub.wait_stopped(alice, "astro")
