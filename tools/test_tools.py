#!/usr/bin/python3
"""Tests of the model-file tools: safetensors I/O, export, import of reference checkpoints, calibration.

    /usr/bin/python3 -m unittest discover -s tools -p test_tools.py     (or run this file directly)
"""

import json
import os
import struct
import sys
import tempfile
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calibrate  # noqa: E402
import export_model  # noqa: E402
import import_checkpoint  # noqa: E402
import safetensors_io  # noqa: E402
from ranet_model import RANet, RANetConfig  # noqa: E402

# A small network in the reference's CIFAR layout: quick to build and run, every block type present.
SMALL = RANetConfig(scale_list=[1, 2, 3], grFactor=[4, 2, 1], bnFactor=[4, 2, 1], nBlocks=2, block_step=2,
                    step=2, stepmode="even", nChannels=4, growthRate=4, stem="cifar", num_classes=10,
                    in_channels=3, head_channels=128)
SMALL_ARGS = ["--data", "cifar10", "--nChannels", "4", "--growthRate", "4", "--step", "2"]


def small_model(seed=0):
    torch.manual_seed(seed)
    model = RANet(SMALL)
    with torch.no_grad():  # trained-looking BatchNorm statistics, so that loading them matters
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
    return model.eval()


class TempDir(unittest.TestCase):
    def setUp(self):
        torch.set_num_threads(1)
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()


class SafetensorsTest(TempDir):
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


class ExportTest(TempDir):
    def test_names_and_dropped_buffers(self):
        model = small_model()
        sd = model.state_dict()
        self.assertTrue(any(k.endswith("num_batches_tracked") for k in sd))
        path = os.path.join(self.tmp, "m.safetensors")
        export_model.export(path, {"module." + k: v for k, v in sd.items()}, SMALL,
                            export_model.preprocess_meta((32, 32), [0.5] * 3, [0.25] * 3),
                            [str(i) for i in range(10)], export_model.placeholder_calibration(model, (32, 32)),
                            {"test": True}, dtype="f16")
        tensors, meta = safetensors_io.read(path)
        self.assertEqual(set(tensors), {k for k in sd if not k.endswith("num_batches_tracked")})
        self.assertTrue(all(v.dtype == np.float16 for v in tensors.values()))
        self.assertEqual(set(meta), set(export_model.META_KEYS))
        self.assertEqual(RANetConfig.from_dict(json.loads(meta["ranet.config"])), SMALL)

    def test_rejects_bad_metadata(self):
        model = small_model()
        cal = export_model.placeholder_calibration(model, (32, 32))
        cal["operating_points"][0]["thresholds"][-1] = 0.5
        with self.assertRaisesRegex(ValueError, "last -1"):
            export_model.export(os.path.join(self.tmp, "m.safetensors"), model.state_dict(), SMALL,
                                export_model.preprocess_meta((32, 32), [0.5] * 3, [0.25] * 3),
                                [str(i) for i in range(10)], cal, {})


