"""CAM methods: one module per method, each a small override of ``BaseCAM``."""

from .all_layers import all_layer_inputs, grad_cam_all_layers
from .base import (
    BaseCAM,
    CamResult,
    LayerInputs,
    SectionText,
    normalized_difference,
    relu_and_normalize,
)
from .cam import CAM, cam_dense_layer, supports_cam
from .classes import CounterfactualGradCAM, contrast_map, counterfactual_map, top_class_maps
from .eigen_cam import EigenCAM
from .grad_cam import GradCAM, grad_cam
from .grad_cam_plus_plus import GradCAMPlusPlus
from .guided_backprop import GuidedGradCAM, GuidedResult, guided_backprop, guided_grad_cam
from .hires_cam import HiResCAM
from .layer_cam import LayerCAM
from .registry import (
    CAM_METHODS,
    REFERENCE_METHOD,
    build_method,
    method_class,
    method_settings,
    run_method,
)
from .score_cam import ScoreCAM
from .xgrad_cam import XGradCAM

__all__ = [
    "CAM",
    "CAM_METHODS",
    "REFERENCE_METHOD",
    "BaseCAM",
    "CamResult",
    "CounterfactualGradCAM",
    "EigenCAM",
    "GradCAM",
    "GradCAMPlusPlus",
    "GuidedGradCAM",
    "GuidedResult",
    "HiResCAM",
    "LayerCAM",
    "LayerInputs",
    "ScoreCAM",
    "SectionText",
    "XGradCAM",
    "all_layer_inputs",
    "build_method",
    "cam_dense_layer",
    "contrast_map",
    "counterfactual_map",
    "grad_cam",
    "grad_cam_all_layers",
    "guided_backprop",
    "guided_grad_cam",
    "method_class",
    "method_settings",
    "normalized_difference",
    "relu_and_normalize",
    "run_method",
    "supports_cam",
    "top_class_maps",
]
