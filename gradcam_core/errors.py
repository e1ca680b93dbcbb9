"""Exceptions with one-line, user-facing messages."""

from __future__ import annotations


class GradCamError(Exception):
    """Base class: every message is one line a user can read."""


class ImageLoadError(GradCamError, ValueError):
    """An uploaded or given file could not be decoded as a safe, usable image."""


class ModelUnavailableError(GradCamError, RuntimeError):
    """A model cannot be loaded here (weights missing, download failed, package not installed)."""


class LayerError(GradCamError, KeyError):
    """A layer name that does not exist in the model or is not a 4-D feature map."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ClassLookupError(GradCamError, KeyError):
    """A target class given by index or name that matches no ImageNet class."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ModelRefusedError(GradCamError, ValueError):
    """A model file that is refused: unsafe, damaged, too large, or not an image classifier."""


class PreprocessingRequiredError(GradCamError, ValueError):
    """A model whose file does not say how its input pixels are scaled: the caller must choose."""


class LabelsError(GradCamError, ValueError):
    """A class-names file that cannot be read or does not fit the model's outputs."""
