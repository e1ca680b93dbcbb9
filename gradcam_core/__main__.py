"""``python -m gradcam_core``: see gradcam_core/cli.py.

``--verbose`` is read here, before the CLI's imports load TensorFlow, which reads its log level
only once.
"""

import sys

from . import tf_logging

tf_logging.configure(verbose_output="--verbose" in sys.argv[1:] or None)
tf_logging.load_tensorflow()

from .cli import main  # noqa: E402  (after TensorFlow has loaded quietly)

sys.exit(main())
