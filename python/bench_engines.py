#!/usr/bin/python3
"""The engine against the engines a user would pick instead, in one run: same model file, same input, batch 1.

    /usr/bin/python3 python/bench_engines.py [--config imagenet] [--frames N] [--runs N]

Rows, each a full-network forward pass (every exit):
  - ranet (tools/ranet-bench's one-frame time, `ranet_net_run()`) with nothing set in the environment,
    and again with LP_NUM_THREADS=0 (lavapipe without its worker threads);
  - PyTorch eager, frozen TorchScript and OpenCV DNN through ONNX (python/bench_torch.py --engines).
Prints one Markdown table with ratios ranet / that engine (below 1: ranet is faster). Exits 1 when OpenCV's
outputs differ from PyTorch's by more than bench_torch.OPENCV_REL_TOLERANCE. OpenCV and ONNX (Debian's
python3-opencv, python3-onnx) are needed for the OpenCV row only; without them the row says so.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import bench_torch

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODEL = os.path.join(HERE, "..", "models", "fashion-mnist-ranet.safetensors")
DEFAULT_BENCH = os.path.join(HERE, "..", "build", "tools", "ranet-bench")

ONE_FRAME = re.compile(r"^Every exit as one frame .*: wall median ([0-9.]+) ms, p99 ([0-9.]+) ms", re.M)
DEVICE = re.compile(r"^Device: (.*?)\. Input", re.M)


def run_ranet(args, model_args, env_extra, input_path):
    """ranet-bench's one-frame wall median and p99 (ms) and the device name, with env_extra set."""
    cmd = [args.ranet_bench] + model_args + ["--no-torch", "-n", str(args.frames), "--profile-runs", "1",
                                             "--preprocess-runs", "1", "--save-input", input_path]
    env = dict(os.environ, **env_extra)
    out = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    m = ONE_FRAME.search(out)
    if m is None:
        raise RuntimeError("no one-frame time in the output of %s" % " ".join(cmd))
    return float(m.group(1)), float(m.group(2)), DEVICE.search(out).group(1)


def table(title, ours, others):
    """ours: [(label, median, p99)] of ranet; others: [(label, result dict)]."""
    base = [o for o in ours if o[1] is not None]
    lines = ["| %s | median ms | p99 ms | %s |" % (title, " | ".join("%s / this" % b[0] for b in base)),
             "| --- | ---: | ---: |%s" % (" ---: |" * len(base))]
    for label, med, p99 in ours:
        lines.append("| %s | %.3f | %.3f |%s" % (label, med, p99,
                                                  "".join(" %.2f |" % (b[1] / med) for b in base)))
    for label, r in others:
        if "skipped" in r:
            lines.append("| %s | skipped: %s | |%s" % (label, r["skipped"], " |" * len(base)))
        else:
            lines.append("| %s | %.3f | %.3f |%s" % (label, r["median_ms"], r["p99_ms"],
                                                      "".join(" %.2f |" % (b[1] / r["median_ms"]) for b in base)))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", choices=["default", "imagenet"], default="default",
                    help="default: models/fashion-mnist-ranet.safetensors; imagenet: ranet-bench --config "
                         "imagenet's random-weight model at 224x224")
    ap.add_argument("--model", help="a model file instead of --config's")
    ap.add_argument("--model-cache", default="/var/tmp/ranet-bench/imagenet-random.safetensors",
                    help="with --config imagenet: the model file, written first if missing (525 MB)")
    ap.add_argument("--frames", type=int, default=200, help="ranet-bench frames (default 200)")
    ap.add_argument("--runs", type=int, default=50, help="runs of each Python engine (default 50)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="PyTorch and OpenCV threads")
    ap.add_argument("--ranet-bench", default=DEFAULT_BENCH, help="default: build/tools/ranet-bench")
    args = ap.parse_args()

    if args.config == "imagenet" and not args.model:
        os.makedirs(os.path.dirname(args.model_cache), exist_ok=True)
        model_path, model_args = args.model_cache, ["--config", "imagenet", "--model-cache", args.model_cache]
    else:
        model_path = args.model or DEFAULT_MODEL
        model_args = [model_path]

    with tempfile.TemporaryDirectory(prefix="ranet-engines-") as d:
        input_path = os.path.join(d, "input.f32")
        # LP_NUM_THREADS is read when lavapipe makes its device: one process per setting
        plain = run_ranet(args, model_args, {}, input_path)
        nothreads = run_ranet(args, model_args, {"LP_NUM_THREADS": "0"}, input_path)
        # the input ranet-bench wrote (the same in both runs), for the Python engines
        torch_r = bench_torch.bench(model_path, input_path, args.runs, args.warmup, args.threads, engines=True)

    ours = [("ranet, nothing set", plain[0], plain[1]), ("ranet, LP_NUM_THREADS=0", nothreads[0], nothreads[1])]
    others = [("PyTorch %s eager, %d threads" % (torch_r["torch"], args.threads), torch_r),
              ("PyTorch frozen TorchScript", torch_r["torchscript"]),
              ("OpenCV DNN %s(ONNX opset 11), %d threads" % (torch_r["opencv"].get("opencv", "") + " ", args.threads)
               if "skipped" not in torch_r["opencv"] else "OpenCV DNN", torch_r["opencv"])]
    print("Model %s; ranet on %s, %d frames; Python engines %d runs after %d of warm-up.\n"
          % (os.path.basename(model_path), plain[2], args.frames, args.runs, args.warmup))
    print(table("full network, batch 1", ours, others))
    cv = torch_r["opencv"]
    if "skipped" in cv:
        return 0
    print("\nOpenCV against PyTorch eager, every exit: largest difference %.3g (%.2g of that exit's largest "
          "logit; tolerance %g): %s" % (cv["max_abs_diff"], cv["max_rel_diff"], cv["rel_tolerance"],
                                       "ok" if cv["ok"] else "FAILED"))
    return 0 if cv["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
