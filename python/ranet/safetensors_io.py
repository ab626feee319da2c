"""Read and write `.safetensors` files with numpy only.

The layout is the one the C loader reads (see DESIGN.md, "Model file"):

    u64 little-endian N | N bytes of JSON header | raw little-endian tensor data

The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to
the start of the data) and may hold "__metadata__", a map of string to string. The writer pads the header
with spaces so the data starts at an 8-byte aligned file offset (the file can then be mmap-ed and read in
place) and lays the tensors out in sorted name order, back to back, so a file is a deterministic function of
its content. The reader checks everything it relies on, so a damaged file fails here with a message that
names the file and the entry instead of producing garbage weights.
"""

import json
import os
import struct

import numpy as np

# Only the dtypes the model format allows.
DTYPES = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2")}
_NAMES = {v: k for k, v in DTYPES.items()}

ALIGN = 8


class FormatError(ValueError):
    """A file that is not a valid safetensors file of the kind this project writes."""


def dtype_name(dtype):
    """safetensors dtype string of a numpy dtype, e.g. float32 -> 'F32'."""
    dt = np.dtype(dtype).newbyteorder("<")
    if dt not in _NAMES:
        raise ValueError("unsupported dtype %s (supported: %s)" % (np.dtype(dtype), ", ".join(sorted(DTYPES))))
    return _NAMES[dt]


def encode(tensors, metadata=None):
    """The bytes of a safetensors file holding `tensors` (name -> numpy array) and `metadata` (str -> str)."""
    header = {}
    if metadata:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise ValueError("metadata must map str to str; %r -> %r" % (k, type(v).__name__))
        header["__metadata__"] = dict(sorted(metadata.items()))
    chunks = []
    offset = 0
    for name in sorted(tensors):
        if name == "__metadata__":
            raise ValueError("'__metadata__' is not a valid tensor name")
        arr = np.asarray(tensors[name])
        dt = DTYPES[dtype_name(arr.dtype)]
        data = np.ascontiguousarray(arr, dtype=dt).tobytes()
        header[name] = {"dtype": _NAMES[dt], "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-(8 + len(text)) % ALIGN)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def write(path, tensors, metadata=None):
    """Write a safetensors file atomically (a temporary file renamed over `path`)."""
    blob = encode(tensors, metadata)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(blob)
    os.replace(tmp, path)


def decode(blob, what="<bytes>"):
    """Parse safetensors bytes -> (tensors: name -> numpy array, metadata: str -> str).

    Checks: header length within the file, a JSON object, string metadata, known dtypes, shapes that match
    the byte ranges, and tensors that tile the data region exactly (no gaps, overlaps or trailing bytes).
    """
    def fail(msg):
        raise FormatError("%s: %s" % (what, msg))

    if len(blob) < 8:
        fail("file is %d bytes, shorter than the 8-byte header length" % len(blob))
    (n,) = struct.unpack_from("<Q", blob, 0)
    if n > len(blob) - 8:
        fail("header length %d exceeds the %d bytes after it" % (n, len(blob) - 8))
    try:
        header = json.loads(blob[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        fail("header is not UTF-8 JSON: %s" % e)
    if not isinstance(header, dict):
        fail("header is a JSON %s, expected an object" % type(header).__name__)
    data = memoryview(blob)[8 + n:]

    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in metadata.items()):
        fail("__metadata__ must be an object mapping strings to strings")

    tensors, ranges = {}, []
    for name, entry in header.items():
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            fail("tensor %r: expected an object with exactly dtype, shape, data_offsets" % name)
        if entry["dtype"] not in DTYPES:
            fail("tensor %r: dtype %r, expected one of %s" % (name, entry["dtype"], sorted(DTYPES)))
        shape, offs = entry["shape"], entry["data_offsets"]
        if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)):
            fail("tensor %r: shape %r is not a list of non-negative integers" % (name, shape))
        if not (isinstance(offs, list) and len(offs) == 2 and all(isinstance(o, int) for o in offs)
                and 0 <= offs[0] <= offs[1] <= len(data)):
            fail("tensor %r: data_offsets %r outside the %d data bytes" % (name, offs, len(data)))
        dt = DTYPES[entry["dtype"]]
        count = int(np.prod(shape, dtype=np.int64))
        if offs[1] - offs[0] != count * dt.itemsize:
            fail("tensor %r: %d bytes for shape %s of %s, expected %d"
                 % (name, offs[1] - offs[0], shape, entry["dtype"], count * dt.itemsize))
        tensors[name] = np.frombuffer(data[offs[0]:offs[1]], dtype=dt).reshape(shape)
        ranges.append((offs[0], offs[1], name))

    pos = 0
    for begin, end, name in sorted(ranges):
        if begin != pos:
            fail("tensor %r starts at data offset %d, expected %d (gap or overlap)" % (name, begin, pos))
        pos = end
    if pos != len(data):
        fail("%d bytes of data after the last tensor" % (len(data) - pos))
    return tensors, metadata


def read(path):
    """Read a safetensors file -> (tensors: name -> read-only numpy array, metadata: str -> str)."""
    with open(path, "rb") as f:
        return decode(f.read(), path)
