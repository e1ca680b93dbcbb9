"""The class quiz: Grad-CAM's two human studies (Selvaraju et al., IJCV 2020, section 5), run live.

Modules: ``design`` (studies, methods, models, a room's design), ``reference`` (the paper's
figures), ``scoring`` (Wilson and t intervals, per-method and per-item results),
``randomization`` (a student's seeded plan), ``security`` (join codes, teacher keys, nicknames,
rate limits).
"""
