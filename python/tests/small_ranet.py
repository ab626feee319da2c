"""A small RANet for the tests: quick to build and run, yet with every block type of the reference's CIFAR
layout."""

import torch

from ranet.model import RANet, RANetConfig

SMALL = RANetConfig(scale_list=[1, 2, 3], grFactor=[4, 2, 1], bnFactor=[4, 2, 1], nBlocks=2, block_step=2,
                    step=2, stepmode="even", nChannels=4, growthRate=4, stem="cifar", num_classes=10,
                    in_channels=3, head_channels=128)
# the same network as python/import_checkpoint.py options (the reference's)
SMALL_ARGS = ["--data", "cifar10", "--nChannels", "4", "--growthRate", "4", "--step", "2"]


def small_model(seed=0):
    torch.manual_seed(seed)
    model = RANet(SMALL)
    with torch.no_grad():  # trained-looking BatchNorm statistics, so that loading them matters
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
    return model.eval()
