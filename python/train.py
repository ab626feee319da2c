#!/usr/bin/python3
"""Train a RANet on labelled images and write a model file the element loads: weights, preprocessing, labels,
the early-exit calibration of a held-out validation split, and a card saying how the file was made.

Data (--data): `fashion-mnist` (Debian's dataset-fashion-mnist: 28x28 grey, 5,000 training images held out
for validation, the test set for the card's test figures) or a folder with one subfolder per class of PNG or
JPEG images of any size, grey or colour; the class names are the subfolder names, sorted. For a folder the
input size and channels are inferred unless given (ranet.image_folder), mean and std are computed on the
training split, and --val-fraction of each class (seeded) is held out for validation.

Training: every exit jointly (mean of the exits' cross-entropy losses), SGD with Nesterov momentum, a
one-cycle learning rate, and unless --no-augment random crops of the zero-padded image (--crop-padding
pixels each side) and horizontal flips; --random-erasing P also overwrites a random rectangle of a share P of
the images with noise (Zhong et al., "Random Erasing Data Augmentation", 2017). The network is a preset
(ranet.presets) with any field overridden by the reference's option names. With --checkpoint-dir a checkpoint
is written after every epoch and a later run with the same options resumes from it, with the weights an
uninterrupted run would have (asking for more epochs stretches the rest of the learning-rate schedule);
--stop-after N ends a run after epoch N on purpose. The directory also gets train.log, final.pt and
train_info.json.

A progress bar with the epoch's ETA goes to stderr; a PNG of the loss and each exit's validation accuracy
per epoch to --plot.

The built-in model's recipe (models/MODEL_CARD.md):

    /usr/bin/python3 python/train.py --data fashion-mnist --preset default --grFactor 1-1-1 --bnFactor 1-1-1 \\
        --nChannels 32 --growthRate 16 --step 3 --epochs 30 --seed 0 --threads 2 \\
        --checkpoint-dir /var/tmp/ranet-train --out fashion-mnist-ranet.safetensors

A folder of your own:

    /usr/bin/python3 python/train.py --data photos/ --epochs 30 --out mine.safetensors
"""

import argparse
import contextlib
import json
import math
import os
import shlex
import sys
import time
import warnings

import torch
import torch.nn.functional as F

from ranet import fmnist, image_folder, presets
from ranet.calibration import calibrate_on, format_table
from ranet.model import RANet
from ranet.model_file import export, preprocess_meta
from ranet.progress import Progress

CHECKPOINT = "checkpoint.pt"


def parser():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="'fashion-mnist' or a folder with one subfolder per class")
    ap.add_argument("--out", required=True, help="model file to write (.safetensors)")
    ap.add_argument("--checkpoint-dir", help="checkpoint after every epoch here, and resume from it")
    ap.add_argument("--stop-after", type=int, metavar="N",
                    help="with --checkpoint-dir: stop after epoch N, leaving the checkpoint and writing no model "
                         "file (to split a run across sessions; the same command without it goes on)")
    ap.add_argument("--plot", help="PNG of loss and per-exit accuracy per epoch (default: OUT without its "
                                   "extension, then -training.png)")
    data = ap.add_argument_group("data")
    data.add_argument("--input-size", type=int, nargs=2, metavar=("H", "W"),
                      help="network input size (default for a folder: the median image size, rounded)")
    data.add_argument("--channels", type=int, choices=[1, 3],
                      help="1 grey, 3 colour (default for a folder: 1 when every image is grey)")
    data.add_argument("--val-fraction", type=float, default=0.1,
                      help="share of each class held out for validation and calibration (folder; default 0.1)")
    data.add_argument("--no-augment", dest="augment", action="store_false",
                      help="no random crops or flips")
    data.add_argument("--random-erasing", type=float, default=0.0, metavar="P",
                      help="overwrite a random rectangle (2-40%% of the area, aspect 0.3-3.3) of each image with "
                           "probability P with noise; 0 (the default) draws nothing, as before this option")
    data.add_argument("--crop-padding", type=int,
                      help="pixels of zero padding each side for random crops (default: 1/14 of the smaller "
                           "side, at least 1: 2 at 28x28)")
    net = ap.add_argument_group("network: a preset, fields overridden by the reference's option names")
    net.add_argument("--preset", choices=sorted(presets.PRESETS), default="default",
                     help="default: the built-in model's network; cifar: the reference's CIFAR network; "
                          "imagenet: the paper's ImageNet network (ranet.presets)")
    presets.add_options(net)
    opt = ap.add_argument_group("optimisation")
    opt.add_argument("--epochs", type=int, default=30)
    opt.add_argument("--batch", type=int, default=128)
    opt.add_argument("--lr", type=float, default=0.1, help="peak learning rate of the one-cycle schedule")
    opt.add_argument("--wd", type=float, default=5e-4, help="weight decay")
    opt.add_argument("--seed", type=int, default=0)
    opt.add_argument("--threads", type=int, default=2)
    return ap


