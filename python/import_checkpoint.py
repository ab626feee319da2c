#!/usr/bin/python3
"""Convert a checkpoint trained with the authors' RANet code (RANet-pytorch) into a model file.

The reference saves `{'state_dict': ..., 'epoch': ..., ...}` (`.pth.tar`) from a DataParallel model, so its
names start with `module.`; a bare state_dict works too. The network is not stored in the checkpoint, so
give the hyper-parameters exactly as they were given to the reference's main.py (same option names and
`4-2-1` list syntax); the weights are then checked name for name and shape for shape against the network
they build, and a mismatch lists every missing, unexpected or differently shaped tensor.

The reference always builds bnAfter=True layers whatever its --bnAfter flag says, so imported files say
bnAfter true. Input size, mean and std default to the reference's for the data set (32x32 for CIFAR,
224x224 for ImageNet). With --calibrate-on FOLDER (one subfolder of images per class, named as the labels)
the file gets the operating points of that folder (ranet.calibration) and the accuracy table is printed;
without it, a placeholder calibration: the real cumulative multiply-adds of each exit and a single operating
point that runs every frame to the last exit. Labels come from --labels, else the folder's class names, else
'0', '1', ...; the number of classes is theirs.

    /usr/bin/python3 python/import_checkpoint.py model_best.pth.tar --data cifar10 --nBlocks 2 --step 4 \\
        --stepmode even --block-step 2 --growthRate 6 --out ranet-cifar10.safetensors
"""

import argparse
import os

import torch

from ranet import image_folder
from ranet.calibration import calibrate_on, format_table
from ranet.model import RANetConfig
from ranet.model_file import (DTYPES, build_model, export, placeholder_calibration, preprocess_meta,
                              read_labels, unwrap_checkpoint)
from ranet.presets import int_list

# The reference's data sets: (stem, classes, input size, normalisation mean, std), from its dataloader.
DATASETS = {
    "cifar10": ("cifar", 10, 32, [0.4914, 0.4824, 0.4467], [0.2471, 0.2435, 0.2616]),
    "cifar100": ("cifar", 100, 32, [0.5071, 0.4867, 0.4408], [0.2675, 0.2565, 0.2761]),
    "ImageNet": ("imagenet", 1000, 224, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
}
CIFAR_HEAD_CHANNELS = 128  # the reference's CIFAR classifiers are fixed at 128 channels


def config_from_args(args, classes):
    stem = DATASETS[args.data][0]
    if not len(args.scale_list) == len(args.grFactor) == len(args.bnFactor):
        raise SystemExit("--scale-list, --grFactor and --bnFactor need one entry per scale: %s, %s, %s"
                         % (args.scale_list, args.grFactor, args.bnFactor))
    return RANetConfig(scale_list=args.scale_list, grFactor=args.grFactor, bnFactor=args.bnFactor,
                       nBlocks=args.nBlocks, block_step=args.block_step, step=args.step, stepmode=args.stepmode,
                       nChannels=args.nChannels, growthRate=args.growthRate, reduction=args.reduction,
                       compress_factor=args.compress_factor, bnAfter=True, stem=stem, num_classes=classes,
                       in_channels=args.in_channels, head_channels=args.head_channels)


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
    ext = ap.add_argument_group("beyond the reference (its values by default)")
    ext.add_argument("--in-channels", type=int, choices=[1, 3], default=3, help="input channels: 1 grey, 3 colour")
    ext.add_argument("--head-channels", type=int, default=CIFAR_HEAD_CHANNELS,
                     help="channels of the CIFAR-stem exit classifiers")
    pre = ap.add_argument_group("model file")
    pre.add_argument("--input-size", type=int, nargs=2, metavar=("H", "W"),
                     help="network input size (default: 32 32 for CIFAR, 224 224 for ImageNet)")
    pre.add_argument("--mean", type=float, nargs="+",
                     help="per-channel mean (default: the reference's for --data, for three channels)")
    pre.add_argument("--std", type=float, nargs="+",
                     help="per-channel std (default: the reference's for --data, for three channels)")
    pre.add_argument("--labels", help="text file with one class name per line (default: '0', '1', ...)")
    pre.add_argument("--calibrate-on", metavar="FOLDER",
                     help="calibrate on this folder of labelled images instead of the placeholder calibration")
    pre.add_argument("--dtype", choices=sorted(DTYPES), default="f32", help="storage type of the weights")
    return ap


def main(argv=None):
    args = parser().parse_args(argv)
    _, classes, size, mean, std = DATASETS[args.data]
    input_size = args.input_size or [size, size]
    mean, std = args.mean or mean, args.std or std
    if len(mean) != args.in_channels or len(std) != args.in_channels:
        raise SystemExit("--mean and --std need %d values, one per input channel" % args.in_channels)
    try:
        if args.labels:
            labels = read_labels(args.labels)
        elif args.calibrate_on:
            labels = image_folder.scan(args.calibrate_on)[0]
        else:
            labels = [str(i) for i in range(classes)]
    except (OSError, image_folder.FolderError) as e:
        raise SystemExit(str(e)) from None
    cfg = config_from_args(args, len(labels))

    state_dict = unwrap_checkpoint(torch.load(args.checkpoint, map_location="cpu"))
    try:
        model = build_model(cfg, state_dict)
    except ValueError as e:
        raise SystemExit("%s: %s" % (args.checkpoint, e)) from None
    preprocess = preprocess_meta(input_size, mean, std)
    card = {"source": "RANet reference checkpoint", "checkpoint": os.path.basename(args.checkpoint),
            "data": args.data}
    if args.calibrate_on:
        try:
            val = image_folder.load_for_model(args.calibrate_on, labels, preprocess)
        except image_folder.FolderError as e:
            raise SystemExit(str(e)) from None
        result = calibrate_on(model, val, None, input_size)
        print(format_table(result))
        calibration = result["calibration"]
        card.update(calibration="operating points from %s (%d images)" % (args.calibrate_on, len(val[1])),
                    val_accuracy=result["val_accuracy"])
    else:
        calibration = placeholder_calibration(model, input_size)
        card["calibration"] = "placeholder: every frame to the last exit"
    export(args.out, model.state_dict(), cfg, preprocess, labels, calibration, card, args.dtype)
    print("wrote %s: %d exits" % (args.out, model.num_exits))


if __name__ == "__main__":
    main()
