#!/usr/bin/python3
"""Convert a checkpoint trained with the authors' RANet code (RANet-pytorch) into a model file.

The reference saves `{'state_dict': ..., 'epoch': ..., ...}` (`.pth.tar`) from a DataParallel model, so its
names start with `module.`; a bare state_dict works too. The network is not stored in the checkpoint, so
give the hyper-parameters exactly as they were given to the reference's main.py (same option names and
`4-2-1` list syntax); the weights are then checked name for name and shape for shape against the network
they build, and a mismatch lists every missing, unexpected or differently shaped tensor.

The reference always builds bnAfter=True layers whatever its --bnAfter flag says, so imported files say
bnAfter true. Input size, mean and std default to the reference's for the data set (32x32 for CIFAR,
224x224 for ImageNet). Without data to calibrate on, the file gets a placeholder calibration: the real
cumulative multiply-adds of each exit and a single operating point that runs every frame to the last exit.

    /usr/bin/python3 python/import_checkpoint.py model_best.pth.tar --data cifar10 --nBlocks 2 --step 4 \\
        --stepmode even --block-step 2 --growthRate 6 --out ranet-cifar10.safetensors
"""

import argparse
import os

import torch

from ranet.model import RANetConfig
from ranet.model_file import (DTYPES, build_model, export, placeholder_calibration, preprocess_meta,
                              read_labels, unwrap_checkpoint)

# The reference's data sets: (stem, classes, input size, normalisation mean, std), from its dataloader.
DATASETS = {
    "cifar10": ("cifar", 10, 32, [0.4914, 0.4824, 0.4467], [0.2471, 0.2435, 0.2616]),
    "cifar100": ("cifar", 100, 32, [0.5071, 0.4867, 0.4408], [0.2675, 0.2565, 0.2761]),
    "ImageNet": ("imagenet", 1000, 224, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
}
CIFAR_HEAD_CHANNELS = 128  # the reference's CIFAR classifiers are fixed at 128 channels


def int_list(text):
    """The reference's list syntax: '4-2-1' -> [4, 2, 1]."""
    try:
        return [int(v) for v in text.split("-")]
    except ValueError:
        raise argparse.ArgumentTypeError("expected integers joined by '-', e.g. 4-2-1, not %r" % text) from None


def config_from_args(args):
    stem, classes, _, _, _ = DATASETS[args.data]
    if not len(args.scale_list) == len(args.grFactor) == len(args.bnFactor):
        raise SystemExit("--scale-list, --grFactor and --bnFactor need one entry per scale: %s, %s, %s"
                         % (args.scale_list, args.grFactor, args.bnFactor))
    return RANetConfig(scale_list=args.scale_list, grFactor=args.grFactor, bnFactor=args.bnFactor,
                       nBlocks=args.nBlocks, block_step=args.block_step, step=args.step, stepmode=args.stepmode,
                       nChannels=args.nChannels, growthRate=args.growthRate, reduction=args.reduction,
                       compress_factor=args.compress_factor, bnAfter=True, stem=stem, num_classes=classes,
                       in_channels=3, head_channels=CIFAR_HEAD_CHANNELS)


def parser():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint", help="reference checkpoint (.pth / .pth.tar)")
    ap.add_argument("--out", required=True, help="model file to write (.safetensors)")
    ref = ap.add_argument_group("reference hyper-parameters (same names and defaults as RANet-pytorch's args.py)")
    ref.add_argument("--data", choices=sorted(DATASETS), default="cifar10",
                     help="sets the stem, the number of classes and the preprocessing defaults")
    ref.add_argument("--scale-list", type=int_list, default=[1, 2, 3])
    ref.add_argument("--grFactor", type=int_list, default=[4, 2, 1])
    ref.add_argument("--bnFactor", type=int_list, default=[4, 2, 1])
    ref.add_argument("--nBlocks", type=int, default=2)
    ref.add_argument("--block-step", type=int, default=2)
    ref.add_argument("--step", type=int, default=4)
    ref.add_argument("--stepmode", choices=["even", "lg"], default="even")
    ref.add_argument("--nChannels", type=int, default=16)
    ref.add_argument("--growthRate", type=int, default=6)
    ref.add_argument("--reduction", type=float, default=0.5)
    ref.add_argument("--compress-factor", type=float, default=0.25)
    ref.add_argument("--bnAfter", action="store_true",
                     help="accepted so reference command lines can be pasted; the reference builds bnAfter "
                          "layers whether it is given or not, and so does this import")
    pre = ap.add_argument_group("model file")
    pre.add_argument("--input-size", type=int, nargs=2, metavar=("H", "W"),
                     help="network input size (default: 32 32 for CIFAR, 224 224 for ImageNet)")
    pre.add_argument("--mean", type=float, nargs=3, help="per-channel mean (default: the reference's for --data)")
    pre.add_argument("--std", type=float, nargs=3, help="per-channel std (default: the reference's for --data)")
    pre.add_argument("--labels", help="text file with one class name per line (default: '0', '1', ...)")
    pre.add_argument("--dtype", choices=sorted(DTYPES), default="f32", help="storage type of the weights")
    return ap


def main(argv=None):
    args = parser().parse_args(argv)
    cfg = config_from_args(args)
    _, classes, size, mean, std = DATASETS[args.data]
    input_size = args.input_size or [size, size]
    if args.labels:
        labels = read_labels(args.labels)
    else:
        labels = [str(i) for i in range(classes)]

    state_dict = unwrap_checkpoint(torch.load(args.checkpoint, map_location="cpu"))
    try:
        model = build_model(cfg, state_dict)
    except ValueError as e:
        raise SystemExit("%s: %s" % (args.checkpoint, e)) from None
    card = {"source": "RANet reference checkpoint", "checkpoint": os.path.basename(args.checkpoint),
            "data": args.data, "calibration": "placeholder: every frame to the last exit"}
    export(args.out, model.state_dict(), cfg, preprocess_meta(input_size, args.mean or mean, args.std or std),
           labels, placeholder_calibration(model, input_size), card, args.dtype)
    print("wrote %s: %d exits" % (args.out, model.num_exits))


if __name__ == "__main__":
    main()
