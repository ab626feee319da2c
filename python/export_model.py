#!/usr/bin/python3
"""Write a trained RANet as a model file (.safetensors + ranet.* metadata) that the engine loads.

The weights are checked against the network the config builds, name for name and shape for shape, and the
metadata against what the engine's loader accepts, before anything is written (ranet.model_file).

    /usr/bin/python3 python/export_model.py --weights final.pt --config train_info.json --out model.safetensors
"""

import argparse
import json
import os

import torch

from ranet import fmnist
from ranet.model import RANet, RANetConfig
from ranet.model_file import (DTYPES, export, placeholder_calibration, preprocess_meta, read_labels,
                              unwrap_checkpoint)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True,
                    help="torch checkpoint: a state_dict, or a dict holding one under 'state_dict' or 'model'")
    ap.add_argument("--config", required=True,
                    help="JSON file with the RANetConfig, either the object itself or under 'config' "
                         "(as in train.py's train_info.json)")
    ap.add_argument("--out", required=True, help="model file to write")
    ap.add_argument("--input-size", type=int, nargs=2, metavar=("H", "W"), default=[28, 28])
    ap.add_argument("--mean", type=float, nargs="+", default=None, help="per-channel mean (default: Fashion-MNIST's)")
    ap.add_argument("--std", type=float, nargs="+", default=None, help="per-channel std (default: Fashion-MNIST's)")
    ap.add_argument("--labels", help="text file, one label per line (default: Fashion-MNIST's when 10 classes)")
    ap.add_argument("--calibration", help="JSON file written by calibrate.py, or the bare calibration object "
                                          "(default: a placeholder that runs every frame to the last exit)")
    ap.add_argument("--card", help="JSON file with provenance (default: the weights file name)")
    ap.add_argument("--dtype", choices=sorted(DTYPES), default="f32", help="storage type of the weights")
    args = ap.parse_args()

    with open(args.config) as f:
        conf = json.load(f)
    cfg = RANetConfig.from_dict(conf.get("config", conf))
    sd = unwrap_checkpoint(torch.load(args.weights, map_location="cpu"))
    preprocess = preprocess_meta(args.input_size, args.mean or fmnist.MEAN, args.std or fmnist.STD)
    if args.labels:
        labels = read_labels(args.labels)
    else:
        labels = fmnist.LABELS if cfg.num_classes == len(fmnist.LABELS) else [str(i) for i in range(cfg.num_classes)]
    if args.calibration:
        with open(args.calibration) as f:
            calibration = json.load(f)
        calibration = calibration.get("calibration", calibration)
    else:
        calibration = placeholder_calibration(RANet(cfg), args.input_size)
    if args.card:
        with open(args.card) as f:
            card = json.load(f)
    else:
        card = {"weights": os.path.basename(args.weights)}
    export(args.out, sd, cfg, preprocess, labels, calibration, card, args.dtype)
    print("wrote %s (%d bytes)" % (args.out, os.path.getsize(args.out)))


if __name__ == "__main__":
    main()
