#!/usr/bin/python3
"""Seed corpus for fuzz-model-loader: a few tiny valid model files and damaged variants of them.

The valid seeds are the smallest networks the format describes (one or two scales, two channels, 8x8 or 16x16 input),
a few KiB each, so the fuzzer spends its time on the parser rather than on copying weights. Every damaged
variant breaks one thing the loader checks (container, header, tensor entries, metadata, values), so the
fuzzer starts from inputs that reach each check.

    /usr/bin/python3 python/make_fuzz_corpus.py           # rewrites tests/fuzz/corpus/
"""

import json
import os
import shutil
import struct

import numpy as np
import torch

from ranet.model import RANet, RANetConfig
from ranet.model_file import export, placeholder_calibration, preprocess_meta

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "fuzz", "corpus")

TINY = {
    # one scale, one block: the smallest network there is
    "tiny-1scale": (RANetConfig(scale_list=[1], grFactor=[1], bnFactor=[1], nBlocks=1, block_step=0, step=1,
                                stepmode="even", nChannels=2, growthRate=2, compress_factor=0.5, bnAfter=True,
                                stem="cifar", num_classes=2, in_channels=1, head_channels=2),
                    (8, 8), [0.5], [0.25]),
    # two scales: fusion (up) blocks, lg steps, pre-activation layers, three input channels
    "tiny-2scale": (RANetConfig(scale_list=[1, 2], grFactor=[2, 1], bnFactor=[2, 1], nBlocks=1, block_step=1,
                                step=1, stepmode="lg", nChannels=2, growthRate=2, compress_factor=0.5,
                                bnAfter=False, stem="cifar", num_classes=3, in_channels=3, head_channels=2),
                    (16, 16), [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]),
}


def valid(name, dtype="f32"):
    cfg, size, mean, std = TINY[name]
    torch.manual_seed(1)
    model = RANet(cfg).eval()
    path = os.path.join(OUT, "%s-%s.safetensors" % (name, dtype))
    export(path, model.state_dict(), cfg, preprocess_meta(size, mean, std),
           ["c%d" % i for i in range(cfg.num_classes)], placeholder_calibration(model, size),
           {"source": "python/make_fuzz_corpus.py"}, dtype=dtype)
    with open(path, "rb") as f:
        return f.read()


def split(blob):
    """(header dict, data bytes) of a safetensors blob."""
    (n,) = struct.unpack("<Q", blob[:8])
    return json.loads(blob[8:8 + n]), blob[8 + n:]


def join(header, data, raw_header=None):
    text = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text)) + text + data


def tensor_names(header):
    return sorted(k for k in header if k != "__metadata__")


