#!/usr/bin/python3
"""Calibrate a RANet's early exits: per-exit accuracies and the operating points of the budgeted-batch scheme,
printed as a table, written as the JSON that export_model.py --calibration takes (--out), or into a copy of
the model file (--out-model).

The data (--data) is `fashion-mnist` (the validation split of --seed, and the test set) or a folder with one
subfolder per class, named as the model's labels (every image of it is used for the thresholds, and the
table's test columns repeat the folder's figures). The model is a model file (--model: its preprocessing and
labels apply), or, for Fashion-MNIST only, torch weights with their config (--weights, --config).

    /usr/bin/python3 python/calibrate.py --model mine.safetensors --data photos-val/ --out-model mine-cal.safetensors
    /usr/bin/python3 python/calibrate.py --weights /var/tmp/ranet-train/final.pt \\
        --config /var/tmp/ranet-train/train_info.json --out calibration.json
"""

import argparse
import json

import torch

from ranet import calibration, fmnist, image_folder
from ranet.calibration import calibrate, calibrate_on, format_table
from ranet.evaluation import network_input
from ranet.model import RANetConfig
from ranet.model_file import build_model, export, load, unwrap_checkpoint


def fashion_mnist_inputs(preprocess, seed):
    _, (vx, vy) = fmnist.train_val_split(seed)
    tx, ty = fmnist.load("t10k")
    return (network_input(vx, preprocess), vy), (network_input(tx, preprocess), ty)


def calibrate_model_file(path, data, seed=0):
    """(model, metadata, calibration result) of a model file calibrated on `data` (as --data)."""
    model, meta = load(path)
    size = meta["preprocess"]["input_size"]
    if data == "fashion-mnist":
        val, test = fashion_mnist_inputs(meta["preprocess"], seed)
        return model, meta, calibrate_on(model, val, test, size)
    return model, meta, calibrate_on(model, image_folder.load_for_model(data, meta["labels"], meta["preprocess"]),
                                     None, size)


def main(argv=None):
    # the method, after the options: ranet.calibration's own description
    ap = argparse.ArgumentParser(description=__doc__, epilog=calibration.__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="model file to calibrate")
    ap.add_argument("--weights", help="torch checkpoint: a state_dict, or a dict holding one under 'state_dict' "
                                      "or 'model' (with --config; Fashion-MNIST only)")
    ap.add_argument("--config", help="JSON with the RANetConfig, bare or under 'config' (train.py's "
                                     "train_info.json)")
    ap.add_argument("--data", default="fashion-mnist", help="'fashion-mnist' (default) or a folder of images")
    ap.add_argument("--seed", type=int, default=None,
                    help="seed of the Fashion-MNIST train/validation split (default: 'seed' in the config "
                         "file, else 0)")
    ap.add_argument("--out", help="write the result (calibration and per-exit accuracies) as JSON here")
    ap.add_argument("--out-model", help="with --model: write the model file again here with this calibration")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    if (args.model is None) == (args.weights is None) or (args.weights is None) != (args.config is None):
        ap.error("give either --model, or --weights with --config")
    if args.out_model and not args.model:
        ap.error("--out-model needs --model")
    try:
        if args.model:
            model, meta, result = calibrate_model_file(args.model, args.data, args.seed or 0)
        else:
            if args.data != "fashion-mnist":
                ap.error("--weights and --config calibrate on Fashion-MNIST only: for a folder, give a model "
                         "file (--model), whose preprocessing and labels say how to read it")
            with open(args.config) as f:
                conf = json.load(f)
            cfg = RANetConfig.from_dict(conf.get("config", conf))
            seed = args.seed if args.seed is not None else conf.get("seed", 0)
            model = build_model(cfg, unwrap_checkpoint(torch.load(args.weights, map_location="cpu")))
            result = calibrate(model, seed)
    except (ValueError, OSError) as e:
        raise SystemExit(str(e)) from None
    print(format_table(result))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)
    if args.out_model:
        card = dict(meta["card"], calibration="operating points from %s" % args.data,
                    val_accuracy=result["val_accuracy"])
        export(args.out_model, model.state_dict(), model.cfg, meta["preprocess"], meta["labels"],
               result["calibration"], card)
        print("wrote %s" % args.out_model)


if __name__ == "__main__":
    main()
