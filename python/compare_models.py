#!/usr/bin/python3
"""Compare two calibrated model files on the budgeted-classification curve: at each budget (mean multiply-adds
per frame) the accuracy of the most accurate operating point that fits it (ranet.budget_curve).

Prints, for every budget where either model has a point, both accuracies, then how many budgets each wins and
whether the first model is at least as accurate everywhere the second can run; --plot draws both curves.

    /usr/bin/python3 python/compare_models.py --model mine.safetensors \\
        --against models/fashion-mnist-ranet.safetensors --plot /tmp/compare.png
"""

import argparse
import os

from ranet.budget_curve import compare, read_curve


def fmt(acc):
    return "%8.2f" % acc if acc is not None else "       -"


def plot(curves, split, out):
    import matplotlib.pyplot as plt
    from plot_curves import save_budgeted

    fig, ax = plt.subplots(figsize=(6, 4))
    for curve in curves:
        points = sorted(zip(curve.macs, curve.accuracy))
        ax.plot([m / 1e6 for m, _ in points], [a for _, a in points], "o-", markersize=3,
                label=os.path.basename(curve.name))
    save_budgeted(fig, ax, split, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="the model file to judge")
    ap.add_argument("--against", required=True, help="the model file it would replace")
    ap.add_argument("--split", choices=["test", "validation"], default="test",
                    help="which of the calibration's accuracies to compare (default: test)")
    ap.add_argument("--plot", metavar="PNG", help="also draw both curves into this file")
    args = ap.parse_args()

    a = read_curve(args.model, args.split)
    b = read_curve(args.against, args.split)
    result = compare(a, b)
    print("%s accuracy %%, at each budget the best operating point that fits" % args.split)
    print("%12s %8s %8s %8s" % ("MMACs", "model", "against", "diff"))
    for budget, x, y in result.rows:
        diff = "%+8.2f" % (x - y) if x is not None and y is not None else "       -"
        print("%12.3f %s %s %s" % (budget / 1e6, fmt(x), fmt(y), diff))
    print("model better at %d budgets, against better at %d, equal at %d; only model fits %d, only against %d"
          % (result.a_better, result.b_better, result.ties, result.only_a, result.only_b))
    print("model %s against at every budget against can meet"
          % ("is at least as accurate as" if result.a_dominates else "is NOT at least as accurate as"))
    if args.plot:
        plot([a, b], args.split, args.plot)
        print("wrote %s" % args.plot)


if __name__ == "__main__":
    main()
