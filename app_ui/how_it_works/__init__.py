"""How Grad-CAM works: every step on the current photo, layer and class, one module per step.

``view`` holds what the steps share (the walkthrough's tensors, figure scale, layout helpers),
``cached`` the cached computations and figures; ``score``, ``gradients``, ``weights``,
``weighted_sum``, ``relu``, ``normalization``, ``upsampling`` and ``overlay`` are the steps.
"""
