#!/usr/bin/python3
"""ranet.model_file: what export writes (reference names, dtypes, metadata), bad metadata refused, and the
committed golden files reproduced by load.

    PYTHONPATH=python /usr/bin/python3 python/tests/test_model_file.py
"""

import json
import os
import tempfile
import unittest

import numpy as np
import torch

from ranet import model_file, safetensors_io
from ranet.model import RANetConfig
from small_ranet import SMALL, small_model

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = os.path.join(ROOT, "tests", "golden")


class ExportTest(unittest.TestCase):
    def setUp(self):
        torch.set_num_threads(1)
        self.tmp = self.enterContext(tempfile.TemporaryDirectory())

    def test_names_and_dropped_buffers(self):
        model = small_model()
        sd = model.state_dict()
        self.assertTrue(any(k.endswith("num_batches_tracked") for k in sd))
        path = os.path.join(self.tmp, "m.safetensors")
        model_file.export(path, {"module." + k: v for k, v in sd.items()}, SMALL,
                          model_file.preprocess_meta((32, 32), [0.5] * 3, [0.25] * 3),
                          [str(i) for i in range(10)], model_file.placeholder_calibration(model, (32, 32)),
                          {"test": True}, dtype="f16")
        tensors, meta = safetensors_io.read(path)
        self.assertEqual(set(tensors), {k for k in sd if not k.endswith("num_batches_tracked")})
        self.assertTrue(all(v.dtype == np.float16 for v in tensors.values()))
        self.assertEqual(set(meta), set(model_file.META_KEYS))
        self.assertEqual(RANetConfig.from_dict(json.loads(meta["ranet.config"])), SMALL)

    def test_rejects_bad_metadata(self):
        model = small_model()
        cal = model_file.placeholder_calibration(model, (32, 32))
        cal["operating_points"][0]["thresholds"][-1] = 0.5
        with self.assertRaisesRegex(ValueError, "last -1"):
            model_file.export(os.path.join(self.tmp, "m.safetensors"), model.state_dict(), SMALL,
                              model_file.preprocess_meta((32, 32), [0.5] * 3, [0.25] * 3),
                              [str(i) for i in range(10)], cal, {})


class GoldenTest(unittest.TestCase):
    """The committed golden files agree with themselves: each model file, run by PyTorch on the stored input,
    gives the stored logits (tolerance for other PyTorch builds)."""

    def test_golden_files(self):
        torch.set_num_threads(1)
        names = sorted(f[:-len("-io.safetensors")] for f in os.listdir(GOLDEN) if f.endswith("-io.safetensors")) \
            if os.path.isdir(GOLDEN) else []
        if not names:
            self.skipTest("no golden files in %s" % GOLDEN)
        for name in names:
            with self.subTest(name=name):
                model, _ = model_file.load(os.path.join(GOLDEN, name + ".safetensors"))
                io, _ = safetensors_io.read(os.path.join(GOLDEN, name + "-io.safetensors"))
                with torch.no_grad():
                    outs = model(torch.from_numpy(np.array(io["input"])))
                self.assertEqual(len(outs), len([k for k in io if k.startswith("logits.")]))
                for k, out in enumerate(outs):
                    np.testing.assert_allclose(out.numpy(), io["logits.%d" % k], rtol=1e-4, atol=1e-4)


if __name__ == "__main__":
    unittest.main()
