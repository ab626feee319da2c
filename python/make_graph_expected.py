#!/usr/bin/python3
"""Writes tests/data/graph-NAME.txt: what the reference PyTorch builder makes of a few configs.

Each file holds the config (JSON), the input size, the cumulative multiply-adds per exit as
ranet.model.exit_macs() counts them, and every state_dict tensor (without num_batches_tracked) with
its shape. test-graph compares the C graph against them; rerun this after changing python/ranet/model.py:

    /usr/bin/python3 python/make_graph_expected.py
"""

import os

from ranet.model import RANet, RANetConfig, exit_macs

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "data")

CONFIGS = {
    # the reference's CIFAR network
    "cifar-default": (RANetConfig(), (32, 32)),
    # the shipped Fashion-MNIST layout
    "fmnist": (RANetConfig(nBlocks=1, block_step=2, step=2, nChannels=16, growthRate=8, in_channels=1,
                           head_channels=64), (28, 28)),
    # lg steps, pre-activation bottlenecks, two equal scales (stride 1 in the first layer, -0 slice)
    "lg-preact-4scale": (RANetConfig(scale_list=[1, 2, 2, 3], grFactor=[4, 2, 2, 1], bnFactor=[4, 2, 2, 1],
                                     nBlocks=2, block_step=1, step=1, stepmode="lg", nChannels=4,
                                     growthRate=3, compress_factor=0.34, bnAfter=False, head_channels=16),
                         (32, 32)),
    # one scale: no fusion at all
    "one-scale": (RANetConfig(scale_list=[1], grFactor=[2], bnFactor=[2], nBlocks=3, step=2, nChannels=6,
                              growthRate=4, num_classes=5, in_channels=1, head_channels=8), (8, 8)),
    # the reference's ImageNet network, non-square input
    "imagenet-ref": (RANetConfig(scale_list=[1, 2, 3, 4], grFactor=[4, 2, 2, 1], bnFactor=[4, 2, 2, 1],
                                 nBlocks=2, block_step=2, step=4, stepmode="even", nChannels=32,
                                 growthRate=16, stem="imagenet", num_classes=1000), (224, 192)),
}


def main():
    for name, (cfg, size) in CONFIGS.items():
        model = RANet(cfg)
        macs = exit_macs(model, size)
        lines = ["# written by python/make_graph_expected.py from python/ranet/model.py; do not edit",
                 "config " + cfg.to_json(),
                 "input_size %d %d" % size,
                 "exit_macs " + " ".join(str(m) for m in macs)]
        for k, v in model.state_dict().items():
            if not k.endswith("num_batches_tracked"):
                lines.append("tensor %s %s" % (k, " ".join(str(d) for d in v.shape)))
        with open(os.path.join(OUT, "graph-%s.txt" % name), "w") as f:
            f.write("\n".join(lines) + "\n")
        print("%s: %d exits, %d tensors" % (name, len(macs), len(lines) - 4))


if __name__ == "__main__":
    main()
