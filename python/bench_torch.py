#!/usr/bin/python3
"""PyTorch CPU side of tools/ranet-bench.c: the same model file, the same input, batch 1.

    /usr/bin/python3 python/bench_torch.py --model M.safetensors --input x.f32 --runs 50 --threads 2
        times model(x) (every exit, as the reference forward computes them) and prints one JSON object:
        {"median_ms", "p99_ms", "runs", "threads", "torch", "logits": [[...] per exit]}
        --engines adds "torchscript" and "opencv" objects with their own median_ms and p99_ms (OpenCV's
        also its largest difference from PyTorch's outputs, or "skipped" where cv2 or onnx is missing).
    /usr/bin/python3 python/bench_torch.py --make-model imagenet --out M.safetensors
        writes the ImageNet-style RANet of the paper (its "model 1") with random weights and
        random BatchNorm statistics: a benchmark subject, not a classifier.

The input file holds in_channels x H x W float32 values (CHW, already normalised), the tensor the
C engine's ranet_net_set_input_tensor() takes.
"""

import argparse
import json
import os
import tempfile
import time

import numpy as np
import torch

from ranet.model import RANet
from ranet.model_file import export, load, placeholder_calibration, preprocess_meta
from ranet.presets import PRESETS

# The paper's ImageNet RANet with nChannels 32 (the reference repository's "model 1").
IMAGENET = PRESETS["imagenet"]
IMAGENET_SIZE = (224, 224)
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def make_imagenet(out, seed=0):
    torch.manual_seed(seed)
    model = RANet(IMAGENET).eval()
    # Random BatchNorm statistics, so that folding them into the convolutions is part of what runs.
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.normal_(0.0, 0.1)
            m.running_mean.normal_(0.0, 0.1)
            m.running_var.uniform_(0.5, 1.5)
            assert m.running_var.numel() == n
    preprocess = preprocess_meta(IMAGENET_SIZE, IMAGENET_MEAN, IMAGENET_STD)
    labels = ["class %d" % i for i in range(IMAGENET.num_classes)]
    card = {"weights": "random (torch seed %d)" % seed, "purpose": "benchmark subject for ranet-bench"}
    export(out, model.state_dict(), IMAGENET, preprocess, labels, placeholder_calibration(model, IMAGENET_SIZE),
           card)


def time_runs(fn, runs, warmup):
    """Median and p99 wall ms of fn() over runs calls after warmup; and fn()'s last result."""
    times = []
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        out = fn()
        t1 = time.perf_counter()
        if i >= warmup:
            times.append((t1 - t0) * 1e3)
    times.sort()
    return {"median_ms": times[len(times) // 2], "p99_ms": times[min(len(times) - 1, int(0.99 * len(times)))],
            "runs": runs}, out


# OpenCV's outputs against eager PyTorch's, per exit, relative to that exit's largest |logit|: the
# ImageNet-style model's random BatchNorm statistics put its logits beyond 1e11, so no absolute bound
# fits both models. Both are fp32 with different summation orders (measured: up to 3e-6); a
# module exported in training mode (BatchNorm on batch statistics) is off by 0.25-0.6 (default model).
OPENCV_REL_TOLERANCE = 1e-4


def bench_torchscript(model, x, runs, warmup):
    """The deployment path PyTorch documents for CPU inference: traced, frozen (BatchNorm folded into
    the convolutions, weights as constants) and optimised for inference."""
    with torch.no_grad():
        # strict=False: the model returns a list (one tensor per exit) whose length never changes
        ts = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(model.eval(), x, strict=False)))
        r, _ = time_runs(lambda: ts(x), runs, warmup)
    return r


def inline_identity_initializers(path):
    """torch.onnx.export stores equal weights once (the ImageNet-style model's classifiers start with
    equal biases) and gives the others as Identity nodes of it, which OpenCV 4.6 cannot import: give
    each such output its own copy of the weights instead."""
    import onnx
    model = onnx.load(path)
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    for n in [n for n in g.node if n.op_type == "Identity" and n.input[0] in inits]:
        copy = onnx.TensorProto()
        copy.CopyFrom(inits[n.input[0]])
        copy.name = n.output[0]
        g.initializer.append(copy)
        g.node.remove(n)
    onnx.save(model, path)


def bench_opencv(model, x, runs, warmup, threads, ref):
    """OpenCV DNN on the module exported to ONNX (opset 11, eval mode), checked against ref (eager
    PyTorch's outputs, one array per exit). A missing cv2 or onnx gives a "skipped" entry."""
    try:
        import cv2
        import onnx  # noqa: F401 (torch.onnx.export needs it to check the graph)
    except ImportError as e:
        return {"skipped": "install python3-opencv python3-onnx (%s)" % e}
    names = ["exit%d" % k for k in range(len(ref))]
    with tempfile.TemporaryDirectory(prefix="ranet-onnx-") as d:
        path = os.path.join(d, "model.onnx")
        with torch.no_grad():
            # eval(): exported in training mode, BatchNorm would use batch statistics
            torch.onnx.export(model.eval(), x, path, opset_version=11, input_names=["x"], output_names=names)
        inline_identity_initializers(path)
        net = cv2.dnn.readNetFromONNX(path)
    cv2.setNumThreads(threads)
    xa = x.numpy()

    def forward():
        net.setInput(xa)
        return net.forward(names)

    r, out = time_runs(forward, runs, warmup)
    abs_diff = rel_diff = 0.0
    for o, t in zip(out, ref):
        d = float(np.max(np.abs(o.reshape(-1) - t.reshape(-1))))
        abs_diff = max(abs_diff, d)
        rel_diff = max(rel_diff, d / max(float(np.max(np.abs(t))), 1e-30))
    r.update({"opencv": cv2.__version__, "max_abs_diff": abs_diff, "max_rel_diff": rel_diff,
              "rel_tolerance": OPENCV_REL_TOLERANCE, "ok": rel_diff <= OPENCV_REL_TOLERANCE})
    return r


def bench(path, input_path, runs, warmup, threads, engines=False):
    torch.set_num_threads(threads)
    model, meta = load(path)
    h, w = meta["preprocess"]["input_size"]
    c = meta["preprocess"]["channels"]
    x = torch.from_numpy(np.fromfile(input_path, dtype=np.float32).reshape(1, c, h, w))
    with torch.no_grad():
        result, out = time_runs(lambda: model(x), runs, warmup)
    result.update({"threads": threads, "torch": torch.__version__, "logits": [o[0].tolist() for o in out]})
    if engines:
        ref = [o.numpy() for o in out]
        result["torchscript"] = bench_torchscript(model, x, runs, warmup)
        result["opencv"] = bench_opencv(model, x, runs, warmup, threads, ref)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model")
    ap.add_argument("--input")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--engines", action="store_true",
                    help="also frozen TorchScript and OpenCV DNN (through ONNX): keys torchscript, opencv")
    ap.add_argument("--make-model", choices=["imagenet"])
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.make_model:
        if not args.out:
            ap.error("--make-model needs --out")
        make_imagenet(args.out)
        return
    if not args.model or not args.input:
        ap.error("--model and --input are needed")
    print(json.dumps(bench(args.model, args.input, args.runs, args.warmup, args.threads, args.engines)))


if __name__ == "__main__":
    main()
