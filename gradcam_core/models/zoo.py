"""The keras.applications zoo: ImageNet classifiers whose weights Keras downloads and caches.

Each is built with ``classifier_activation=None`` so the model returns logits, the score that
Grad-CAM differentiates. Download sizes are those of Keras' published weight files (with top).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np

from ..errors import ModelUnavailableError
from ..i18n import Text


@dataclass(frozen=True)
class ZooEntry:
    """How to build one keras.applications model and prepare its input."""

    constructor: Callable[..., keras.Model]
    preprocess_input: Callable[[np.ndarray], np.ndarray]
    input_size: int
    download_mb: float
    default_layer: str


def _entries() -> dict[str, tuple[str, ZooEntry]]:
    apps = keras.applications
    return {
        "vgg16": (
            "VGG16",
            ZooEntry(apps.VGG16, apps.vgg16.preprocess_input, 224, 528, "block5_conv3"),
        ),
        "vgg19": (
            "VGG19",
            ZooEntry(apps.VGG19, apps.vgg19.preprocess_input, 224, 549, "block5_conv4"),
        ),
        "resnet50": (
            "ResNet50",
            ZooEntry(apps.ResNet50, apps.resnet50.preprocess_input, 224, 98, "conv5_block3_out"),
        ),
        "resnet50v2": (
            "ResNet50V2",
            ZooEntry(apps.ResNet50V2, apps.resnet_v2.preprocess_input, 224, 98, "post_relu"),
        ),
        "inception_v3": (
            "InceptionV3",
            ZooEntry(apps.InceptionV3, apps.inception_v3.preprocess_input, 299, 92, "mixed10"),
        ),
        "xception": (
            "Xception",
            ZooEntry(
                apps.Xception, apps.xception.preprocess_input, 299, 88, "block14_sepconv2_act"
            ),
        ),
        "mobilenet_v2": (
            "MobileNetV2",
            ZooEntry(apps.MobileNetV2, apps.mobilenet_v2.preprocess_input, 224, 14, "out_relu"),
        ),
        "densenet121": (
            "DenseNet121",
            ZooEntry(apps.DenseNet121, apps.densenet.preprocess_input, 224, 33, "relu"),
        ),
        "efficientnet_b0": (
            "EfficientNetB0",
            ZooEntry(
                apps.EfficientNetB0, apps.efficientnet.preprocess_input, 224, 29, "top_activation"
            ),
        ),
        "convnext_tiny": (
            "ConvNeXtTiny",
            ZooEntry(
                apps.ConvNeXtTiny,
                apps.convnext.preprocess_input,
                224,
                109,
                "convnext_tiny_stage_3_block_2_identity",
            ),
        ),
    }


ZOO: dict[str, tuple[str, ZooEntry]] = _entries()


def build_zoo_model(name: str, title: str, entry: ZooEntry, weights: str | None) -> keras.Model:
    """Build a zoo model returning logits; ImageNet weights come through Keras' download cache."""
    try:
        return entry.constructor(weights=weights, classifier_activation=None)
    except Exception as error:  # a failed download surfaces as many exception types
        if weights is None:
            raise
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelUnavailableError(
            Text(
                "Could not download the ImageNet weights of {title} ({megabytes:.0f} MB): "
                "{reason}. The bundled EfficientNet-Lite0 works offline.",
                title=title,
                megabytes=entry.download_mb,
                reason=reason,
            )
        ) from error
