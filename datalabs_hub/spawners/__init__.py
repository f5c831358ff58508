"""Datalabs spawners: one design (catalogue -> launch plan), two back ends (local sandbox, Kubernetes)."""
