"""Named network configurations, and the reference's command-line syntax for their hyper-parameters.

    default   a small Fashion-MNIST network: three scales, five exits, ~14M multiply-adds at 28x28 (the
              built-in model widens it: --grFactor 1-1-1 --bnFactor 1-1-1 --nChannels 32 --growthRate 16
              --step 3, ~23M)
    cifar     the reference's CIFAR network (its args.py defaults: nBlocks 2, step 4, growthRate 6)
    imagenet  the paper's ImageNet network with nChannels 32 (the reference repository's "model 1")

Classes and input channels are the data's; a preset fixes the rest, and any field can be overridden.
"""

import argparse
import dataclasses

from .model import RANetConfig

PRESETS = {
    "default": RANetConfig(scale_list=[1, 2, 3], grFactor=[4, 2, 1], bnFactor=[4, 2, 1], nBlocks=1,
                           block_step=2, step=2, stepmode="even", nChannels=16, growthRate=8,
                           reduction=0.5, compress_factor=0.25, bnAfter=True, stem="cifar",
                           num_classes=10, in_channels=1, head_channels=64),
    "cifar": RANetConfig(),
    "imagenet": RANetConfig(scale_list=[1, 2, 3, 4], grFactor=[4, 2, 2, 1], bnFactor=[4, 2, 2, 1], nBlocks=2,
                            block_step=2, step=8, stepmode="even", nChannels=32, growthRate=16, stem="imagenet",
                            num_classes=1000, in_channels=3),
}

# The fields that options may override, with the reference's option names where it has them.
OVERRIDES = ("scale_list", "grFactor", "bnFactor", "nBlocks", "block_step", "step", "stepmode", "nChannels",
             "growthRate", "reduction", "compress_factor", "stem", "head_channels")


def int_list(text):
    """The reference's list syntax: '4-2-1' -> [4, 2, 1]."""
    try:
        return [int(v) for v in text.split("-")]
    except ValueError:
        raise argparse.ArgumentTypeError("expected integers joined by '-', e.g. 4-2-1, not %r" % text) from None


def add_options(group):
    """Options that override a preset's fields; each defaults to None (keep the preset's)."""
    group.add_argument("--scale-list", dest="scale_list", type=int_list)
    group.add_argument("--grFactor", type=int_list)
    group.add_argument("--bnFactor", type=int_list)
    group.add_argument("--nBlocks", type=int)
    group.add_argument("--block-step", dest="block_step", type=int)
    group.add_argument("--step", type=int)
    group.add_argument("--stepmode", choices=["even", "lg"])
    group.add_argument("--nChannels", type=int)
    group.add_argument("--growthRate", type=int)
    group.add_argument("--reduction", type=float)
    group.add_argument("--compress-factor", dest="compress_factor", type=float)
    group.add_argument("--stem", choices=["cifar", "imagenet"])
    group.add_argument("--head-channels", dest="head_channels", type=int,
                       help="channels of the CIFAR-stem exit classifiers")


def build_config(preset, args, num_classes, in_channels):
    """The preset with the options given in args applied, for the data's classes and channels."""
    changes = {f: getattr(args, f) for f in OVERRIDES if getattr(args, f, None) is not None}
    cfg = dataclasses.replace(PRESETS[preset], num_classes=num_classes, in_channels=in_channels, **changes)
    if not len(cfg.scale_list) == len(cfg.grFactor) == len(cfg.bnFactor):
        raise ValueError("--scale-list, --grFactor and --bnFactor need one entry per scale: %s, %s, %s"
                         % (cfg.scale_list, cfg.grFactor, cfg.bnFactor))
    return cfg
