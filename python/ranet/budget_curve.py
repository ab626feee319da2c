"""Budgeted-classification curves of model files, and how two of them compare.

A model's calibration lists operating points, each with its expected multiply-adds per frame and its accuracy.
Under a budget of B multiply-adds per frame the policy uses the most accurate point whose cost fits, so the
accuracy a model offers at B is the best accuracy over its points costing at most B: a non-decreasing step
function, undefined below its cheapest point. Two models are compared on that function at every budget where
either one has a point.
"""

import json
from dataclasses import dataclass

from ranet import safetensors_io


@dataclass
class Curve:
    name: str
    macs: list        # expected multiply-adds per frame of each operating point
    accuracy: list    # its accuracy in %, in the same order

    def at(self, budget):
        """Best accuracy over the points that fit the budget, or None when none does."""
        fitting = [a for m, a in zip(self.macs, self.accuracy) if m <= budget]
        return max(fitting) if fitting else None


def read_curve(path, split="test", name=None):
    """The curve of a model file's calibration on 'test' or 'validation' accuracies."""
    _, meta = safetensors_io.read(path)
    if "ranet.calibration" not in meta:
        raise ValueError("%s has no ranet.calibration" % path)
    points = json.loads(meta["ranet.calibration"])["operating_points"]
    key = {"test": "test_accuracy", "validation": "val_accuracy"}[split]
    points = [p for p in points if p.get(key) is not None and p.get("expected_macs") is not None]
    if not points:
        raise ValueError("%s has no operating point with %s and expected_macs" % (path, key))
    return Curve(name or path, [p["expected_macs"] for p in points], [p[key] for p in points])


@dataclass
class Comparison:
    rows: list           # (budget, accuracy of a or None, accuracy of b or None), budgets ascending
    a_better: int        # budgets where both fit and a is more accurate
    b_better: int
    ties: int
    only_a: int          # budgets only a can meet
    only_b: int

    @property
    def a_dominates(self):
        """a is at least as accurate wherever b has a point, and better or cheaper somewhere."""
        return self.b_better == 0 and self.only_b == 0 and (self.a_better > 0 or self.only_a > 0)


def compare(a, b):
    budgets = sorted(set(a.macs) | set(b.macs))
    rows = [(budget, a.at(budget), b.at(budget)) for budget in budgets]
    both = [(x, y) for _, x, y in rows if x is not None and y is not None]
    return Comparison(rows,
                      a_better=sum(x > y for x, y in both),
                      b_better=sum(y > x for x, y in both),
                      ties=sum(x == y for x, y in both),
                      only_a=sum(x is not None and y is None for _, x, y in rows),
                      only_b=sum(x is None and y is not None for _, x, y in rows))
