#!/usr/bin/env python3
"""The JSON examples (examples/ranet-json.c, examples/ranet_json.py) as a consumer reads them.

    check_json_example.py PROGRAM [ARGS...]

Runs PROGRAM ARGS on a short videotestsrc stream through ranetclassify (threshold 0.2: frames leave early,
so the threshold field is set) and checks that every line is one JSON object with the fields and types the
examples document, a frame line per frame and the summary last; and that every number with a fraction or
an exponent is written shortest-round-trip: no more significant digits than the shortest decimal that
parses back to the same double (Python's repr()), so 0.2 is "0.2", not "0.20000000000000001".
"""
import json
import subprocess
import sys

FRAMES = 8
THRESHOLD = 0.2
PIPELINE = ("videotestsrc num-buffers=%d pattern=ball ! video/x-raw,width=64,height=48 "
            "! ranetclassify threshold-mode=fixed threshold=%r top-k=3 ! fakesink" % (FRAMES, THRESHOLD))
FRAME_FIELDS = {"frame": int, "pts": int, "class-id": int, "label": str, "confidence": float, "exit": int,
                "num-exits": int, "threshold": float, "forced": bool, "reused": bool, "macs": int,
                "latency-ns": int, "operating-point": int, "budget-ns": int, "top-k": list}
SUMMARY_FIELDS = {"frames": int, "classified": int, "mean-exit": float, "fps": float}


def significant_digits(text):
    mantissa = text.lower().lstrip("-").split("e")[0].replace(".", "")
    return max(len(mantissa.lstrip("0").rstrip("0")), 1)


def parse(line, problems):
    """The line's JSON value; every float in it that is not written shortest-round-trip goes to problems."""
    def on_float(text):
        value = float(text)
        if significant_digits(text) > significant_digits(repr(value)):
            problems.append("%s: %d significant digits; %s gives the same double" % (text, significant_digits(text),
                                                                                    repr(value)))
        return value
    return json.loads(line, parse_float=on_float)


def check_types(what, obj, fields, problems):
    for name, kind in fields.items():
        if name not in obj:
            problems.append("%s: no %s" % (what, name))
        elif type(obj[name]) is not kind:
            problems.append("%s: %s is %r, not a %s" % (what, name, obj[name], kind.__name__))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: check_json_example.py PROGRAM [ARGS...]")
    cmd = sys.argv[1:] + [PIPELINE]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    sys.stderr.write(run.stderr)
    if run.returncode != 0:
        print("%s: exit status %d" % (" ".join(cmd), run.returncode))
        return 1
    lines = run.stdout.splitlines()
    problems = []
    values = [parse(line, problems) for line in lines]
    if len(values) != FRAMES + 1:
        problems.append("%d lines; expected %d frames and a summary" % (len(values), FRAMES))
    for n, frame in enumerate(values[:-1]):
        what = "frame line %d" % n
        check_types(what, frame, FRAME_FIELDS, problems)
        if frame.get("frame") != n:
            problems.append("%s: frame %r" % (what, frame.get("frame")))
        if frame.get("exit", 0) < frame.get("num-exits", 0) - 1 and frame.get("threshold") != THRESHOLD:
            problems.append("%s: threshold %r, set to %r" % (what, frame.get("threshold"), THRESHOLD))
        for entry in frame.get("top-k", []):
            check_types(what + " top-k", entry, {"class-id": int, "label": str, "score": float}, problems)
    summary = values[-1].get("summary", {}) if values else {}
    check_types("summary", summary, SUMMARY_FIELDS, problems)
    if summary.get("frames") != FRAMES:
        problems.append("summary: frames %r, expected %d" % (summary.get("frames"), FRAMES))
    if not any(f.get("exit", 0) < f.get("num-exits", 0) - 1 for f in values[:-1]):
        problems.append("no frame left before the last exit: the threshold field went unchecked")

    for p in problems:
        print(p)
    print("%d lines from %s: %s" % (len(lines), " ".join(sys.argv[1:]), "FAILED" if problems else "as expected"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
