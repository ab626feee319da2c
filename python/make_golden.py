#!/usr/bin/python3
"""Golden vectors for the engine's model-equivalence tests.

For each model NAME it writes two files into tests/golden/:
  NAME.safetensors     a complete model file (weights and every ranet.* metadata entry)
  NAME-io.safetensors  `input` [N, C, H, W] float32, the already normalised network input, and
                       `logits.<k>` [N, num_classes] float32 for every exit k, computed by PyTorch in eval mode
                       (float32, one thread) from the weights as stored in NAME.safetensors

Models:
  default         the default Fashion-MNIST model (models/fashion-mnist-ranet.safetensors), stored as F16
                  so the file stays small (the logits are those of the F16-rounded weights); input: the
                  first 4 test images, preprocessed as the model file says
  cifar-lg        random weights, CIFAR stem, stepmode lg, bnAfter false (pre-activation layers), 32x32, N=2
  imagenet-small  random weights, ImageNet stem (7x7 stride-2 convolution with bias, max pool) and heads,
                  four scales, 224x224, N=1

The random models use compress_factor 0.5: with the default 0.25, growthRate 2 at grFactor 1 gives fusion
layers floor(2 * 0.25) = 0 up-sampled channels, which the reference cannot build either.

Random models get random BatchNorm statistics and affine parameters (running_var in [0.5, 2]) so that a
wrong BatchNorm fold in the engine changes the logits, random classifier biases, and classifier weights
scaled so that the input-dependent part of the logits is large (standard deviation 2). Seeds are fixed, so
the files are reproducible bit for bit on the same PyTorch build.

    /usr/bin/python3 python/make_golden.py                    # all three
    /usr/bin/python3 python/make_golden.py --only default     # after the default model exists
"""

import argparse
import os

import torch
import torch.nn as nn

from ranet import fmnist, safetensors_io
from ranet.evaluation import network_input
from ranet.model import RANet, RANetConfig
from ranet.model_file import export, load, placeholder_calibration, preprocess_meta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 20200614

RANDOM_MODELS = {
    "cifar-lg": (RANetConfig(scale_list=[1, 2, 3], grFactor=[4, 2, 1], bnFactor=[4, 2, 1], nBlocks=2,
                             block_step=1, step=1, stepmode="lg", nChannels=4, growthRate=2, compress_factor=0.5,
                             bnAfter=False, stem="cifar", num_classes=10, in_channels=3, head_channels=8),
                 (32, 32), 2, [0.4914, 0.4824, 0.4467], [0.2471, 0.2435, 0.2616]),
    "imagenet-small": (RANetConfig(scale_list=[1, 2, 3, 4], grFactor=[4, 2, 2, 1], bnFactor=[4, 2, 2, 1], nBlocks=1,
                                   block_step=1, step=1, stepmode="even", nChannels=4, growthRate=2,
                                   compress_factor=0.5, bnAfter=True, stem="imagenet", num_classes=10,
                                   in_channels=3),
                       (224, 224), 1, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
}


def randomize(model, gen):
    """Non-trivial BatchNorm (statistics and affine) and linear biases, drawn from `gen`."""
    def uniform(t, lo, hi):
        t.copy_(torch.rand(t.shape, generator=gen) * (hi - lo) + lo)

    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                uniform(m.running_mean, -0.5, 0.5)
                uniform(m.running_var, 0.5, 2.0)
                uniform(m.weight, 0.5, 1.5)
                uniform(m.bias, -0.3, 0.3)
            elif isinstance(m, nn.Linear):
                uniform(m.bias, -0.5, 0.5)


def scale_heads(model, x, target_std=2.0):
    """Rescale each exit's linear weights so that its logits on `x`, bias aside, have standard deviation
    `target_std`: random deep networks otherwise give logits that hardly depend on the input, and a
    comparison of such logits would miss errors in the body of the network."""
    with torch.no_grad():
        for classifier, logits in zip(model.classifier, model(x)):
            classifier.linear.weight.mul_(target_std / (logits - classifier.linear.bias).std())


def write_io(path, model, x, model_file):
    with torch.no_grad():
        outs = model(x)
    tensors = {"input": x.numpy()}
    tensors.update({"logits.%d" % k: o.numpy() for k, o in enumerate(outs)})
    safetensors_io.write(path, tensors, {"model": model_file})
    return outs


def make_random(name, out_dir):
    cfg, size, n, mean, std = RANDOM_MODELS[name]
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    model = RANet(cfg)
    randomize(model, gen)
    model.eval()
    x = torch.randn(n, cfg.in_channels, *size, generator=gen)
    scale_heads(model, x)
    card = {"source": "random weights, python/make_golden.py", "seed": SEED,
            "calibration": "placeholder: every frame to the last exit"}
    model_path = os.path.join(out_dir, name + ".safetensors")
    export(model_path, model.state_dict(), cfg, preprocess_meta(size, mean, std),
           [str(i) for i in range(cfg.num_classes)], placeholder_calibration(model, size), card)
    reloaded, _ = load(model_path)
    return model_path, write_io(os.path.join(out_dir, name + "-io.safetensors"), reloaded, x,
                                os.path.basename(model_path))


def make_default(out_dir, source):
    if not os.path.exists(source):
        raise SystemExit("%s does not exist: run python/make_default_model.py first, or leave 'default' out "
                         "with --only" % source)
    model, meta = load(source)
    model_path = os.path.join(out_dir, "default.safetensors")
    card = dict(meta["card"], golden="F16 copy of %s" % os.path.relpath(source, ROOT))
    export(model_path, model.state_dict(), model.cfg, meta["preprocess"], meta["labels"], meta["calibration"],
           card, dtype="f16")
    reloaded, _ = load(model_path)
    images, _ = fmnist.load("t10k")
    x = network_input(images[:4], meta["preprocess"])
    return model_path, write_io(os.path.join(out_dir, "default-io.safetensors"), reloaded, x,
                                os.path.basename(model_path))


def main():
    names = ["default"] + sorted(RANDOM_MODELS)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", choices=names, default=names, help="models to write (default: all)")
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "tests", "golden"))
    ap.add_argument("--default-model", default=os.path.join(ROOT, "models", "fashion-mnist-ranet.safetensors"),
                    help="source of the 'default' golden model")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out_dir, exist_ok=True)
    for name in args.only:
        if name == "default":
            path, outs = make_default(args.out_dir, args.default_model)
        else:
            path, outs = make_random(name, args.out_dir)
        io_path = path.replace(".safetensors", "-io.safetensors")
        print("%s: %d exits; logits std per exit %s; %d + %d bytes" % (
            name, len(outs), " ".join("%.2f" % o.std().item() for o in outs),
            os.path.getsize(path), os.path.getsize(io_path)))


if __name__ == "__main__":
    main()
