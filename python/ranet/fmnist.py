"""Fashion-MNIST from Debian's dataset-fashion-mnist package (IDX files, plain or gzip-compressed)."""

import gzip
import os

import numpy as np

DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
VAL_SIZE = 5000


def _open(path):
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path += ".gz"
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def read_idx(path):
    with _open(path) as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic >> 8 != 0x08:
        raise ValueError("%s: not an unsigned-byte IDX file (magic 0x%08x)" % (path, magic))
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split):
    """split: 'train' (60,000) or 't10k' (10,000). Returns (uint8 images N x 28 x 28, int64 labels)."""
    images = read_idx(os.path.join(DATA_DIR, "%s-images-idx3-ubyte" % split))
    labels = read_idx(os.path.join(DATA_DIR, "%s-labels-idx1-ubyte" % split)).astype(np.int64)
    return images, labels


def train_val_split(seed):
    """The training set minus VAL_SIZE images held out for validation, chosen by a seeded permutation."""
    images, labels = load("train")
    perm = np.random.RandomState(seed).permutation(len(images))
    val, train = perm[:VAL_SIZE], perm[VAL_SIZE:]
    return (images[train], labels[train]), (images[val], labels[val])


# Normalisation of the default model: pixels scaled to [0, 1], then (x - MEAN) / STD.
MEAN = [0.2860]
STD = [0.3530]


def to_tensor(images):
    import torch
    x = torch.from_numpy(np.array(images, dtype=np.uint8)).float().div_(255.0).unsqueeze(1)
    return (x - MEAN[0]) / STD[0]
