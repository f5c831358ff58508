"""One harness for the tests and the benchmarks: real hubs, real JupyterLab servers, kernels over their APIs.

Test-only code (it needs the ``test`` extra: requests, playwright); nothing in the hub or a datalab imports it.
"""
