"""Paths shared by the API tests."""
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
