"""Web-app datalabs: any web application serving HTTP, started and proxied by jupyter-server-proxy.

``server_proxy`` builds the proxy entry from the catalogue's ``webapp:`` block (pure);
``server_proxy_config`` adds it to the datalab's Jupyter server configuration; ``js9_server`` is the
small server of the shipped JS9 image viewer; ``dashboards/`` holds the shipped Voilà notebooks.
"""
