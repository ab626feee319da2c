"""Writes tests/data/calibration-thresholds.txt: confidences and the thresholds python/ranet/calibration.py's
find_thresholds() picks on them, which tests/test-calibration.c checks the C rule against, to the bit.

The confidences are float32, as the network's softmax gives them: one exit's drawn smooth, the others rounded to
1/64 so that ties are common, and some at exactly 1.0. The ratios span the calibration's RATIOS and past them, so
that an exit taking no frame (threshold 1.0) and one taking more than remain both occur.

    /usr/bin/python3 python/make_calibration_fixture.py tests/data/calibration-thresholds.txt
"""

import sys

import numpy as np

from ranet.calibration import find_thresholds, geometric_fractions

NUM_EXITS = 4
NUM_FRAMES = 301
RATIOS = [0.001, 0.05, 0.3, 1.0, 2.5, 5.0, 40.0]


def confidences(rng):
    conf = rng.beta(2.0, 1.0, size=(NUM_EXITS, NUM_FRAMES)).astype(np.float32)
    conf[1:] = np.round(conf[1:] * 64.0) / 64.0
    conf[2, :17] = 1.0
    return conf.astype(np.float32)


def main():
    out = sys.argv[1]
    conf = confidences(np.random.default_rng(16))
    with open(out, "w") as f:
        f.write("# written by python/make_calibration_fixture.py: exits frames, the confidences exit by exit,\n")
        f.write("# then per case a ratio, its fractions and the thresholds find_thresholds() gives\n")
        f.write("%d %d\n" % (NUM_EXITS, NUM_FRAMES))
        for row in conf:
            f.write(" ".join("%.9g" % v for v in row) + "\n")
        f.write("%d\n" % len(RATIOS))
        for r in RATIOS:
            fractions = geometric_fractions(r, NUM_EXITS)
            thresholds = find_thresholds(conf, fractions)
            f.write("%.17g\n" % r)
            f.write(" ".join("%.17g" % v for v in fractions) + "\n")
            f.write(" ".join("%.17g" % v for v in thresholds) + "\n")


if __name__ == "__main__":
    main()
