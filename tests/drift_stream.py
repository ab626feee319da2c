"""A stream unlike the validation set: Fashion-MNIST test images as a camera with less contrast and a noisy
sensor would give them, as raw GRAY8 frames for filesrc ! rawvideoparse format=gray8 width=28 height=28.

Each image p (0..255, dark background) becomes CONTRAST x p, a dim view that uses half the sensor's range, and
then gets sensor noise: shot noise (Poisson in the photons, a variance proportional to the signal, SHOT_GAIN grey
levels per photon) plus read noise (Gaussian, READ_SIGMA grey levels), rounded and clipped to 0..255. The
network still knows these images (about 88% right against 93.6% on the clean set) but is less sure of them, so
that fewer leave at the early exits than the calibration planned: the drift a darker scene gives. (A lifted
black level, a hazy view, is a shift the default model does not survive at all: about 20% right.) The frames are the first N test images in a seeded random order; their labels
come back in the same order.

    /usr/bin/python3 tests/drift_stream.py OUT.gray8 OUT.labels [N]
"""

import gzip
import os
import sys

import numpy as np

FASHION_MNIST_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
CONTRAST = 0.5
SHOT_GAIN = 1.0
READ_SIGMA = 8.0
SEED = 16


def read_idx(path, header):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read()[header:], dtype=np.uint8)


def test_set():
    """(images [N, 28, 28] uint8, labels [N] uint8) of the Fashion-MNIST test split."""
    images = read_idx(os.path.join(FASHION_MNIST_DIR, "t10k-images-idx3-ubyte.gz"), 16).reshape(-1, 28, 28)
    labels = read_idx(os.path.join(FASHION_MNIST_DIR, "t10k-labels-idx1-ubyte.gz"), 8)
    return images, labels


def degrade(images, rng):
    """The drifted view of uint8 images: lower contrast, shot and read noise."""
    signal = CONTRAST * images.astype(np.float64)
    photons = rng.poisson(signal / SHOT_GAIN)
    noisy = photons * SHOT_GAIN + rng.normal(0.0, READ_SIGMA, size=images.shape)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


def write_stream(frames_path, labels_path, n):
    """Writes n drifted frames and their labels (one byte each); returns the labels."""
    images, labels = test_set()
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(images))[:n]
    frames = degrade(images[order], rng)
    frames.tofile(frames_path)
    labels[order].tofile(labels_path)
    return labels[order]


def main():
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
    write_stream(sys.argv[1], sys.argv[2], n)


if __name__ == "__main__":
    main()