class Dataset:
    """Training and validation tensors, labels, class names, preprocessing and a summary for the card."""

    def __init__(self, args):
        if args.data == "fashion-mnist":
            self._fashion_mnist(args)
        else:
            self._folder(args)

    def _fashion_mnist(self, args):
        if args.input_size not in (None, [28, 28]) or args.channels not in (None, 1):
            raise SystemExit("--data fashion-mnist is 28x28 grey: --input-size and --channels cannot change it")
        (tx, ty), (vx, vy) = fmnist.train_val_split(args.seed)
        test_x, test_y = fmnist.load("t10k")
        self.classes, self.input_size, self.channels = list(fmnist.LABELS), [28, 28], 1
        # the training set's statistics, fixed to four digits so that the built-in model's recipe reproduces
        self.mean, self.std = list(fmnist.MEAN), list(fmnist.STD)
        self.train = (fmnist.to_tensor(tx), torch.from_numpy(ty))
        self.val = (fmnist.to_tensor(vx), torch.from_numpy(vy))
        self.test = (fmnist.to_tensor(test_x), test_y)
        self.summary = {"source": "Fashion-MNIST, Debian package dataset-fashion-mnist (%s)" % fmnist.DATA_DIR,
                        "train_images": len(tx), "val_images": len(vx), "test_images": len(test_x),
                        "split": "fmnist.train_val_split(seed): %d training images held out" % len(vx)}

    def _folder(self, args):
        try:
            self.classes, items = image_folder.scan(args.data)
            if args.input_size and args.channels:
                size, channels = args.input_size, args.channels
            else:
                size, channels = image_folder.infer_input(items)
                size, channels = args.input_size or size, args.channels or channels
            images, labels = image_folder.load_images(items, size, channels)
        except image_folder.FolderError as e:
            raise SystemExit(str(e)) from None
        train_idx, val_idx = image_folder.split(labels, args.val_fraction, args.seed)
        if len(val_idx) == 0:
            raise SystemExit("%s: no image is left for validation (--val-fraction %g)" % (args.data, args.val_fraction))
        self.input_size, self.channels = list(size), channels
        self.mean, self.std = image_folder.mean_std(images[train_idx])
        self.train = (image_folder.to_tensor(images[train_idx], self.mean, self.std),
                      torch.from_numpy(labels[train_idx]))
        self.val = (image_folder.to_tensor(images[val_idx], self.mean, self.std), torch.from_numpy(labels[val_idx]))
        self.test = None
        self.summary = dict(image_folder.summary(self.classes, labels, train_idx, val_idx),
                            source="folder %s" % os.path.abspath(args.data),
                            split="per class, a seeded random %g held out for validation" % args.val_fraction)


def augment(x, gen, pad, fill):
    """Random crop of the image padded by `pad` pixels of `fill` (the normalised zero pixel) on each side, then a
    horizontal flip of half the batch."""
    n, c, h, w = x.shape
    padded = fill.view(1, c, 1, 1).expand(n, c, h + 2 * pad, w + 2 * pad).clone()
    padded[:, :, pad:pad + h, pad:pad + w] = x
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    out = torch.empty_like(x)
    for i in range(n):
        out[i] = padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w]
    flip = torch.rand(n, generator=gen) < 0.5
    out[flip] = out[flip].flip(3)
    return out


