"""Early-exit calibration of a RANet: the operating points of the budgeted-batch scheme.

An operating point is a set of per-exit confidence thresholds: a frame leaves at the first exit whose
maximum softmax probability reaches that exit's threshold (the last exit, threshold -1, takes every frame
left). As in MSDNet/RANet's dynamic evaluation, the points come from a geometric exit distribution: for a
ratio r, exit k (0-based, K exits) should take the fraction q_k = r^k / sum_j r^j of the frames, and its
threshold is set on the validation split by taking, among the frames no earlier exit took, the
round(q_k * N) most confident ones; the threshold is the confidence of the last frame taken. Small r sends
most frames out early (cheap), large r keeps them to the end (accurate). The thresholds are then applied
unchanged to the test set, which gives the reported accuracy, exit fractions and expected multiply-adds;
the engine's frame-rate policy uses these fractions with its measured per-exit latencies.

Fashion-MNIST (calibrate): the 5,000 training images fmnist.train_val_split(seed) holds out (never trained
on) and the test set. Any other data (calibrate_on): a validation set and optionally a test set, already
preprocessed as the engine does, x = (p / 255 - mean) / std.
"""

import numpy as np

from . import fmnist
from .evaluation import accuracy_at, apply_thresholds, exit_outputs
from .model import exit_macs

RATIOS = np.geomspace(0.05, 5.0, 40)


def geometric_fractions(ratio, num_exits):
    q = ratio ** np.arange(num_exits, dtype=np.float64)
    return q / q.sum()


def find_thresholds(conf, fractions):
    """Thresholds that make exit k take round(fractions[k] * N) of the frames still remaining (more on ties,
    since every remaining frame at or above the threshold leaves). An exit that should take no frame gets
    threshold 1.0, the largest confidence there is. The last exit's threshold is -1."""
    num_exits, n = conf.shape
    remaining = np.ones(n, dtype=bool)
    thresholds = []
    for k in range(num_exits - 1):
        take = int(np.floor(fractions[k] * n + 0.5))
        order = np.argsort(-conf[k], kind="stable")
        candidates = order[remaining[order]]
        if take == 0 or len(candidates) == 0:
            t = 1.0
        else:
            t = float(conf[k, candidates[min(take, len(candidates)) - 1]])
        thresholds.append(t)
        remaining &= conf[k] < t
    thresholds.append(-1.0)
    return thresholds


def rounded_fractions(fractions, digits=6):
    """Fractions rounded to `digits` that still sum to 1 (as model files must): the rounding error of a small
    set (1/24 each) goes to the largest."""
    out = [round(float(f), digits) for f in fractions]
    k = int(np.argmax(out))
    out[k] = round(out[k] + 1.0 - sum(out), digits)
    return out


def operating_points(val, test, macs, ratios=RATIOS):
    """val, test: (conf, pred, labels). Returns the operating points sorted by expected MACs, one per distinct
    threshold set."""
    num_exits = len(macs)
    macs = np.asarray(macs, dtype=np.float64)
    points = {}
    for r in ratios:
        t = find_thresholds(val[0], geometric_fractions(r, num_exits))
        if tuple(t) in points:
            continue
        val_exits = apply_thresholds(val[0], t)
        test_exits = apply_thresholds(test[0], t)
        fractions = rounded_fractions(np.bincount(test_exits, minlength=num_exits) / len(test_exits))
        points[tuple(t)] = {"ratio": round(float(r), 6), "thresholds": t,
                            "exit_fractions": fractions,
                            "val_accuracy": round(accuracy_at(val[1], val[2], val_exits), 4),
                            "test_accuracy": round(accuracy_at(test[1], test[2], test_exits), 4),
                            "expected_macs": round(float(macs[test_exits].mean()), 1)}
    return sorted(points.values(), key=lambda p: (p["expected_macs"], p["ratio"]))


def calibrate(model, seed, input_size=(28, 28)):
    """Everything the model file and card need: calibration object and per-exit accuracies (percent), on the
    Fashion-MNIST validation split of `seed` and the test set."""
    _, (vx, vy) = fmnist.train_val_split(seed)
    tx, ty = fmnist.load("t10k")
    return calibrate_on(model, (fmnist.to_tensor(vx), vy), (fmnist.to_tensor(tx), ty), input_size)


def calibrate_on(model, val, test=None, input_size=(28, 28)):
    """The same for any data: val and test are (network input, int labels). Without a test set the
    validation set stands in for it (its 'test' figures are then the validation set's own)."""
    val = exit_outputs(model, val[0]) + (np.asarray(val[1]),)
    test = val if test is None else exit_outputs(model, test[0]) + (np.asarray(test[1]),)
    macs = exit_macs(model, input_size)
    return {"calibration": {"exit_macs": macs, "operating_points": operating_points(val, test, macs)},
            "val_accuracy": [round(100.0 * float(np.mean(p == val[2])), 2) for p in val[1]],
            "test_accuracy": [round(100.0 * float(np.mean(p == test[2])), 2) for p in test[1]]}


def format_table(result):
    """Plain-text summary: per-exit accuracies and MACs, then the operating points."""
    cal = result["calibration"]
    lines = ["exit  cumulative MACs  val acc %  test acc %"]
    for k, m in enumerate(cal["exit_macs"]):
        lines.append("%4d  %15d  %9.2f  %10.2f" % (k, m, result["val_accuracy"][k], result["test_accuracy"][k]))
    lines.append("")
    lines.append("point  ratio    expected MACs  val acc %  test acc %  exit fractions")
    for i, p in enumerate(cal["operating_points"]):
        lines.append("%5d  %7.4f  %13.0f  %9.2f  %10.2f  %s" % (
            i, p["ratio"], p["expected_macs"], p["val_accuracy"], p["test_accuracy"],
            " ".join("%.4f" % f for f in p["exit_fractions"])))
    return "\n".join(lines)
