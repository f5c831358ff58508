"""The datalab's own SAMP hub, on the loopback interface only, with its lockfile in the private folder.

``python -m datalabs_hub.desktop.samp_hub <lockfile>``. Notebooks (astropy/pyvo SAMP clients) and desktop
applications (TOPCAT, DS9) of the same datalab find it through ``SAMP_HUB=std-lockurl:file://<lockfile>``,
which the server extension sets for every process it starts. No Web Profile (no browser access).
"""

from __future__ import annotations

import signal
import sys
import threading
import warnings


def lock_url(lockfile: str) -> str:
    """The SAMP_HUB value that points clients at ``lockfile`` (SAMP 1.3 standard profile)."""
    return f"std-lockurl:file://{lockfile}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m datalabs_hub.desktop.samp_hub <lockfile>", file=sys.stderr)
        return 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # astropy 8 marks astropy.samp deprecated in favour of pyvo.samp
        from astropy.samp import SAMPHubServer

    hub = SAMPHubServer(addr="127.0.0.1", web_profile=False, lockfile=argv[0], timeout=0, client_timeout=0)
    stopped = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stopped.set())
    hub.start(wait=False)
    print(f"[datalabs-desktop] SAMP hub on 127.0.0.1, lockfile {argv[0]}", file=sys.stderr, flush=True)
    stopped.wait()
    hub.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