class ImportTest(TempDir):
    def test_reference_checkpoint(self):
        """A {'state_dict': {'module.' + name: ...}} checkpoint imports and gives identical outputs."""
        model = small_model()
        ckpt = os.path.join(self.tmp, "model_best.pth.tar")
        torch.save({"epoch": 299, "arch": "RANet",
                    "state_dict": {"module." + k: v for k, v in model.state_dict().items()}}, ckpt)
        out = os.path.join(self.tmp, "imported.safetensors")
        import_checkpoint.main([ckpt, "--out", out] + SMALL_ARGS)
        loaded, meta = export_model.load(out)
        self.assertTrue(meta["config"]["bnAfter"])
        self.assertEqual(meta["preprocess"]["mean"], [0.4914, 0.4824, 0.4467])
        self.assertEqual(meta["preprocess"]["input_size"], [32, 32])
        self.assertEqual(len(meta["labels"]), 10)
        x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            for a, b in zip(model(x), loaded(x)):
                self.assertTrue(torch.equal(a, b))

    def test_mismatch_is_reported(self):
        model = small_model()
        sd = {"module." + k: v for k, v in model.state_dict().items()}
        del sd["module.classifier.0.linear.bias"]
        sd["module.extra.weight"] = torch.zeros(1)
        sd["module.classifier.1.linear.weight"] = torch.zeros(10, 3)
        ckpt = os.path.join(self.tmp, "bad.pth")
        torch.save(sd, ckpt)
        with self.assertRaises(SystemExit) as cm:
            import_checkpoint.main([ckpt, "--out", os.path.join(self.tmp, "x.safetensors")] + SMALL_ARGS)
        msg = str(cm.exception)
        self.assertIn("missing: classifier.0.linear.bias", msg)
        self.assertIn("unexpected: extra.weight", msg)
        self.assertRegex(msg, r"shape mismatch: classifier\.1\.linear\.weight: checkpoint \[10, 3\], "
                              r"config expects \[10, \d+\]")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.safetensors")))


class GoldenTest(unittest.TestCase):
    """The committed golden files agree with themselves: each model file, run by PyTorch on the stored input,
    gives the stored logits (tolerance for other PyTorch builds)."""

    def test_golden_files(self):
        torch.set_num_threads(1)
        golden = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "golden")
        names = sorted(f[:-len("-io.safetensors")] for f in os.listdir(golden) if f.endswith("-io.safetensors")) \
            if os.path.isdir(golden) else []
        if not names:
            self.skipTest("no golden files in %s" % golden)
        for name in names:
            with self.subTest(name=name):
                model, _ = export_model.load(os.path.join(golden, name + ".safetensors"))
                io, _ = safetensors_io.read(os.path.join(golden, name + "-io.safetensors"))
                with torch.no_grad():
                    outs = model(torch.from_numpy(np.array(io["input"])))
                self.assertEqual(len(outs), len([k for k in io if k.startswith("logits.")]))
                for k, out in enumerate(outs):
                    np.testing.assert_allclose(out.numpy(), io["logits.%d" % k], rtol=1e-4, atol=1e-4)


class CalibrationTest(unittest.TestCase):
    def test_thresholds_take_the_most_confident_remaining(self):
        conf = np.array([[0.9, 0.8, 0.7, 0.6, 0.5],
                         [0.1, 0.95, 0.9, 0.2, 0.3],
                         [0.5, 0.5, 0.5, 0.5, 0.5]], dtype=np.float32)
        t = calibrate.find_thresholds(conf, [0.4, 0.2, 0.4])
        self.assertEqual(t, [np.float32(0.8), np.float32(0.9), -1.0])
        np.testing.assert_array_equal(calibrate.apply_thresholds(conf, t), [0, 0, 1, 2, 2])
        # Nothing to take: threshold 1.0 and the frames go on.
        t = calibrate.find_thresholds(conf, [0.0, 0.0, 1.0])
        self.assertEqual(t[:2], [1.0, 1.0])

    def test_operating_points(self):
        rng = np.random.RandomState(0)
        def split(n):
            conf = rng.rand(3, n).astype(np.float32)
            labels = rng.randint(0, 10, n)
            pred = np.where(rng.rand(3, n) < conf, labels, (labels + 1) % 10)
            return conf, pred, labels
        points = calibrate.operating_points(split(500), split(400), [10, 20, 30])
        macs = [p["expected_macs"] for p in points]
        self.assertEqual(macs, sorted(macs))
        self.assertEqual(len({tuple(p["thresholds"]) for p in points}), len(points))
        for p in points:
            self.assertAlmostEqual(sum(p["exit_fractions"]), 1.0, places=5)
            self.assertAlmostEqual(p["expected_macs"], float(np.dot(p["exit_fractions"], [10, 20, 30])), delta=0.051)
            self.assertEqual(p["thresholds"][-1], -1.0)


if __name__ == "__main__":
    unittest.main()
