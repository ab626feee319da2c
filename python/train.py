#!/usr/bin/python3
"""Train a RANet on Fashion-MNIST (5,000 training images held out for validation).

Every exit is trained jointly (mean of the exits' cross-entropy losses), with SGD + Nesterov momentum and
a one-cycle learning rate, random 2-pixel-shift crops and horizontal flips. A checkpoint is written after
every epoch, and --resume continues from it, so a run can span interrupted sessions.

    /usr/bin/python3 python/train.py --out /var/tmp/ranet-train --epochs 30 --seed 0
"""

import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

from ranet import fmnist
from ranet.model import RANet, RANetConfig

# The default model: three scales (28, 14, 7 pixels), five exits, ~14M multiply-adds at the last exit.
DEFAULT_CONFIG = RANetConfig(scale_list=[1, 2, 3], grFactor=[4, 2, 1], bnFactor=[4, 2, 1], nBlocks=1,
                             block_step=2, step=2, stepmode="even", nChannels=16, growthRate=8,
                             reduction=0.5, compress_factor=0.25, bnAfter=True, stem="cifar",
                             num_classes=10, in_channels=1, head_channels=64)


def augment(x, gen):
    """Random shift by up to 2 pixels (zero padding, like a padded random crop) and horizontal flip."""
    n = x.shape[0]
    padded = F.pad(x, (2, 2, 2, 2), value=float(-fmnist.MEAN[0] / fmnist.STD[0]))
    dx = torch.randint(0, 5, (n,), generator=gen)
    dy = torch.randint(0, 5, (n,), generator=gen)
    out = torch.empty_like(x)
    for i in range(n):
        out[i] = padded[i, :, dy[i]:dy[i] + 28, dx[i]:dx[i] + 28]
    flip = torch.rand(n, generator=gen) < 0.5
    out[flip] = out[flip].flip(3)
    return out


def evaluate(model, x, y, batch=500):
    model.eval()
    correct = None
    with torch.no_grad():
        for i in range(0, len(x), batch):
            outs = model(x[i:i + batch])
            c = torch.stack([(o.argmax(1) == y[i:i + batch]).sum() for o in outs])
            correct = c if correct is None else correct + c
    return (100.0 * correct.double() / len(x)).tolist()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="directory for checkpoints, log and the final weights")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1, help="peak learning rate of the one-cycle schedule")
    ap.add_argument("--wd", type=float, default=5e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--resume", action="store_true")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    log = open(os.path.join(args.out, "train.log"), "a")

    (tx, ty), (vx, vy) = fmnist.train_val_split(args.seed)
    tx, ty = fmnist.to_tensor(tx), torch.from_numpy(ty)
    vx, vy = fmnist.to_tensor(vx), torch.from_numpy(vy)

    cfg = DEFAULT_CONFIG
    model = RANet(cfg)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=args.wd)
    steps_per_epoch = (len(tx) + args.batch - 1) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, epochs=args.epochs,
                                                steps_per_epoch=steps_per_epoch, pct_start=0.15)
    gen = torch.Generator().manual_seed(args.seed)
    start_epoch, wall = 0, 0.0
    if args.resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        sched.load_state_dict(ck["sched"])
        gen.set_state(ck["gen"])
        start_epoch, wall = ck["epoch"], ck["wall"]
        print("resumed after epoch %d" % start_epoch, file=log, flush=True)

    for epoch in range(start_epoch, args.epochs):
        t0 = time.time()
        model.train()
        perm = torch.randperm(len(tx), generator=gen)
        total = 0.0
        for b in range(steps_per_epoch):
            idx = perm[b * args.batch:(b + 1) * args.batch]
            outs = model(augment(tx[idx], gen))
            loss = sum(F.cross_entropy(o, ty[idx]) for o in outs) / len(outs)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        wall += time.time() - t0
        val = evaluate(model, vx, vy)
        line = "epoch %d loss %.4f val %s wall %.0fs" % (epoch + 1, total / steps_per_epoch,
                                                          " ".join("%.2f" % a for a in val), wall)
        print(line, file=log, flush=True)
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "gen": gen.get_state(), "epoch": epoch + 1, "wall": wall}, ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)

    torch.save(model.state_dict(), os.path.join(args.out, "final.pt"))
    info = {"config": json.loads(cfg.to_json()), "seed": args.seed, "epochs": args.epochs,
            "batch": args.batch, "lr": args.lr, "weight_decay": args.wd, "threads": args.threads,
            "wall_seconds": round(wall), "command": "/usr/bin/python3 python/train.py " + " ".join(sys.argv[1:]),
            "val_accuracy": evaluate(model, vx, vy)}
    with open(os.path.join(args.out, "train_info.json"), "w") as f:
        json.dump(info, f, indent=1)
    print("done", json.dumps(info), file=log, flush=True)


if __name__ == "__main__":
    main()
