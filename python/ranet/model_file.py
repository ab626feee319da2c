"""Model files: a RANet as .safetensors + ranet.* metadata, written (export) and read back into PyTorch (load).

The file is the only interface between the PyTorch tools and the C engine (DESIGN.md, "Model file"):
tensor names are exactly the reference implementation's state_dict names (a leading `module.` stripped,
`num_batches_tracked` dropped: BatchNorm buffers the engine never needs), BatchNorm is stored as trained
(the engine folds it), and the metadata carries what the engine needs besides weights: `ranet.config`,
`ranet.preprocess`, `ranet.labels`, `ranet.calibration` and `ranet.card`, each a JSON string.

Everything is validated before writing, so a file written here is one the engine accepts:
the weights must match the network the config builds, name for name and shape for shape.
"""

import json

import numpy as np
import torch

from . import safetensors_io
from .model import RANet, RANetConfig, block_plan, exit_macs

META_KEYS = ("ranet.config", "ranet.preprocess", "ranet.labels", "ranet.calibration", "ranet.card")
DTYPES = {"f32": np.float32, "f16": np.float16}
LIST_LIMIT = 20  # names listed per kind of mismatch; a wrong hyper-parameter can affect hundreds


def unwrap_checkpoint(obj):
    """The state_dict inside a checkpoint: the reference's {'state_dict': ...}, train.py's {'model': ...},
    or a bare state_dict."""
    for key in ("state_dict", "model"):
        if isinstance(obj, dict) and isinstance(obj.get(key), dict):
            return obj[key]
    if isinstance(obj, dict) and all(torch.is_tensor(v) for v in obj.values()):
        return obj
    found = "keys %s" % sorted(obj)[:10] if isinstance(obj, dict) else "a %s" % type(obj).__name__
    raise ValueError("not a state_dict, nor a checkpoint holding one under 'state_dict' or 'model' "
                     "(found %s)" % found)


def clean_state_dict(state_dict):
    """name -> tensor with `module.` (DataParallel) stripped and `num_batches_tracked` dropped."""
    out = {}
    for name, value in state_dict.items():
        if name.startswith("module."):
            name = name[len("module."):]
        if name.endswith("num_batches_tracked"):
            continue
        out[name] = value
    return out


def check_state_dict(cfg, state_dict):
    """Raise ValueError unless `state_dict` (once cleaned) holds exactly the tensors RANet(cfg) has, with the
    same shapes. The message counts and lists (up to LIST_LIMIT of each) the missing keys, unexpected keys and
    shape mismatches: a checkpoint that does not fit usually means a hyper-parameter was given wrongly, and
    the names show which part of the network differs."""
    expected = {k: tuple(v.shape) for k, v in clean_state_dict(RANet(cfg).state_dict()).items()}
    got = {k: tuple(v.shape) for k, v in clean_state_dict(state_dict).items()}
    missing = sorted(set(expected) - set(got))
    unexpected = sorted(set(got) - set(expected))
    mismatched = sorted(k for k in set(expected) & set(got) if expected[k] != got[k])
    if missing or unexpected or mismatched:
        lines = ["the weights do not fit the network built from the config "
                 "(%d missing, %d unexpected, %d shape mismatches)" % (len(missing), len(unexpected), len(mismatched))]
        for what, keys in (("missing", missing), ("unexpected", unexpected)):
            lines += ["  %s: %s" % (what, k) for k in keys[:LIST_LIMIT]]
            if len(keys) > LIST_LIMIT:
                lines.append("  ... and %d more %s" % (len(keys) - LIST_LIMIT, what))
        lines += ["  shape mismatch: %s: checkpoint %s, config expects %s" % (k, list(got[k]), list(expected[k]))
                  for k in mismatched[:LIST_LIMIT]]
        if len(mismatched) > LIST_LIMIT:
            lines.append("  ... and %d more shape mismatches" % (len(mismatched) - LIST_LIMIT))
        raise ValueError("\n".join(lines))


def build_model(cfg, state_dict):
    """RANet(cfg) in eval mode holding `state_dict`, which must fit it exactly (see check_state_dict)."""
    sd = clean_state_dict(state_dict)
    check_state_dict(cfg, sd)
    model = RANet(cfg)
    # Strict apart from num_batches_tracked, which is never stored and plays no part in inference.
    result = model.load_state_dict(sd, strict=False)
    assert not result.unexpected_keys and all(k.endswith("num_batches_tracked") for k in result.missing_keys)
    return model.eval()


