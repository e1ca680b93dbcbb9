"""CAM methods: one module per method, each a small override of ``BaseCAM``."""

from .all_layers import all_layer_inputs, grad_cam_all_layers
from .base import BaseCAM, CamResult, LayerInputs, relu_and_normalize
from .cam import CAM, cam_dense_layer, supports_cam
from .classes import CounterfactualGradCAM, contrast_map, counterfactual_map, top_class_maps
from .eigen_cam import EigenCAM
from .grad_cam import GradCAM, grad_cam
from .grad_cam_plus_plus import GradCAMPlusPlus
from .guided_backprop import (
    GuidedGradCAM,
    GuidedResult,
    gradient_image,
    guided_backprop,
    guided_grad_cam,
)
from .hires_cam import HiResCAM, hires_minus_gradcam
from .layer_cam import LayerCAM
from .score_cam import ScoreCAM
from .xgrad_cam import XGradCAM

# Short id -> method class, in the order the Methods page lists them. A new method is one module
# (a BaseCAM subclass that declares its name, formula and note) and one line here.
CAM_METHODS: dict[str, type[BaseCAM]] = {
    "gradcam": GradCAM,
    "gradcam++": GradCAMPlusPlus,
    "xgradcam": XGradCAM,
    "hirescam": HiResCAM,
    "layercam": LayerCAM,
    "scorecam": ScoreCAM,
    "eigencam": EigenCAM,
    "cam": CAM,
    "guided_gradcam": GuidedGradCAM,
}

__all__ = [
    "CAM",
    "CAM_METHODS",
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
    "XGradCAM",
    "all_layer_inputs",
    "cam_dense_layer",
    "contrast_map",
    "counterfactual_map",
    "grad_cam",
    "grad_cam_all_layers",
    "gradient_image",
    "guided_backprop",
    "guided_grad_cam",
    "hires_minus_gradcam",
    "relu_and_normalize",
    "supports_cam",
    "top_class_maps",
]
