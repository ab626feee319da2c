#!/usr/bin/python3
"""Evaluate a model file on the Fashion-MNIST test set, the way the engine runs it.

Reads the file itself (weights, preprocessing, calibration), so it checks what was exported, not the
training checkpoint. Preprocessing follows `ranet.preprocess`: uint8 pixels p become (p / 255 - mean) / std
(28x28 models need no resize; other sizes are stretched bilinearly with half-pixel centres, and 3-channel
models get the gray value in every channel, as the engine does with GRAY8 frames).

Policies: no option runs every frame to the last exit; --threshold T lets a frame leave at the first exit
whose maximum softmax probability is >= T (the last exit takes the rest); --operating-point N uses the
per-exit thresholds of calibration point N (0-based, points in order of expected multiply-adds).
The last line is machine-readable: accuracy=<percent> mean_exit=<0-based exit> mean_macs=<multiply-adds>.

    /usr/bin/python3 python/evaluate.py --model models/fashion-mnist-ranet.safetensors --operating-point 10
"""

import argparse

import numpy as np
import torch

from ranet import fmnist
from ranet.evaluation import accuracy_at, apply_thresholds, exit_outputs, network_input
from ranet.model_file import load


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="model file (.safetensors with ranet.* metadata)")
    policy = ap.add_mutually_exclusive_group()
    policy.add_argument("--threshold", type=float, help="one confidence threshold for every exit but the last")
    policy.add_argument("--operating-point", type=int, metavar="N", help="index into the calibration's points")
    ap.add_argument("--limit", type=int, metavar="N", help="only the first N test images")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    model, meta = load(args.model)
    images, labels = fmnist.load("t10k")
    if args.limit is not None:
        if args.limit < 1:
            ap.error("--limit %d: not a number of images" % args.limit)
        images, labels = images[:args.limit], labels[:args.limit]
    conf, pred = exit_outputs(model, network_input(images, meta["preprocess"]))
    num_exits = conf.shape[0]
    macs = np.asarray(meta["calibration"]["exit_macs"], dtype=np.float64)

    print("exit  cumulative MACs  test accuracy %")
    for k in range(num_exits):
        print("%4d  %15d  %15.2f" % (k, macs[k], 100.0 * np.mean(pred[k] == labels)))

    if args.threshold is not None:
        thresholds = [args.threshold] * (num_exits - 1) + [-1.0]
        name = "fixed threshold %g" % args.threshold
    elif args.operating_point is not None:
        points = meta["calibration"]["operating_points"]
        if not 0 <= args.operating_point < len(points):
            ap.error("--operating-point %d: the model has %d points (0..%d)"
                     % (args.operating_point, len(points), len(points) - 1))
        thresholds = points[args.operating_point]["thresholds"]
        name = "operating point %d (thresholds %s)" % (args.operating_point,
                                                      " ".join("%.4f" % t for t in thresholds))
    else:
        thresholds = None
        name = "every frame to the last exit"
    exits = np.full(len(labels), num_exits - 1) if thresholds is None else apply_thresholds(conf, thresholds)
    acc = accuracy_at(pred, labels, exits)
    print("policy: %s" % name)
    print("exit fractions: %s" % " ".join("%.4f" % f for f in np.bincount(exits, minlength=num_exits) / len(exits)))
    print("accuracy=%.2f mean_exit=%.4f mean_macs=%.1f" % (acc, exits.mean(), macs[exits].mean()))


if __name__ == "__main__":
    main()
