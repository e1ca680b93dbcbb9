"""The public API of gradcam_core, declared once: static tools read this stub, and
``gradcam_core/__init__.py`` loads each name from it on first use (``lazy_loader.attach_stub``).

Submodules (``gc.labels``, ``gc.cams``, ...) load the same way.
"""

from . import (
    cams,
    cli,
    dataset_audit,
    drawing,
    engine,
    errors,
    export,
    heif,
    images,
    labels,
    layers,
    memory,
    metrics,
    models,
    modifiers,
    resample,
    samples,
    tf_logging,
    torch_legacy,
    walkthrough,
)
from .cams import (
    CAM_METHODS,
    BaseCAM,
    CamResult,
    GradCAM,
    grad_cam,
    grad_cam_all_layers,
    relu_and_normalize,
)
from .dataset_audit import audit
from .drawing import COLORMAPS, DEFAULT_COLORMAP, colorize, overlay
from .engine import SCORES, TF_LOCK, ForwardPass, Score, forward, forward_batch
from .errors import (
    ClassLookupError,
    GradCamError,
    ImageLoadError,
    LabelsError,
    LayerError,
    ModelRefusedError,
    ModelUnavailableError,
    PreprocessingRequiredError,
)
from .images import LoadedImage, load_image, resize_for_model
from .labels import (
    ClassLabels,
    ImageNetClass,
    ImageNetLabels,
    Prediction,
    class_name,
    find_class,
    imagenet_class,
    imagenet_labels,
    numbered_labels,
    parse_labels,
    search_classes,
    softmax,
    top_k,
)
from .layers import LayerInfo, default_layer, describe_layers, find_layer, list_layers
from .models import (
    DEFAULT_MODEL,
    MODELS,
    ModelSpec,
    available_models,
    bundled_classifier,
    demo_model_path,
    get_spec,
    load_classifier,
    load_model,
    preprocess,
    preprocess_pixels,
)
from .models.classifier import Classifier
from .models.preprocessing import PRESET_NAMES, PRESETS, Preprocessing
from .modifiers import (
    ReplaceSoftmaxWithLinear,
    ends_in_softmax,
    final_activation,
    logits_view,
    probability_head,
)
from .resample import upsample