def random_erase(x, gen, p):
    """Each image, with probability p: a rectangle of 2-40% of its area, aspect ratio 0.3-3.3, replaced by
    standard normal noise (in the normalised space, where the training set has mean 0 and variance 1)."""
    n, c, h, w = x.shape
    out = x.clone()
    chosen = (torch.rand(n, generator=gen) < p).nonzero().flatten().tolist()
    for i in chosen:
        for _ in range(10):  # a drawn rectangle may not fit the image: draw again, at most 10 times
            area = h * w * (0.02 + 0.38 * torch.rand(1, generator=gen).item())
            u = torch.rand(1, generator=gen).item()
            aspect = math.exp(math.log(0.3) + (math.log(1 / 0.3) - math.log(0.3)) * u)  # log-uniform, 0.3 .. 1/0.3
            eh, ew = round(math.sqrt(area * aspect)), round(math.sqrt(area / aspect))
            if 0 < eh < h and 0 < ew < w:
                y0 = int(torch.randint(0, h - eh + 1, (1,), generator=gen))
                x0 = int(torch.randint(0, w - ew + 1, (1,), generator=gen))
                out[i, :, y0:y0 + eh, x0:x0 + ew] = torch.randn(c, eh, ew, generator=gen)
                break
    return out


def evaluate(model, x, y, batch=500):
    """Percent correct at each exit."""
    model.eval()
    correct = None
    with torch.no_grad():
        for i in range(0, len(x), batch):
            outs = model(x[i:i + batch])
            c = torch.stack([(o.argmax(1) == y[i:i + batch]).sum() for o in outs])
            correct = c if correct is None else correct + c
    return [round(v, 2) for v in (100.0 * correct.double() / len(x)).tolist()]


