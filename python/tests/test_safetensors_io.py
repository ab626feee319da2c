#!/usr/bin/python3
"""ranet.safetensors_io: round trip, byte layout, and damaged files refused.

    PYTHONPATH=python /usr/bin/python3 python/tests/test_safetensors_io.py
"""

import json
import os
import struct
import tempfile
import unittest

import numpy as np

from ranet import safetensors_io


class SafetensorsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = self.enterContext(tempfile.TemporaryDirectory())

    def test_round_trip(self):
        rng = np.random.RandomState(0)
        tensors = {"b.weight": rng.randn(3, 5).astype(np.float32), "a": rng.randn(7).astype(np.float16),
                   "scalar": np.array(1.5, dtype=np.float32), "empty": np.zeros((0, 4), np.float32)}
        meta = {"x": "1", "ranet.labels": json.dumps(["é", "b"])}
        path = os.path.join(self.tmp, "t.safetensors")
        safetensors_io.write(path, tensors, meta)
        got, got_meta = safetensors_io.read(path)
        self.assertEqual(got_meta, meta)
        self.assertEqual(sorted(got), sorted(tensors))
        for k, v in tensors.items():
            self.assertEqual(got[k].dtype, v.dtype)
            self.assertEqual(got[k].shape, v.shape)
            np.testing.assert_array_equal(got[k], v)

    def test_layout(self):
        """Data starts 8-byte aligned; tensors in sorted name order, back to back."""
        blob = safetensors_io.encode({"b": np.ones(3, np.float16), "a": np.ones(2, np.float32)}, {"k": "v"})
        (n,) = struct.unpack_from("<Q", blob)
        self.assertEqual((8 + n) % 8, 0)
        header = json.loads(blob[8:8 + n])
        self.assertEqual(header["a"], {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]})
        self.assertEqual(header["b"], {"dtype": "F16", "shape": [3], "data_offsets": [8, 14]})
        self.assertEqual(len(blob), 8 + n + 14)

    def test_rejects_damage(self):
        good = safetensors_io.encode({"a": np.ones(4, np.float32)})
        (n,) = struct.unpack_from("<Q", good)
        with self.assertRaisesRegex(safetensors_io.FormatError, "exceeds"):
            safetensors_io.decode(struct.pack("<Q", 10 ** 9) + good[8:])
        with self.assertRaisesRegex(safetensors_io.FormatError, "after the last tensor"):
            safetensors_io.decode(good + b"\0\0\0\0")
        bad = good.replace(b'"F32"', b'"I64"')
        with self.assertRaisesRegex(safetensors_io.FormatError, "dtype"):
            safetensors_io.decode(bad)
        with self.assertRaises(ValueError):
            safetensors_io.encode({"a": np.ones(2, np.int32)})


if __name__ == "__main__":
    unittest.main()
