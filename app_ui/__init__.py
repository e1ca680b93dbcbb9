"""Streamlit glue of the app's pages: what to compute, caching it, laying it out. No math here.

The frame every page shares: ``controls`` (the sidebar and the ``Selection`` every page reads),
``photo_picker`` (the photo at the top), ``url_picker`` (pickers bound to the link),
``own_models``, ``cache`` (cached calls into gradcam_core), ``progress`` (slow results behind a
bar, kept for all sessions), ``widgets`` and ``text`` (layout pieces and sentences several pages
use), ``deployment``, ``pages_folder``. Then one package per page in ``pages/``: ``explain``,
``how_it_works``, ``layers``, ``classes``, ``methods``, ``trust_lab``, ``quiz``, ``dataset``.

Where state lives (the full table, with every cache's cap: docs/architecture.md):

- the URL: the sidebar's choices (model, layer, target, sample, score, colormap, opacity), so a
  link reproduces a view; values outside the widgets' options are ignored;
- ``st.session_state``: widget values and a few ``_``-prefixed entries of one visitor (an
  uploaded photo's decoding, own models, failed downloads); never seen by another session;
- a thread-local ``Selection`` for one script run (``controls.current()``);
- process caches shared by every session, keyed by content digests and names, never by
  hashing arrays: ``st.cache_resource`` (decoded samples, previews, resident models: at most
  two, one in low-memory mode) and ``st.cache_data`` (forward passes, maps, encoded figures),
  each with ``max_entries``; ``progress.Kept`` stores for slow results;
- Keras model objects: their compiled passes, so they go when the model goes;
- on disk: the bundled models' converted weights (``$GRADCAM_CACHE_DIR``).

TensorFlow is loaded first, with its start-up lines kept out of the server's terminal log.
"""

from gradcam_core import tf_logging

tf_logging.load_tensorflow()
