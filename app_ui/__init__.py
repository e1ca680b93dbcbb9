"""Streamlit glue shared by the app's pages: cached calls into gradcam_core and the sidebar.

No Grad-CAM math lives here; it only decides what to compute, caches it and lays it out.
TensorFlow is loaded first, with its start-up lines kept out of the server's terminal log.
"""

from gradcam_core import tf_logging

tf_logging.load_tensorflow()
