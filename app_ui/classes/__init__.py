"""Classes: one photo, a map for each answer. ``cached`` holds the maps (one forward pass, batched
backward passes), ``pictures`` how a map is shown, and ``top_k``, ``counterfactual`` and
``contrast`` are the page's three sections."""
