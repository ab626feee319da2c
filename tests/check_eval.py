#!/usr/bin/env python3
"""ranet-eval against PyTorch, image by image.

    check_eval.py RANET_EVAL MODEL REFERENCE

REFERENCE (tests/golden/fashion-mnist-eval.txt, written by python/make_eval_golden.py) holds, for the first
Fashion-MNIST test images and a few early-exit policies, what PyTorch says: each image's exit and class, its
confidence, and python/evaluate.py's output lines. For every policy, ranet-eval --per-image on the same images
must give every image the same exit and class, a confidence within CONF_TOL, and print every evaluate.py line
as it is (the per-exit accuracies, the exit fractions and the summary: agreement to the last digit). The
images and labels must be those the reference was made from, and MODEL the same file (by SHA-256): a
retrained model needs the reference made again. Exits 77 (skipped) without the dataset-fashion-mnist package.
"""
import gzip
import hashlib
import os
import subprocess
import sys

SKIP = 77
# as the element's tests hold its confidences to the engine's; both sides compute in float32 and differ
# by about 1e-6 here
CONF_TOL = 1e-4
REGENERATE = "/usr/bin/python3 python/make_eval_golden.py"


def read_reference(path):
    header, policies = {}, []
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            word, _, rest = line.partition(" ")
            if word in ("model", "images", "labels"):
                header[word] = rest.split()
            elif word == "policy":
                policies.append({"args": rest.split(), "lines": [], "images": {}})
            elif word == "line":
                policies[-1]["lines"].append(rest)
            elif word.startswith("image="):
                fields = dict(item.split("=", 1) for item in line.split())
                policies[-1]["images"][int(fields["image"])] = (
                    int(fields["class"]), int(fields["exit"]), float(fields["confidence"]))
            else:
                raise ValueError("%s: unexpected line %r" % (path, line))
    return header, policies


def idx_prefix_sha256(path, n):
    """SHA-256 of the first n items of an IDX file of unsigned bytes (after its header)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    item = 1
    for d in dims[1:]:
        item *= d
    start = 4 + 4 * ndim
    return hashlib.sha256(data[start: start + n * item]).hexdigest()


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check_policy(eval_tool, model, images, labels, n, policy):
    """Returns a list of disagreements (empty: all agree) and the largest confidence difference."""
    cmd = [eval_tool, "--model", model, "--images", images, "--labels", labels, "--limit", str(n),
           "--per-image"] + policy["args"]
    run = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"))
    if run.returncode != 0:
        return ["%s failed (exit %d): %s" % (" ".join(cmd), run.returncode, run.stderr.strip())], 0.0
    output = run.stdout.splitlines()
    problems = []

    # evaluate.py's lines, verbatim and in order
    at = 0
    for want in policy["lines"]:
        try:
            at = output.index(want, at) + 1
        except ValueError:
            problems.append("ranet-eval does not print python/evaluate.py's line %r" % want)

    got = {}
    for line in output:
        if line.startswith("image="):
            fields = dict(item.split("=", 1) for item in line.split())
            got[int(fields["image"])] = (int(fields["class"]), int(fields["exit"]), float(fields["confidence"]))
    worst = 0.0
    for i, (cls, ex, conf) in sorted(policy["images"].items()):
        if i not in got:
            problems.append("image %d: no per-image line" % i)
            continue
        g_cls, g_ex, g_conf = got[i]
        worst = max(worst, abs(g_conf - conf))
        if (g_cls, g_ex) != (cls, ex) or abs(g_conf - conf) > CONF_TOL:
            problems.append("image %d: class %d at exit %d, confidence %.9g; PyTorch: class %d at exit %d, %.9g"
                            % (i, g_cls, g_ex, g_conf, cls, ex, conf))
    return problems, worst


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: check_eval.py RANET_EVAL MODEL REFERENCE")
    eval_tool, model, reference = sys.argv[1:]
    data = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
    images = os.path.join(data, "t10k-images-idx3-ubyte.gz")
    labels = os.path.join(data, "t10k-labels-idx1-ubyte.gz")
    if not (os.access(images, os.R_OK) and os.access(labels, os.R_OK)):
        print("no Fashion-MNIST test set in %s (package dataset-fashion-mnist): skipped" % data)
        return SKIP

    header, policies = read_reference(reference)
    name, _, model_sha = header["model"]
    if sha256_file(model) != model_sha:
        print("%s is not the model %s the reference %s was made for (SHA-256 differs): run %s"
              % (model, name, reference, REGENERATE))
        return 1
    n = int(header["images"][0])
    for what, path in (("images", images), ("labels", labels)):
        if idx_prefix_sha256(path, n) != header[what][2]:
            print("the first %d %s of %s are not those the reference was made from" % (n, what, path))
            return 1

    failed = False
    for policy in policies:
        problems, worst = check_policy(eval_tool, model, images, labels, n, policy)
        name = " ".join(policy["args"]) or "no policy"
        for p in problems:
            print("%s: %s" % (name, p))
        print("%s: %d images compared, %d of python/evaluate.py's lines; largest confidence difference %.3g; %s"
              % (name, len(policy["images"]), len(policy["lines"]), worst, "FAILED" if problems else "agree"))
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
