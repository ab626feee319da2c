#!/usr/bin/python3
"""tests/data/calibration-thresholds.txt, which the C rule is checked against (tests/test-calibration.c), is what
ranet.calibration gives today: a change to the Python rule shows here until the fixture is written again
(python/make_calibration_fixture.py) and the C rule follows.

    PYTHONPATH=python /usr/bin/python3 python/tests/test_calibration_fixture.py
"""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "make_calibration_fixture.py")
FIXTURE = os.path.join(HERE, "..", "..", "tests", "data", "calibration-thresholds.txt")


class CalibrationFixtureTest(unittest.TestCase):
    def test_fixture_is_current(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "fixture.txt")
            subprocess.run([sys.executable, SCRIPT, out], check=True)
            with open(out) as fresh, open(FIXTURE) as stored:
                self.assertEqual(fresh.read(), stored.read())


if __name__ == "__main__":
    unittest.main()
