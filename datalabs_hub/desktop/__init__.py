"""Desktop datalabs inside a datalab: server-proxy entries, the per-application VNC session and its launcher.

Pure builders (:mod:`.server_proxy`, :mod:`.server_proxy_config`, :mod:`.session`, the paths of
:mod:`.runtime_dir`) are separate from the process code (:mod:`.launcher`, :mod:`.supervisor`,
:mod:`.samp_hub`). The hub tells a datalab which desktop applications it offers in
``DATALABS_DESKTOP_APPS``, read only through :mod:`datalabs_hub.contract`.
"""
