#!/usr/bin/python3
"""The paper's two figures for a model file, as PNG.

anytime:  test accuracy of each exit against the cumulative multiply-adds to reach it.
budgeted: test accuracy of each calibrated operating point against its mean multiply-adds per frame;
          with --runs (python/bench_policy.py --json), the points ranetclassify used on a stream are
          ringed, sized by how many frames used them.

    /usr/bin/python3 python/plot_curves.py --model models/fashion-mnist-ranet.safetensors \\
        --runs /tmp/policy-runs.json --out-dir docs/
"""

import argparse
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ranet import safetensors_io  # noqa: E402


def read_metadata(path):
    _, meta = safetensors_io.read(path)
    return json.loads(meta["ranet.calibration"]), json.loads(meta.get("ranet.card", "{}"))


def plot_anytime(cal, card, out):
    macs = [m / 1e6 for m in cal["exit_macs"]]
    acc = card.get("test_accuracy")
    if not isinstance(acc, list):
        raise SystemExit("the model card has no per-exit test_accuracy: is this a calibrated model?")
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot(macs, acc, "o-", color="tab:blue")
    for k, (m, a) in enumerate(zip(macs, acc)):
        ax.annotate("exit %d" % k, (m, a), textcoords="offset points", xytext=(4, -12), fontsize=8)
    ax.set_xlabel("multiply-adds to reach the exit (millions)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("Anytime prediction")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def plot_budgeted(cal, runs, out):
    pts = cal["operating_points"]
    macs = [p["expected_macs"] / 1e6 for p in pts]
    acc = [p["test_accuracy"] for p in pts]
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot(macs, acc, ".-", color="tab:blue", label="calibrated operating points")
    colours = {("adaptive", False): "tab:green", ("adaptive", True): "tab:red"}
    for r in runs or []:
        colour = colours.get((r["mode"], r["load"]))
        if colour is None:
            continue
        total = sum(r["points"].values())
        used = [(int(i), n) for i, n in r["points"].items() if int(i) >= 0]
        ax.scatter([macs[i] for i, _ in used], [acc[i] for i, _ in used],
                   s=[20 + 400 * n / total for _, n in used], facecolors="none", edgecolors=colour,
                   label="used on the stream (%s load)" % ("with" if r["load"] else "no"))
    save_budgeted(fig, ax, "test", out)


def save_budgeted(fig, ax, split, out):
    """Label a budgeted-classification figure (accuracy on SPLIT against multiply-adds) and write it."""
    ax.set_xlabel("mean multiply-adds per frame (millions)")
    ax.set_ylabel("%s accuracy (%%)" % split)
    ax.set_title("Budgeted classification")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--runs", help="JSON written by python/bench_policy.py --json")
    ap.add_argument("--out-dir", default=".")
    args = ap.parse_args()
    cal, card = read_metadata(args.model)
    runs = json.load(open(args.runs)) if args.runs else None
    os.makedirs(args.out_dir, exist_ok=True)
    plot_anytime(cal, card, os.path.join(args.out_dir, "anytime.png"))
    plot_budgeted(cal, runs, os.path.join(args.out_dir, "budgeted.png"))
    print("wrote %s and %s" % (os.path.join(args.out_dir, "anytime.png"),
                               os.path.join(args.out_dir, "budgeted.png")))


if __name__ == "__main__":
    main()
