#!/usr/bin/python3
"""train.py --random-erasing: which images change, where, and that the option off changes nothing.

    PYTHONPATH=python /usr/bin/python3 python/tests/test_random_erasing.py
"""

import os
import sys
import unittest

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import train  # noqa: E402


def changed_box(before, after):
    """(rows, cols) spanned by the pixels that differ, and how many differ."""
    diff = (before != after).any(0)
    ys, xs = diff.nonzero(as_tuple=True)
    if len(ys) == 0:
        return None, 0
    return (int(ys.max() - ys.min() + 1), int(xs.max() - xs.min() + 1)), int(diff.sum())


class RandomErasingTest(unittest.TestCase):
    def setUp(self):
        self.x = torch.full((64, 2, 28, 28), 5.0)  # far from any noise value: every erased pixel shows

    def test_every_image_gets_one_rectangle(self):
        out = train.random_erase(self.x, torch.Generator().manual_seed(1), 1.0)
        self.assertTrue(torch.equal(self.x, torch.full_like(self.x, 5.0)), "the input was modified")
        for i in range(len(out)):
            box, n = changed_box(self.x[i], out[i])
            self.assertIsNotNone(box, "image %d was not erased" % i)
            # a solid rectangle, the same in every channel, of 2-40% of the area (rounding aside)
            self.assertEqual(box[0] * box[1], n)
            self.assertTrue(((self.x[i] != out[i]).sum(0) % 2 == 0).all())
            self.assertGreaterEqual(n, 1)
            self.assertLessEqual(n, 0.45 * 28 * 28)
            self.assertLessEqual(max(box) / min(box), 3.5 + 1)

    def test_share_of_images(self):
        x = torch.zeros(2000, 1, 8, 8) + 5.0
        out = train.random_erase(x, torch.Generator().manual_seed(2), 0.25)
        erased = (out != x).flatten(1).any(1).float().mean().item()
        self.assertAlmostEqual(erased, 0.25, delta=0.04)

    def test_seeded(self):
        a = train.random_erase(self.x, torch.Generator().manual_seed(3), 0.5)
        b = train.random_erase(self.x, torch.Generator().manual_seed(3), 0.5)
        self.assertTrue(torch.equal(a, b))

    def test_off_by_default_and_recipe_unchanged(self):
        args = train.parser().parse_args(["--data", "fashion-mnist", "--out", "x.safetensors"])
        self.assertEqual(args.random_erasing, 0.0)
        on = train.parser().parse_args(["--data", "fashion-mnist", "--out", "x.safetensors",
                                        "--random-erasing", "0.5"])
        self.assertEqual(train.augmentation_text(args, 2), "random crops, 2 pixels padding, and horizontal flips")
        self.assertIn("random erasing of a share 0.5", train.augmentation_text(on, 2))


if __name__ == "__main__":
    unittest.main()
