#!/usr/bin/python3
"""Smoke test of python/bench_engines.py on the default model with tiny run counts: every row is there,
and OpenCV's outputs match PyTorch's. Skips (77) where OpenCV or ONNX is not installed.

    check_bench_engines.py BENCH_ENGINES.py RANET_BENCH
"""

import re
import subprocess
import sys


def main():
    script, ranet_bench = sys.argv[1:3]
    try:
        import cv2  # noqa: F401
        import onnx  # noqa: F401
    except ImportError as e:
        print("skipped: install python3-opencv python3-onnx (%s)" % e)
        return 77
    out = subprocess.run([sys.executable, script, "--ranet-bench", ranet_bench, "--frames", "2", "--runs", "2",
                          "--warmup", "1"], check=True, stdout=subprocess.PIPE, text=True).stdout
    print(out)
    for row in ["ranet, nothing set", "ranet, LP_NUM_THREADS=0", "eager", "frozen TorchScript", "OpenCV DNN"]:
        if not re.search(r"^\| [^|]*%s[^|]* \| [0-9.]+ \| [0-9.]+ \|" % re.escape(row), out, re.M):
            print("no timed row for %r" % row)
            return 1
    if not re.search(r"^OpenCV against PyTorch eager.*: ok$", out, re.M):
        print("no passing OpenCV check")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