def read_labels(path):
    """A labels file: one class name per line, in class order (blank lines skipped)."""
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


def preprocess_meta(input_size, mean, std):
    """The `ranet.preprocess` object: stretch-resize to input_size, pixels in [0, 1], then (x - mean) / std."""
    if len(mean) != len(std) or any(s <= 0 for s in std):
        raise ValueError("mean and std need one value per channel and std > 0: %r %r" % (mean, std))
    return {"input_size": [int(input_size[0]), int(input_size[1])], "channels": len(mean),
            "mean": [float(m) for m in mean], "std": [float(s) for s in std], "resize": "stretch"}


def placeholder_calibration(model, input_size):
    """A valid calibration for a model that has not been calibrated: the exit MACs and one operating point
    that runs every frame to the last exit (threshold 1.0 lets only saturated confidences out earlier).
    Its accuracies are unknown and given as 0."""
    macs = exit_macs(model, input_size)
    k = len(macs)
    return {"exit_macs": macs,
            "operating_points": [{"ratio": 1.0, "thresholds": [1.0] * (k - 1) + [-1.0],
                                  "exit_fractions": [0.0] * (k - 1) + [1.0], "val_accuracy": 0.0,
                                  "test_accuracy": 0.0, "expected_macs": float(macs[-1])}]}


def check_metadata(cfg, num_exits, preprocess, labels, calibration):
    """The checks the C loader makes, done here so that a bad file is never written."""
    def fail(msg):
        raise ValueError("metadata: " + msg)

    if preprocess["channels"] != cfg.in_channels:
        fail("preprocess has %d channels, the network takes %d" % (preprocess["channels"], cfg.in_channels))
    if preprocess.get("resize") != "stretch" or len(preprocess["input_size"]) != 2:
        fail("preprocess must have input_size [H, W] and resize 'stretch': %r" % preprocess)
    if len(labels) != cfg.num_classes or not all(isinstance(s, str) for s in labels):
        fail("%d labels for %d classes" % (len(labels), cfg.num_classes))
    if len(calibration["exit_macs"]) != num_exits:
        fail("exit_macs has %d entries for %d exits" % (len(calibration["exit_macs"]), num_exits))
    if not calibration["operating_points"]:
        fail("calibration has no operating point")
    for i, op in enumerate(calibration["operating_points"]):
        t, q = op["thresholds"], op["exit_fractions"]
        if len(t) != num_exits or len(q) != num_exits:
            fail("operating point %d: %d thresholds, %d fractions, for %d exits" % (i, len(t), len(q), num_exits))
        if t[-1] != -1 or not all(0.0 <= x <= 1.0 for x in t[:-1]):
            fail("operating point %d: thresholds must be in [0, 1], the last -1: %r" % (i, t))
        if abs(sum(q) - 1.0) > 1e-6:
            fail("operating point %d: exit fractions sum to %r" % (i, sum(q)))


def export(path, state_dict, cfg, preprocess, labels, calibration, card, dtype="f32"):
    """Validate and write a model file. state_dict: tensors by reference name (raw or cleaned)."""
    sd = clean_state_dict(state_dict)
    check_state_dict(cfg, sd)
    num_exits = sum(kind == "norm" for flow in block_plan(cfg)[1] for kind, *_ in flow)
    check_metadata(cfg, num_exits, preprocess, labels, calibration)
    tensors = {k: v.detach().cpu().numpy().astype(DTYPES[dtype]) for k, v in sd.items()}
    meta = {"ranet.config": cfg.to_json(), "ranet.preprocess": json.dumps(preprocess),
            "ranet.labels": json.dumps(labels), "ranet.calibration": json.dumps(calibration),
            "ranet.card": json.dumps(card)}
    safetensors_io.write(path, tensors, meta)


def load(path):
    """Read a model file -> (RANet in eval mode with float32 weights, dict of the parsed ranet.* metadata)."""
    tensors, raw = safetensors_io.read(path)
    missing = [k for k in META_KEYS if k not in raw]
    if missing:
        raise ValueError("%s: metadata lacks %s" % (path, ", ".join(missing)))
    meta = {k[len("ranet."):]: json.loads(raw[k]) for k in META_KEYS}
    cfg = RANetConfig.from_dict(meta["config"])
    sd = {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in tensors.items()}
    try:
        return build_model(cfg, sd), meta
    except ValueError as e:
        raise ValueError("%s: %s" % (path, e)) from None
