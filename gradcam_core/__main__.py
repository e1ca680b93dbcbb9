"""``python -m gradcam_core``: see gradcam_core/cli.py."""

import sys

from .cli import main

sys.exit(main())
