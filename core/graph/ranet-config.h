/* ranet-config.h: the hyper-parameters of a RANet, as the model file's
 * `ranet.config` and `ranet.preprocess` metadata give them.
 *
 * Field names follow the authors' reference implementation so a reader can
 * check them against the paper and the training code. Scales are indexed
 * 0..n_scales-1 from the lowest resolution upwards, as in the reference.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RANET_MAX_SCALES 8
#define RANET_MAX_CHANNELS 4

typedef enum {
  RANET_STEM_CIFAR,     /* 3x3 convolution at full resolution; 128-channel style heads */
  RANET_STEM_IMAGENET,  /* 7x7/2 convolution with bias, BatchNorm, ReLU, 3x3/2 max pool */
} RanetStem;

typedef enum {
  RANET_STEPMODE_EVEN,  /* every block has `step` layers */
  RANET_STEPMODE_LG,    /* block i (0-based, any scale) has (i + 1) * step layers */
} RanetStepMode;

/**
 * RanetConfig:
 * @n_scales: number of scales (length of scale_list)
 * @scale_list: the reference's scale_list (1 = lowest resolution)
 * @grFactor: growth-rate factor per scale
 * @bnFactor: bottleneck-width factor per scale
 * @nBlocks: blocks in the lowest-resolution flow
 * @block_step: additional blocks per higher scale
 * @step: layers per block (or the increment, for lg)
 * @stepmode: even or lg
 * @nChannels: base channel count
 * @growthRate: base growth rate
 * @reduction: channel reduction of transition layers
 * @compress_factor: share of a fusion layer's output taken from the lower scale
 * @bnAfter: conv-BN-ReLU order in bottlenecks (FALSE: pre-activation BN-ReLU-conv)
 * @stem: first layer and classifier style
 * @num_classes: number of classes
 * @in_channels: input channels (1 or 3)
 * @head_channels: channels of the CIFAR-style classifier convolutions
 *   (the reference's fixed 128); unused by ImageNet-style heads
 * @input_h: network input height (from `ranet.preprocess`)
 * @input_w: network input width
 */
typedef struct {
  guint n_scales;
  guint scale_list[RANET_MAX_SCALES];
  guint grFactor[RANET_MAX_SCALES];
  guint bnFactor[RANET_MAX_SCALES];
  guint nBlocks;
  guint block_step;
  guint step;
  RanetStepMode stepmode;
  guint nChannels;
  guint growthRate;
  double reduction;
  double compress_factor;
  gboolean bnAfter;
  RanetStem stem;
  guint num_classes;
  guint in_channels;
  guint head_channels;
  guint input_h, input_w;
} RanetConfig;

G_END_DECLS
