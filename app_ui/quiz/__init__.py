"""The Class quiz page's sections, one module per part of it.

``roles`` (alone, teacher or student), ``solo``, ``teacher`` (create a room, open one with its
key) with ``uploads``, ``student`` (join, then answer), ``dashboard`` (live answers, results and
the room's controls), ``runner`` (going through items, sending answers, retrying), ``item_view``
(one item), ``results`` and ``charts`` (beside the paper), ``building`` (the one place models
load), ``connection`` (the database and its settings), ``messages`` (every sentence).
The study itself (design, scoring, storage) is ``gradcam_core.quiz``.
"""
