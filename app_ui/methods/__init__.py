"""Methods: one photo, every registered CAM method. Everything a card says is declared on the
method's class in ``gradcam_core.cams``, so a method added to ``CAM_METHODS`` gets its card,
its button if it is slow (``slow``), its difference section if it declares one
(``differences``) and its pixel-level section if it is pixel-level (``pixel``) unchanged.
No method id is written in this package."""
