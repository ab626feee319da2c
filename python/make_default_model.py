#!/usr/bin/python3
"""Make the built-in model from a finished training run: install train.py's model file and write its card.

train.py --data fashion-mnist writes a model file with the weights, the operating points of the validation
split, and a card with the command, seed and per-exit accuracies on the validation split and the test set.
This copies that file to

    models/fashion-mnist-ranet.safetensors   the model ranetclassify loads when given none
    models/MODEL_CARD.md                     data, split, training command, results, operating points

after checking that it is a Fashion-MNIST model, and writes the card's tables from the file's metadata, so
the card describes the file as it is. The recipe:

    /usr/bin/python3 python/train.py --data fashion-mnist --preset default --grFactor 1-1-1 --bnFactor 1-1-1 \\
        --nChannels 32 --growthRate 16 --step 3 --epochs 30 --seed 0 --threads 2 \\
        --checkpoint-dir /var/tmp/ranet-train --out /var/tmp/ranet-train/fashion-mnist-ranet.safetensors
    /usr/bin/python3 python/make_default_model.py --model /var/tmp/ranet-train/fashion-mnist-ranet.safetensors

(Runs of train.py before --data existed, `train.py --out DIR --epochs 30 --seed 0`, made the same weights:
the options map one to one and the random draws are the same.)
"""

import argparse
import os
import shutil

import torch

from ranet import fmnist
from ranet.calibration import RATIOS, format_table
from ranet.model import block_plan
from ranet.model_file import load

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL_NAME = "fashion-mnist-ranet.safetensors"
DATA = "Fashion-MNIST, Debian package dataset-fashion-mnist (%s)" % fmnist.DATA_DIR
SPLIT = ("train: 55,000 of the 60,000 training images; validation: the other 5,000, held out by "
         "fmnist.train_val_split(seed) and used only for early-exit thresholds; test: the 10,000 t10k images")


def exit_resolutions(model, input_size):
    """Per exit: (input resolution of its scale's sub-network, spatial size of the features it classifies).
    Higher-resolution sub-networks down-sample while fusing, so their exits often see small features."""
    exit_scale = [ii for ii, flow in enumerate(block_plan(model.cfg)[1]) for kind, *_ in flow if kind == "norm"]
    features = []
    hooks = [c.register_forward_pre_hook(lambda m, inp: features.append(tuple(inp[0].shape[2:])))
             for c in model.classifier]
    with torch.no_grad():
        x = torch.zeros(1, model.cfg.in_channels, *input_size)
        scales = [tuple(f.shape[2:]) for f in model.FirstLayer(x)]
        model(x)
    for h in hooks:
        h.remove()
    return [(scales[s], f) for s, f in zip(exit_scale, features)]