def rebuild(header, data, drop=(), extra=None):
    """Re-lay the tensors back to back without @drop, plus @extra (name -> (dtype, shape, bytes))."""
    out, chunks, offset = {}, [], 0
    if "__metadata__" in header:
        out["__metadata__"] = header["__metadata__"]
    items = [(k, header[k]["dtype"], header[k]["shape"], data[slice(*header[k]["data_offsets"])])
             for k in tensor_names(header) if k not in drop]
    items += [(k, d, s, b) for k, (d, s, b) in (extra or {}).items()]
    for name, dtype, shape, b in items:
        out[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    return join(out, b"".join(chunks))


def with_meta(blob, key, fn):
    header, data = split(blob)
    header = json.loads(json.dumps(header))
    meta = header["__metadata__"]
    value = json.loads(meta[key])
    new = fn(value)
    meta[key] = new if isinstance(new, str) else json.dumps(new)
    return join(header, data)


def set_value(blob, index, value, dtype="<f4"):
    """The first tensor's element @index replaced."""
    header, data = split(blob)
    name = tensor_names(header)[0]
    begin = header[name]["data_offsets"][0]
    size = np.dtype(dtype).itemsize
    at = begin + index * size
    return join(header, data[:at] + np.array([value], dtype=dtype).tobytes() + data[at + size:])


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    seeds = {}
    base = valid("tiny-1scale")
    valid("tiny-1scale", "f16")
    valid("tiny-2scale")
    header, data = split(base)
    names = tensor_names(header)
    first, second = names[0], names[1]

    # the container
    seeds["empty"] = b""
    seeds["short-length"] = base[:4]
    seeds["truncated-header"] = base[:8 + 40]
    seeds["truncated-data"] = base[:len(base) - 7]
    seeds["header-length-beyond-file"] = struct.pack("<Q", len(base)) + base[8:]
    seeds["header-length-huge"] = struct.pack("<Q", 1 << 62) + base[8:]
    seeds["header-not-json"] = join(None, data, raw_header=b"this is not JSON at all" + b" " * 9)
    seeds["header-json-list"] = join([1, 2, 3], b"")
    seeds["header-nul"] = join(None, b"", raw_header=b'{"a"\0:1}')
    seeds["header-deep"] = join(None, b"", raw_header=b"[" * 100 + b"]" * 100)
    seeds["trailing-bytes"] = base + b"\0" * 4

    # tensor entries and byte ranges
    def entry(fn):
        h = json.loads(json.dumps(header))
        fn(h)
        return join(h, data)

    seeds["offsets-beyond-data"] = entry(lambda h: h[first].update(data_offsets=[0, len(data) + 4]))
    seeds["offsets-negative"] = entry(lambda h: h[first].update(data_offsets=[-4, 0]))
    seeds["offsets-reversed"] = entry(lambda h: h[first].update(data_offsets=h[first]["data_offsets"][::-1]))
    seeds["offsets-overlap"] = entry(lambda h: h[second].update(data_offsets=h[first]["data_offsets"]))
    seeds["offsets-not-list"] = entry(lambda h: h[first].update(data_offsets="0-4"))
    seeds["offsets-float"] = entry(lambda h: h[first].update(data_offsets=[0.0, 4.5]))
    seeds["dtype-i64"] = entry(lambda h: h[first].update(dtype="I64"))
    seeds["dtype-bf16"] = entry(lambda h: h[first].update(dtype="BF16"))
    seeds["dtype-number"] = entry(lambda h: h[first].update(dtype=32))
    seeds["shape-wrong"] = entry(lambda h: h[first].update(shape=h[first]["shape"][::-1] + [1]))
    seeds["shape-rank9"] = entry(lambda h: h[first].update(shape=[1] * 9))
    seeds["shape-huge"] = entry(lambda h: h[first].update(shape=[1 << 31, 1 << 31, 1 << 31]))
    seeds["shape-negative"] = entry(lambda h: h[first].update(shape=[-1]))
    seeds["entry-unknown-field"] = entry(lambda h: h[first].update(offsets=[0, 0]))
    seeds["entry-missing-dtype"] = entry(lambda h: h[first].pop("dtype"))
    seeds["entry-not-object"] = entry(lambda h: h.update({first: [1, 2]}))
    seeds["tensor-missing"] = rebuild(header, data, drop=(first,))
    seeds["tensor-extra"] = rebuild(header, data, extra={"extra.weight": ("F32", [2], b"\0" * 8)})
    seeds["tensor-empty"] = rebuild(header, data, extra={"zero": ("F32", [0, 4], b"")})

    # metadata
    seeds["metadata-missing"] = entry(lambda h: h.pop("__metadata__"))
    seeds["metadata-not-object"] = entry(lambda h: h.update(__metadata__=["ranet.config"]))
    seeds["metadata-value-not-string"] = entry(lambda h: h["__metadata__"].update({"ranet.labels": ["a", "b"]}))
    seeds["metadata-config-not-json"] = entry(lambda h: h["__metadata__"].update({"ranet.config": "{nBlocks"}))
    seeds["config-type"] = with_meta(base, "ranet.config", lambda c: dict(c, nBlocks="one"))
    seeds["config-unknown-key"] = with_meta(base, "ranet.config", lambda c: dict(c, depth=3))
    seeds["config-missing-key"] = with_meta(base, "ranet.config", lambda c: {k: v for k, v in c.items()
                                                                              if k != "growthRate"})
    seeds["config-channels-1e9"] = with_meta(base, "ranet.config", lambda c: dict(c, nChannels=10 ** 9))
    seeds["config-growth-max"] = with_meta(base, "ranet.config", lambda c: dict(c, growthRate=4096, nChannels=4096,
                                                                              nBlocks=64, step=64))
    seeds["config-classes-huge"] = with_meta(base, "ranet.config", lambda c: dict(c, num_classes=2 ** 40))
    seeds["config-scales-many"] = with_meta(base, "ranet.config", lambda c: dict(
        c, scale_list=list(range(1, 40)), grFactor=[1] * 39, bnFactor=[1] * 39))
    seeds["config-reduction-zero"] = with_meta(base, "ranet.config", lambda c: dict(c, reduction=0))
    seeds["config-stem-unknown"] = with_meta(base, "ranet.config", lambda c: dict(c, stem="resnet"))
    seeds["preprocess-size-huge"] = with_meta(base, "ranet.preprocess",
                                              lambda p: dict(p, input_size=[10 ** 9, 10 ** 9]))
    seeds["preprocess-std-zero"] = with_meta(base, "ranet.preprocess", lambda p: dict(p, std=[0]))
    seeds["preprocess-mean-nan"] = with_meta(base, "ranet.preprocess", lambda p: '{"input_size":[8,8],'
                                             '"channels":1,"mean":[NaN],"std":[1],"resize":"stretch"}')
    seeds["labels-count"] = with_meta(base, "ranet.labels", lambda labels: labels + ["more"])
    seeds["labels-type"] = with_meta(base, "ranet.labels", lambda labels: [1] * len(labels))
    seeds["calibration-exits"] = with_meta(base, "ranet.calibration",
                                           lambda c: dict(c, exit_macs=c["exit_macs"] + [1e9]))
    seeds["calibration-macs-wrong"] = with_meta(base, "ranet.calibration",
                                                lambda c: dict(c, exit_macs=[m + 1 for m in c["exit_macs"]]))
    seeds["calibration-no-points"] = with_meta(base, "ranet.calibration", lambda c: dict(c, operating_points=[]))
    seeds["calibration-threshold-range"] = with_meta(base, "ranet.calibration", lambda c: dict(
        c, operating_points=[dict(op, thresholds=[2.0] * len(op["thresholds"])) for op in c["operating_points"]]))
    seeds["card-not-object"] = with_meta(base, "ranet.card", lambda c: "[1]")

    # values
    seeds["weight-nan"] = set_value(base, 1, np.nan)
    seeds["weight-inf"] = set_value(base, 0, -np.inf)
    seeds["tiny-1scale-weight-denormal"] = set_value(base, 0, 1e-40)

    for name, blob in seeds.items():
        with open(os.path.join(OUT, name + ".safetensors"), "wb") as f:
            f.write(blob)
    # the 16-bit file with a NaN and a subnormal half
    f16 = open(os.path.join(OUT, "tiny-1scale-f16.safetensors"), "rb").read()
    with open(os.path.join(OUT, "weight-f16-nan.safetensors"), "wb") as f:
        f.write(set_value(f16, 1, np.nan, "<f2"))
    with open(os.path.join(OUT, "tiny-1scale-f16-subnormal.safetensors"), "wb") as f:
        f.write(set_value(f16, 0, 1e-7, "<f2"))
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print("%d files, %d bytes in %s" % (len(os.listdir(OUT)), total, OUT))


if __name__ == "__main__":
    main()
