"""Desktop datalabs inside a datalab: server-proxy entries, the per-application VNC session and its launcher.

Pure builders (:mod:`.apps`, :mod:`.entries`, :mod:`.session`) are separate from the process code
(:mod:`.launcher`, :mod:`.supervisor`, :mod:`.samp_hub`). The hub tells a datalab which desktop
applications it offers in ``DATALABS_DESKTOP_APPS`` (built from the catalogue by the launch plan).
"""
