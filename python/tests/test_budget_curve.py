#!/usr/bin/python3
"""ranet.budget_curve and compare_models.py: the accuracy a model offers under a budget, and two models compared.

    PYTHONPATH=python /usr/bin/python3 python/tests/test_budget_curve.py
"""

import os
import subprocess
import sys
import tempfile
import unittest

from ranet.budget_curve import Curve, compare, read_curve

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILTIN = os.path.join(ROOT, "models", "fashion-mnist-ranet.safetensors")


class BudgetCurveTest(unittest.TestCase):
    def test_best_point_that_fits(self):
        # A dearer point that is less accurate is never the one to use.
        c = Curve("c", [5, 10, 20], [90.0, 93.0, 92.0])
        self.assertIsNone(c.at(4.9))
        self.assertEqual(c.at(5), 90.0)
        self.assertEqual(c.at(15), 93.0)
        self.assertEqual(c.at(100), 93.0)

    def test_cheaper_and_as_accurate_dominates(self):
        new = Curve("new", [3, 8, 16], [90.0, 93.5, 94.6])
        old = Curve("old", [6, 14], [93.2, 93.7])
        r = compare(new, old)
        # budgets 3 6 8 14 16: only new fits 3; old is better at 6 (93.2) and 14 (93.7), new at 8 and 16.
        self.assertEqual([b for b, _, _ in r.rows], [3, 6, 8, 14, 16])
        self.assertEqual((r.only_a, r.only_b, r.b_better, r.a_better, r.ties), (1, 0, 2, 2, 0))
        self.assertFalse(r.a_dominates)
        better = Curve("better", [3, 6, 12, 16], [90.0, 93.2, 93.8, 94.6])
        r = compare(better, old)
        self.assertEqual((r.b_better, r.ties, r.a_better), (0, 1, 3))
        self.assertTrue(r.a_dominates)
        self.assertFalse(compare(old, better).a_dominates)

    def test_a_model_never_dominates_itself(self):
        c = Curve("c", [5, 10], [90.0, 93.0])
        self.assertFalse(compare(c, c).a_dominates)

    def test_builtin_model_file(self):
        test = read_curve(BUILTIN, "test")
        val = read_curve(BUILTIN, "validation")
        self.assertEqual(len(test.macs), len(val.macs))
        self.assertGreater(len(test.macs), 1)
        self.assertEqual(test.at(max(test.macs)), max(test.accuracy))
        self.assertIsNone(test.at(min(test.macs) - 1))

    def test_command_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            png = os.path.join(tmp, "curves.png")
            out = subprocess.run([sys.executable, os.path.join(ROOT, "python", "compare_models.py"),
                                  "--model", BUILTIN, "--against", BUILTIN, "--plot", png],
                                 check=True, capture_output=True, text=True).stdout
            with open(png, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertIn("model better at 0 budgets, against better at 0", out)
        self.assertIn("is NOT at least as accurate", out)


if __name__ == "__main__":
    unittest.main()