def model_card(info, model_path, cfg, result, resolutions, params, size_bytes):
    cal = result["calibration"]
    points = cal["operating_points"]
    lines = [
        "# Fashion-MNIST RANet: the default model",
        "",
        "`%s` (%.2f MB, F32) is the model `ranetclassify` loads when no other is given: a Resolution "
        "Adaptive Network (Yang et al., CVPR 2020) with %d exits that classifies 28x28 gray images into the "
        "10 Fashion-MNIST classes (%s)." % (MODEL_NAME, size_bytes / 1e6, len(cal["exit_macs"]),
                                           ", ".join(fmnist.LABELS)),
        "",
        "## Network",
        "",
        "`ranet.config`: `%s`" % cfg.to_json(),
        "",
        "%s parameters. Input: 1 channel (luma), 28x28, pixels scaled to [0, 1] then (x - %.4f) / %.4f; "
        "other frame sizes are stretched bilinearly." % (format(params, ","), fmnist.MEAN[0], fmnist.STD[0]),
        "",
        "## Data and training",
        "",
        "- Data: %s." % DATA,
        "- Split: %s." % SPLIT,
        "- Command: `%s`" % info["command"],
        "- Seed %d; %d epochs, batch %d, SGD with Nesterov momentum, one-cycle learning rate peaking at %g, "
        "weight decay %g; all exits trained jointly (mean of their cross-entropy losses); augmentation: %s."
        % (info["seed"], info["epochs"], info["batch"], info["lr"], info["weight_decay"], info["augment"]),
        "- Wall time: %d s (%.1f h) of training on the CPU with %d threads, PyTorch %s."
        % (info["wall_seconds"], info["wall_seconds"] / 3600.0, info["threads"], info["torch"]),
        "",
        "## Exits",
        "",
        "Multiply-adds count convolutions and linear layers, cumulatively: reaching exit k costs everything "
        "computed before it, including the classifiers of earlier exits.",
        "",
        "| exit | sub-network input | classified features | cumulative multiply-adds | validation accuracy % "
        "| test accuracy % |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for k, macs in enumerate(cal["exit_macs"]):
        (sh, sw), (fh, fw) = resolutions[k]
        lines.append("| %d | %dx%d | %dx%d | %s | %.2f | %.2f |" % (
            k, sh, sw, fh, fw, format(macs, ","), result["val_accuracy"][k], result["test_accuracy"][k]))
    lines += [
        "",
        "## Operating points (`ranet.calibration`)",
        "",
        "Budgeted-batch calibration as in MSDNet/RANet: for each ratio r, exit k should take a share "
        "r^k / sum_j r^j of the frames; its threshold on the maximum softmax probability is set on the "
        "validation split so that it takes that many of the most confident frames still remaining. The test "
        "columns apply those thresholds unchanged to the test set; exit fractions are the test set's. "
        "%d ratios from 0.05 to 5 (log-spaced) gave %d distinct points, in order of expected cost."
        % (len(RATIOS), len(points)),
        "",
        "| point | r | thresholds | exit fractions | expected multiply-adds | validation % | test % |",
        "| ---: | ---: | --- | --- | ---: | ---: | ---: |",
    ]
    for i, p in enumerate(points):
        lines.append("| %d | %.3f | %s | %s | %s | %.2f | %.2f |" % (
            i, p["ratio"], " ".join("%.4f" % t for t in p["thresholds"][:-1]) + " -1",
            " ".join("%.3f" % f for f in p["exit_fractions"]), format(round(p["expected_macs"]), ","),
            p["val_accuracy"], p["test_accuracy"]))
    lines += [
        "",
        "## Reproduce",
        "",
        "```",
        info["command"],
        "/usr/bin/python3 python/make_default_model.py --model %s" % model_path,
        "/usr/bin/python3 python/evaluate.py --model models/%s --operating-point %d"
        % (MODEL_NAME, len(points) // 2),
        "```",
        "",
        "Training is deterministic for a given seed, PyTorch build and thread count; other builds give "
        "slightly different weights.",
        "",
    ]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="/var/tmp/ranet-train/" + MODEL_NAME,
                    help="the model file train.py --data fashion-mnist wrote")
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "models"))
    args = ap.parse_args()

    try:
        model, meta = load(args.model)
    except (OSError, ValueError) as e:
        raise SystemExit(str(e)) from None
    info, cfg = meta["card"], model.cfg
    input_size = tuple(meta["preprocess"]["input_size"])
    if meta["labels"] != fmnist.LABELS or input_size != (28, 28) or "test_accuracy" not in info:
        raise SystemExit("%s: not a model trained by train.py --data fashion-mnist" % args.model)
    result = {"calibration": meta["calibration"], "val_accuracy": info["val_accuracy"],
              "test_accuracy": info["test_accuracy"]}
    print(format_table(result))
    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, MODEL_NAME)
    shutil.copyfile(args.model, path)
    params = sum(v.numel() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")
                 and "running_" not in k)
    text = model_card(info, args.model, cfg, result, exit_resolutions(model, input_size), params,
                      os.path.getsize(path))
    with open(os.path.join(args.out_dir, "MODEL_CARD.md"), "w") as f:
        f.write(text)
    print("wrote %s (%d bytes) and MODEL_CARD.md" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
