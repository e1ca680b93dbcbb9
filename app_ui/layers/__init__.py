"""Layers: Grad-CAM at every 4-D layer from one pass (``cached``), and the slider that scrubs
through them with the chosen layer's views and a grid of small maps (``scrubber``)."""