def plot_history(history, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = [h["epoch"] for h in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, [h["loss"] for h in history], marker="o")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss (mean over exits)")
    for k in range(len(history[0]["val_accuracy"])):
        ax_acc.plot(epochs, [h["val_accuracy"][k] for h in history], marker="o", label="exit %d" % k)
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("validation accuracy %")
    ax_acc.legend()
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def augmentation_text(args, pad):
    kinds = ["random crops, %d pixels padding, and horizontal flips" % pad] if args.augment else []
    if args.random_erasing > 0:
        kinds.append("random erasing of a share %g of the images" % args.random_erasing)
    return "; ".join(kinds) or "none"


def recipe(args, cfg, data, pad):
    """What a checkpoint must agree on to be resumed (everything but the number of epochs)."""
    return {"data": os.path.abspath(args.data) if args.data != "fashion-mnist" else args.data,
            "config": json.loads(cfg.to_json()), "input_size": data.input_size, "mean": data.mean, "std": data.std,
            "val_fraction": args.val_fraction, "augment": args.augment, "crop_padding": pad, "batch": args.batch,
            "lr": args.lr, "wd": args.wd, "seed": args.seed,
            # only when used, so that checkpoints made before the option resume
            **({"random_erasing": args.random_erasing} if args.random_erasing > 0 else {})}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    if args.stop_after is not None and not args.checkpoint_dir:
        raise SystemExit("--stop-after needs --checkpoint-dir, where the run goes on from")
    with contextlib.ExitStack() as stack:
        run(args, argv, stack)


def run(args, argv, stack):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    data = Dataset(args)
    try:
        cfg = presets.build_config(args.preset, args, len(data.classes), data.channels)
    except ValueError as e:
        raise SystemExit(str(e)) from None
    pad = args.crop_padding if args.crop_padding is not None else max(1, round(min(data.input_size) / 14))
    fill = torch.tensor([-m / s for m, s in zip(data.mean, data.std)], dtype=torch.float32)
    plot_path = args.plot or os.path.splitext(args.out)[0] + "-training.png"
    command = "/usr/bin/python3 python/train.py " + shlex.join(argv)

    model = RANet(cfg)
    tx, ty = data.train
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=args.wd)
    steps_per_epoch = (len(tx) + args.batch - 1) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, epochs=args.epochs,
                                                steps_per_epoch=steps_per_epoch, pct_start=0.15)
    gen = torch.Generator().manual_seed(args.seed)
    start_epoch, wall, history, log = 0, 0.0, [], None
    ckpt_path = None
    if args.checkpoint_dir:
        os.makedirs(args.checkpoint_dir, exist_ok=True)
        ckpt_path = os.path.join(args.checkpoint_dir, CHECKPOINT)
        log = stack.enter_context(open(os.path.join(args.checkpoint_dir, "train.log"), "a"))
        if os.path.exists(ckpt_path):
            ck = torch.load(ckpt_path)
            want = recipe(args, cfg, data, pad)
            differ = sorted(k for k in want if ck.get("recipe", {}).get(k) != want[k])
            if differ:
                raise SystemExit("%s was made with other %s: give the same options, or another --checkpoint-dir"
                                 % (ckpt_path, ", ".join(differ)))
            model.load_state_dict(ck["model"])
            opt.load_state_dict(ck["opt"])
            gen.set_state(ck["gen"])
            start_epoch, wall, history = ck["epoch"], ck["wall"], ck["history"]
            # the schedule of this run's --epochs, at the step the checkpoint reached
            sched.last_epoch = start_epoch * steps_per_epoch
            if start_epoch < args.epochs:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)  # get_lr() outside step() is what is meant
                    for group, lr in zip(opt.param_groups, sched.get_lr()):
                        group["lr"] = lr
            print("resumed after epoch %d of %d" % (start_epoch, args.epochs), file=sys.stderr)
            print("resumed after epoch %d" % start_epoch, file=log, flush=True)

    for epoch in range(start_epoch, args.epochs):
        t0 = time.time()
        model.train()
        perm = torch.randperm(len(tx), generator=gen)
        total = 0.0
        progress = Progress("epoch %d/%d" % (epoch + 1, args.epochs), steps_per_epoch)
        for b in range(steps_per_epoch):
            idx = perm[b * args.batch:(b + 1) * args.batch]
            x = augment(tx[idx], gen, pad, fill) if args.augment else tx[idx]
            if args.random_erasing > 0:
                x = random_erase(x, gen, args.random_erasing)
            outs = model(x)
            loss = sum(F.cross_entropy(o, ty[idx]) for o in outs) / len(outs)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
            progress.update(b + 1, "loss %.4f" % (total / (b + 1)))
        wall += time.time() - t0
        val = evaluate(model, *data.val)
        progress.finish("loss %.4f  val %s" % (total / steps_per_epoch, " ".join("%.2f" % a for a in val)))
        history.append({"epoch": epoch + 1, "loss": round(total / steps_per_epoch, 5), "val_accuracy": val})
        plot_history(history, plot_path)
        if ckpt_path:
            print("epoch %d loss %.4f val %s wall %.0fs" % (epoch + 1, total / steps_per_epoch,
                                                             " ".join("%.2f" % a for a in val), wall),
                  file=log, flush=True)
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "gen": gen.get_state(),
                        "epoch": epoch + 1, "wall": wall, "history": history,
                        "recipe": recipe(args, cfg, data, pad)}, ckpt_path + ".tmp")
            os.replace(ckpt_path + ".tmp", ckpt_path)
        if args.stop_after is not None and epoch + 1 >= args.stop_after and epoch + 1 < args.epochs:
            print("stopped after epoch %d of %d: run again without --stop-after to go on" % (epoch + 1, args.epochs),
                  file=sys.stderr)
            return

    model.eval()
    result = calibrate_on(model, data.val, data.test, data.input_size)
    print(format_table(result))
    card = {"source": "python/train.py", "command": command, "data": data.summary, "classes": data.classes,
            "seed": args.seed, "preset": args.preset, "epochs": args.epochs, "batch": args.batch, "lr": args.lr,
            "weight_decay": args.wd, "augment": augmentation_text(args, pad), "threads": args.threads,
            "wall_seconds": round(wall),
            "torch": torch.__version__, "val_accuracy": result["val_accuracy"],
            "exit_macs": result["calibration"]["exit_macs"],
            "calibration": "operating points from the validation split"}
    if data.test is not None:
        card["test_accuracy"] = result["test_accuracy"]
    export(args.out, model.state_dict(), cfg, preprocess_meta(data.input_size, data.mean, data.std), data.classes,
           result["calibration"], card)
    if args.checkpoint_dir:
        torch.save(model.state_dict(), os.path.join(args.checkpoint_dir, "final.pt"))
        info = {"config": json.loads(cfg.to_json()), "seed": args.seed, "epochs": args.epochs,
                "batch": args.batch, "lr": args.lr, "weight_decay": args.wd, "threads": args.threads,
                "wall_seconds": round(wall), "command": command, "val_accuracy": result["val_accuracy"]}
        with open(os.path.join(args.checkpoint_dir, "train_info.json"), "w") as f:
            json.dump(info, f, indent=1)
        print("done", json.dumps(info), file=log, flush=True)
    print("wrote %s: %d classes (%s), input %dx%d, %d channel%s; plot %s"
          % (args.out, len(data.classes), ", ".join(data.classes), data.input_size[0], data.input_size[1],
             data.channels, "" if data.channels == 1 else "s", plot_path))


if __name__ == "__main__":
    main()
