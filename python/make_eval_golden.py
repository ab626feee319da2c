#!/usr/bin/python3
"""PyTorch's answers for ranet-eval's test (tests/check_eval.py): the default model on the first Fashion-MNIST
test images under a few early-exit policies.

Writes tests/golden/fashion-mnist-eval.txt, a text file of lines:
  model NAME sha256 HEX          the model file the answers are for (models/NAME)
  images N sha256 HEX            the first N test images (their pixels, after the IDX header)
  labels N sha256 HEX            and their labels
  policy [ARGS]                  a policy, as ranet-eval's and python/evaluate.py's options; then, for it:
  line TEXT                      a line of python/evaluate.py's output (--limit N ARGS) that ranet-eval must print
                                 as it is: the per-exit table, the policy, the exit fractions and the summary
  image=I class=C exit=K confidence=P
                                 image I leaves at exit K with class C and top softmax probability P (float32,
                                 printed with %.9g), as ranet-eval --per-image prints it
  # ...                          a comment

The per-image answers come from the functions python/evaluate.py uses (network_input, exit_outputs,
apply_thresholds), in float32 on one thread. Where another float32 implementation may honestly decide
otherwise, an image is left out rather than the check loosened: when one of the confidences that decide its
exit (those of every exit up to the one it takes, but the last) lies within MARGIN of that exit's threshold, or
when the top two probabilities at the exit it takes lie within MARGIN of each other (the class could flip). A
policy with an image left out, or with such a near tie at any exit, keeps no evaluate.py lines, whose
accuracies and fractions that image could change. Every image left out is named in a comment. (With the
model as committed, none is: the closest confidence is 3e-5 from its threshold.)

    /usr/bin/python3 python/make_eval_golden.py
"""

import argparse
import hashlib
import os
import subprocess
import sys

import numpy as np
import torch

from ranet import fmnist
from ranet.evaluation import apply_thresholds, exit_outputs, network_input
from ranet.model_file import load

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = "fashion-mnist-ranet.safetensors"
N_IMAGES = 100
# an early operating point (exits 0, 1 and 3 taken), the README's (every exit taken), a late one
POLICIES = [["--operating-point", "5"], ["--operating-point", "20"], ["--operating-point", "30"]]
MARGIN = 1e-5


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def policy_thresholds(meta, args, num_exits):
    if not args:
        return None
    if args[0] == "--threshold":
        return [float(args[1])] * (num_exits - 1) + [-1.0]
    assert args[0] == "--operating-point"
    return meta["calibration"]["operating_points"][int(args[1])]["thresholds"]


def top_two_gap(conf_probs):
    """conf_probs [classes]: the gap between the largest and second largest probability."""
    top = np.sort(conf_probs)[-2:]
    return float(top[1] - top[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "golden", "fashion-mnist-eval.txt"))
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    model_path = os.path.join(ROOT, "models", MODEL)
    model, meta = load(model_path)
    images, labels = fmnist.load("t10k")
    images, labels = images[:N_IMAGES], labels[:N_IMAGES]
    x = network_input(images, meta["preprocess"])
    conf, pred = exit_outputs(model, x)
    with torch.no_grad():
        probs = torch.stack([torch.softmax(o, dim=1) for o in model(x)]).numpy()   # [K, N, classes]
    num_exits = conf.shape[0]
    near_tie = np.array([[top_two_gap(probs[k, i]) < MARGIN for i in range(N_IMAGES)]
                         for k in range(num_exits)])

    out = ["# PyTorch's answers for tests/check_eval.py, written by python/make_eval_golden.py:",
           "#   /usr/bin/python3 python/make_eval_golden.py",
           "# torch %s; images and labels from %s" % (torch.__version__, fmnist.DATA_DIR),
           "model %s sha256 %s" % (MODEL, sha256_file(model_path)),
           "images %d sha256 %s" % (N_IMAGES, hashlib.sha256(np.ascontiguousarray(images).tobytes()).hexdigest()),
           "labels %d sha256 %s" % (N_IMAGES, hashlib.sha256(labels.astype(np.uint8).tobytes()).hexdigest())]
    for policy in POLICIES:
        thresholds = policy_thresholds(meta, policy, num_exits)
        if thresholds is None:
            exits = np.full(N_IMAGES, num_exits - 1)
        else:
            exits = apply_thresholds(conf, thresholds)
        t32 = None if thresholds is None else np.asarray(thresholds, dtype=np.float32)
        lines, left_out, closest = [], [], 1.0
        for i in range(N_IMAGES):
            k = int(exits[i])
            why = []
            for j in range(min(k + 1, num_exits - 1) if t32 is not None else 0):
                closest = min(closest, abs(float(conf[j, i]) - float(t32[j])))
                if abs(float(conf[j, i]) - float(t32[j])) < MARGIN:
                    why.append("exit %d confidence %.9g is within %g of its threshold %.9g"
                               % (j, conf[j, i], MARGIN, t32[j]))
            if near_tie[k, i]:
                why.append("exit %d top two probabilities within %g" % (k, MARGIN))
            if why:
                left_out.append("# image %d left out: %s" % (i, "; ".join(why)))
                continue
            lines.append("image=%d class=%d exit=%d confidence=%.9g" % (i, pred[k, i], k, conf[k, i]))

        out.append(" ".join(["policy"] + policy))
        out.extend(left_out)
        if left_out or near_tie.any():
            out.append("# no python/evaluate.py lines: an image near a threshold or a tie could change them")
        else:
            evaluated = subprocess.run(
                [sys.executable, os.path.join(ROOT, "python", "evaluate.py"), "--model", model_path,
                 "--limit", str(N_IMAGES)] + policy, check=True, capture_output=True, text=True).stdout
            out.extend("line " + line for line in evaluated.splitlines())
        out.extend(lines)
        print("%s: exits %s, closest confidence %.3g from its threshold, %d images left out"
              % (" ".join(policy) or "no policy", np.bincount(exits, minlength=num_exits).tolist(), closest,
                 len(left_out)))
    with open(args.out, "w") as f:
        f.write("\n".join(out) + "\n")
    print("wrote %s" % os.path.relpath(args.out, ROOT))


if __name__ == "__main__":
    main()
