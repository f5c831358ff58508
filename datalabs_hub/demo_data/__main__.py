"""``python -m datalabs_hub.demo_data``: build the demo archive volumes."""

from .build import main

raise SystemExit(main())
