"""CAM methods: one module per method, each a small override of ``BaseCAM``."""

from .base import BaseCAM, CamResult, relu_and_normalize
from .grad_cam import GradCAM

__all__ = ["BaseCAM", "CamResult", "GradCAM", "relu_and_normalize"]
