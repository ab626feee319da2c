#!/bin/sh
# check-eval.sh RANET_EVAL MODEL: ranet-eval on the first 200 Fashion-MNIST
# test images. Its last line must be the machine-readable summary and the
# accuracy above a floor that any trained model clears (chance is 10%).
# Skipped (77) without the dataset-fashion-mnist package.
set -u
eval_tool=$1
model=$2
data=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
floor=70

images=$data/t10k-images-idx3-ubyte.gz
labels=$data/t10k-labels-idx1-ubyte.gz
if [ ! -r "$images" ] || [ ! -r "$labels" ]; then
  echo "no Fashion-MNIST test set in $data (package dataset-fashion-mnist): skipped"
  exit 77
fi

out=$("$eval_tool" --model "$model" --images "$images" --labels "$labels" \
  --limit 200 --threshold 0.9) || { echo "ranet-eval failed"; exit 1; }
printf '%s\n' "$out"
last=$(printf '%s\n' "$out" | tail -n 1)
if ! printf '%s\n' "$last" | grep -Eq \
    '^accuracy=[0-9]+\.[0-9]{2} mean_exit=[0-9]+\.[0-9]+ mean_macs=[0-9]+\.[0-9]+$'; then
  echo "last line \"$last\" is not accuracy=... mean_exit=... mean_macs=..."
  exit 1
fi
accuracy=$(printf '%s\n' "$last" | sed 's/^accuracy=\([0-9.]*\) .*/\1/')
if ! awk -v a="$accuracy" -v f="$floor" 'BEGIN { exit !(a > f) }'; then
  echo "accuracy $accuracy% is not above $floor%"
  exit 1
fi
