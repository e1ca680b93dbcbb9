"""The Trust lab, one module per check: faithfulness (curves), hiding (hide the top, drop and
increase), sanity (the randomization cascade) and localization (a box); ``charts`` draws their
Altair charts, ``inputs`` holds what every check perturbs, ``intro`` the page's opening words.

Every check is cached, keyed by the photo digest, model, class and the check's settings; arrays
and models go in underscore arguments, so they are never hashed. Every TensorFlow call holds
``gc.TF_LOCK``. The long ones (curves, cascade) run behind ``progress.ProgressBar`` and are kept
in ``progress.Kept`` stores shared by every session.
"""
