"""Datalabs: a JupyterHub extension suite that turns a hub into a science platform."""

__version__ = "0.1.0"
