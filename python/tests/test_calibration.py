#!/usr/bin/python3
"""ranet.calibration: thresholds that take the most confident remaining frames, and operating points.

    PYTHONPATH=python /usr/bin/python3 python/tests/test_calibration.py
"""

import unittest

import numpy as np

from ranet import calibration, evaluation


class CalibrationTest(unittest.TestCase):
    def test_thresholds_take_the_most_confident_remaining(self):
        conf = np.array([[0.9, 0.8, 0.7, 0.6, 0.5],
                         [0.1, 0.95, 0.9, 0.2, 0.3],
                         [0.5, 0.5, 0.5, 0.5, 0.5]], dtype=np.float32)
        t = calibration.find_thresholds(conf, [0.4, 0.2, 0.4])
        self.assertEqual(t, [np.float32(0.8), np.float32(0.9), -1.0])
        np.testing.assert_array_equal(evaluation.apply_thresholds(conf, t), [0, 0, 1, 2, 2])
        # Nothing to take: threshold 1.0 and the frames go on.
        t = calibration.find_thresholds(conf, [0.0, 0.0, 1.0])
        self.assertEqual(t[:2], [1.0, 1.0])

    def test_operating_points(self):
        rng = np.random.RandomState(0)
        def split(n):
            conf = rng.rand(3, n).astype(np.float32)
            labels = rng.randint(0, 10, n)
            pred = np.where(rng.rand(3, n) < conf, labels, (labels + 1) % 10)
            return conf, pred, labels
        points = calibration.operating_points(split(500), split(400), [10, 20, 30])
        macs = [p["expected_macs"] for p in points]
        self.assertEqual(macs, sorted(macs))
        self.assertEqual(len({tuple(p["thresholds"]) for p in points}), len(points))
        for p in points:
            self.assertAlmostEqual(sum(p["exit_fractions"]), 1.0, places=5)
            self.assertAlmostEqual(p["expected_macs"], float(np.dot(p["exit_fractions"], [10, 20, 30])), delta=0.051)
            self.assertEqual(p["thresholds"][-1], -1.0)

    def test_fractions_of_a_small_set_still_sum_to_one(self):
        """Model files need the exit fractions to sum to 1 within 1e-6; rounded 24ths would not."""
        counts = np.array([0, 1, 4, 19])
        self.assertGreater(abs(sum(round(c / 24, 6) for c in counts) - 1.0), 1e-6)
        fractions = calibration.rounded_fractions(counts / 24)
        self.assertLessEqual(abs(sum(fractions) - 1.0), 1e-9)
        np.testing.assert_allclose(fractions, counts / 24, atol=1e-5)
        # rounding that needs no correction changes nothing
        self.assertEqual(calibration.rounded_fractions([0.25, 0.5, 0.25]), [0.25, 0.5, 0.25])
        # the model file check accepts every point of a 24-image calibration
        rng = np.random.RandomState(1)
        conf = rng.rand(4, 24).astype(np.float32)
        labels = rng.randint(0, 3, 24)
        points = calibration.operating_points((conf, labels[None].repeat(4, 0), labels),
                                              (conf, labels[None].repeat(4, 0), labels), [1, 2, 3, 4])
        for p in points:
            self.assertLessEqual(abs(sum(p["exit_fractions"]) - 1.0), 1e-6)


if __name__ == "__main__":
    unittest.main()
