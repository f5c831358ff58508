"""Fixtures shared by the test suite: a real hub with test accounts, catalogue and archive volumes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from datalabs_hub.testing.hub import (
    CHECKOUT,
    DEMO_VOLUMES,
    create_account,
    delete_account,
    make_volume,
    running_hub,
)

TEST_CATALOG = textwrap.dedent(
    """
    datalabs:
      - id: lab-test
        title: Test JupyterLab
        description: JupyterLab for the tests, with the mission volumes.
        kind: jupyterlab
        tags: [python, testing]
        environment:
          default_url: /lab
        resources:
          memory: 2G
          cpu: 1
        default_volumes: [mission-a]
      - id: lab-secret
        title: Secret team lab
        kind: jupyterlab
        allowed_groups: [secret-team]
    volumes:
      - id: mission-a
        title: Mission A archive
        mission: [Mission A]
        description: Mission A test products.
        size: 1 KB
        source:
          local: {root}/mission-a
      - id: mission-b
        title: Mission B archive
        mission: [Mission B]
        source:
          local: {root}/mission-b
        mount_path: /data/b-products
      - id: restricted-vol
        title: Restricted volume
        allowed_groups: [secret-team]
        source:
          local: {root}/restricted
      - id: gone-vol
        title: Volume whose folder is missing
        source:
          local: {root}/gone
    """
)


#: what an operator might add to the hub's configuration; every test on the session hub runs with it
OPERATOR_CONFIG = textwrap.dedent(
    """
    c.DatalabsSpawner.max_running_datalabs = 2
    # an operator's Popen arguments: JupyterHub merges them and sets env itself (env here must not break a launch)
    c.Spawner.popen_kwargs = {"env": {"OPERATOR_ONLY": "1"}, "close_fds": True}
    """
)


@pytest.fixture(scope="session")
def volume_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("volumes")
    make_volume(root, "mission-a", {"README.txt": "Mission A\n", "products/obs1.csv": "t,flux\n0,1\n"})
    make_volume(root, "mission-b", {"index.txt": "Mission B\n"})
    make_volume(root, "restricted", {"secret.txt": "for the secret team\n"})
    return root


@pytest.fixture(scope="session")
def test_catalog_yaml(volume_root) -> str:
    """The tests' catalogue (TEST_CATALOG) with its volumes below ``volume_root``, for hubs a test module starts itself."""
    return TEST_CATALOG.replace("{root}", str(volume_root))


@pytest.fixture(scope="session")
def accounts():
    made = {}
    try:
        for role in ("alice", "bob"):
            made[role] = create_account(f"dlt{role[0]}", "datalabs-users")
        yield made
    finally:
        for account in made.values():
            delete_account(account.name)


@pytest.fixture(scope="session")
def hub(tmp_path_factory, volume_root, accounts):
    work = tmp_path_factory.mktemp("hub")
    catalog = work / "catalog"
    catalog.mkdir()
    (catalog / "catalog.yaml").write_text(TEST_CATALOG.replace("{root}", str(volume_root)))
    users = [a.name for a in accounts.values()]
    with running_hub(work, catalog, [volume_root], users, extra_config=OPERATOR_CONFIG, log_name="hub.log") as real:
        yield real


@pytest.fixture(scope="module")
def shipped_hub(tmp_path_factory, accounts):
    """A hub with the catalogue exactly as shipped in spawner_profiles/."""
    assert (DEMO_VOLUMES / "spice-kernels" / "mk" / "demo.tm").exists(), "run `bash bootstrap.sh test` to build them"
    work = tmp_path_factory.mktemp("shipped")
    with running_hub(work, CHECKOUT / "spawner_profiles", [DEMO_VOLUMES], [a.name for a in accounts.values()]) as real:
        yield real
