"""The Dataset page, one module per section: ``source`` (the zip or the lesson, and the app's
caps), ``runner`` (the audit behind a progress bar, kept for every session), ``results``
(accuracy, per class, downloads, the lesson's figures), ``confusion`` (the matrix, click a cell),
``gallery`` (sort, filter, open a photo on the Grad-CAM page); ``texts`` holds every sentence.
The audit itself is ``gradcam_core.dataset_audit``.
"""
