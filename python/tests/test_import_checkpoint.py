#!/usr/bin/python3
"""python/import_checkpoint.py: a reference checkpoint converts into a model file that computes the same
outputs, and a checkpoint that does not fit the hyper-parameters is reported tensor by tensor.

    PYTHONPATH=python /usr/bin/python3 python/tests/test_import_checkpoint.py
"""

import os
import tempfile
import unittest

import torch

import import_checkpoint
from ranet import model_file
from small_ranet import SMALL_ARGS, small_model


class ImportTest(unittest.TestCase):
    def setUp(self):
        torch.set_num_threads(1)
        self.tmp = self.enterContext(tempfile.TemporaryDirectory())

    def test_reference_checkpoint(self):
        """A {'state_dict': {'module.' + name: ...}} checkpoint imports and gives identical outputs."""
        model = small_model()
        ckpt = os.path.join(self.tmp, "model_best.pth.tar")
        torch.save({"epoch": 299, "arch": "RANet",
                    "state_dict": {"module." + k: v for k, v in model.state_dict().items()}}, ckpt)
        out = os.path.join(self.tmp, "imported.safetensors")
        import_checkpoint.main([ckpt, "--out", out] + SMALL_ARGS)
        loaded, meta = model_file.load(out)
        self.assertTrue(meta["config"]["bnAfter"])
        self.assertEqual(meta["preprocess"]["mean"], [0.4914, 0.4824, 0.4467])
        self.assertEqual(meta["preprocess"]["input_size"], [32, 32])
        self.assertEqual(len(meta["labels"]), 10)
        x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            for a, b in zip(model(x), loaded(x)):
                self.assertTrue(torch.equal(a, b))

    def test_labels_file(self):
        """--labels: one class name per line, blank lines skipped."""
        model = small_model()
        ckpt = os.path.join(self.tmp, "model.pth")
        torch.save(model.state_dict(), ckpt)
        names = ["class %d" % i for i in range(10)]
        labels = os.path.join(self.tmp, "labels.txt")
        with open(labels, "w") as f:
            f.write("\n".join(names[:5]) + "\n\n" + "\n".join(names[5:]) + "\n")
        out = os.path.join(self.tmp, "imported.safetensors")
        import_checkpoint.main([ckpt, "--out", out, "--labels", labels] + SMALL_ARGS)
        self.assertEqual(model_file.load(out)[1]["labels"], names)

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


if __name__ == "__main__":
    unittest.main()
