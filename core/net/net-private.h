/* net-private.h: the parts of a RanetNet its files share. */
#pragma once

#include "net/ranet-net.h"

G_BEGIN_DECLS

/* The dispatch arguments of layer i are words 3i..3i+2 of dispatch_args;
 * the input op's follow the last layer's. */
#define RANET_NET_ARGS_OFFSET(i) ((gsize) (i) * 3 * sizeof (guint32))

/* Timestamps written by every stage's recording: its start and its end. */
#define RANET_NET_TS_START 0
#define RANET_NET_TS_END 1

typedef enum {
  RANET_NET_INPUT_TENSOR,   /* stage 0 copies a host-written tensor into place */
  RANET_NET_INPUT_FRAME,    /* stage 0 preprocesses a host-written video frame */
  RANET_NET_INPUT_REGIONS,  /* a batch: stage 0 preprocesses regions of a frame */
} RanetNetInput;

/* What a fused run is: they differ in their bindings, not always in
 * their length. */
typedef enum {
  RANET_NET_FUSED_CLASSIFIER,   /* convolution, linear, softmax */
  RANET_NET_FUSED_BOTTLENECK,   /* 1x1, KxK convolution, and maybe a resize */
} RanetNetFusedKind;

struct _RanetNet {
  RanetVkDevice *dev;
  RanetModel *model;
  const RanetGraph *graph;      /* owned by the model */
  guint n_exits;
  guint n_classes;

  RanetVkBuffer **weights;      /* packed weights, in chunks a dispatch can bind */
  guint n_weight_chunks;
  guint *layer_chunk;           /* per layer: the chunk holding its weights */
  RanetVkBuffer *activations;   /* every tensor, as the graph places them */
  RanetVkBuffer *results;       /* host-visible: each exit's softmax output */
  RanetOp **ops;                /* one per graph layer */
  /* Runs of layers recorded as one op (net-fuse.c), indexed by a run's
   * first layer: its op, the op's variant that decides a one-submission
   * frame's exit (where the run ends a stage), its length, what it is;
   * NULL and 0 at every other layer. NULL arrays where nothing is fused. */
  RanetOp **fused;
  RanetOp **fused_decide;
  guint *fused_layers;
  RanetNetFusedKind *fused_kind;

  RanetNetInput input;
  RanetVkBuffer *input_tensor;  /* host-visible, for tensor input */
  RanetOp *input_copy;
  RanetVkBuffer *frame;         /* host-visible, for frame input; grows, never shrinks */
  RanetOp *preprocess;         /* a batch's: of regions */
  RanetFrameLayout frame_layout;
  RanetResizeMode frame_mode;
  guint *frame_rows[RANET_MAX_PLANES];   /* rows the preprocess reads, per plane */
  guint n_frame_rows[RANET_MAX_PLANES];

  RanetVkCommands **stages;     /* one recording per exit */
  guint next_stage;             /* the stage a run may submit next */
  float *probs;                 /* n_classes, copied out of the results */
  guint64 *stage_gpu_ns;        /* n_exits: each stage's GPU time in its last run */

  /* A whole frame in one submission, where the device can skip dispatches
   * (net-record.c): every stage, each after the first inside a conditional
   * block whose flag the previous stage's softmax_decide dispatch wrote. */
  RanetVkCommands *frame_run;
  RanetVkBuffer *control;       /* host-visible: thresholds, run flags, last stage */
  RanetOp **decide;             /* n_exits - 1 softmax_decide ops */
  gboolean frame_stale;         /* the input changed since it was recorded */

  /* A batch (net-batch.c). A net of max_batch > 1 items runs batches only:
   * each tensor holds max_batch copies (ranet_tensor_view_batch()), every op
   * is batched, and the stage recordings dispatch indirectly, so that the
   * host sets how many items a stage runs, and which, without recording
   * again. */
  guint max_batch;              /* 1: a net of single frames */
  guint batch_size;             /* items of the current batch */
  guint *item_next_stage;       /* max_batch: the stage each item may run next */
  RanetVkBuffer *items;         /* host-visible: the slots a stage runs, in z order */
  RanetVkBuffer *dispatch_args; /* host-visible: workgroup counts, 3 words per op */
  RanetVkBuffer *geometry;      /* host-visible: each region's preprocess geometry */
  float *batch_probs;           /* max_batch x n_classes */
};

/* The calls go one way: net.c (the public object, its input) and
 * net-batch.c (a batch's input and runs) to net-run.c (submitting) to
 * net-record.c (recording) to net-build.c (what a net is made of).
 * net-profile.c runs recordings of its own. */

/* Control buffer words of the one-submission frame (shaders/softmax.glsl):
 * each exit's threshold, each stage's run flag, the last stage allowed. */
#define RANET_NET_CONTROL_THRESHOLD(k) (k)
#define RANET_NET_CONTROL_RUNS(n, k) ((n) + (k))
#define RANET_NET_CONTROL_LAST(n) (2 * (n))

/* Timestamp slots of the one-submission frame: each stage's start and end. */
#define RANET_NET_TS_STAGE_START(k) (2 * (k))
#define RANET_NET_TS_STAGE_END(k) (2 * (k) + 1)

/* net-build.c */
/* Buffers, weights, ops and the frame's objects of a net whose device, model
 * and graph are set; nothing recorded. */
gboolean ranet_net_build (RanetNet *net, GError **error);
/* The preprocess op and frame buffer for frames of @layout (in a batch, the
 * op of regions of such frames and their geometry buffer). */
gboolean ranet_net_build_preprocess (RanetNet *net, const RanetFrameLayout *layout,
    RanetResizeMode mode, GError **error);
/* Frees what the two above made. */
void ranet_net_build_clear (RanetNet *net);

/* net-fuse.c */
/* The fused runs of a net whose ops, weights (at @offsets) and frame
 * objects are built; none where its device's options say so. */
gboolean ranet_net_build_fusions (RanetNet *net, const gsize *offsets, GError **error);
/* Frees them. */
void ranet_net_fusions_clear (RanetNet *net);
/* Records the run starting at layer @first, with its variant that decides
 * the exit of a one-submission frame if @decide. */
void ranet_net_record_fused (RanetNet *net, RanetVkCommands *cmds, guint first,
    gboolean decide);

/* net.c */
/* A net of @max_batch items (1: single frames) with its stages recorded for
 * tensor input; not run yet. */
RanetNet *ranet_net_new_internal (RanetVkDevice *dev, RanetModel *model, guint max_batch,
    GError **error);

/* Whether frames of @a and @b are read alike: every field compared (a
 * struct's padding may differ between two equal layouts). */
gboolean ranet_net_same_layout (const RanetFrameLayout *a, const RanetFrameLayout *b);

/* net-run.c */
/* Fills @result from exit @stage's softmax output of @item (0 outside a
 * batch) in the results buffer. */
void ranet_net_fill_result (RanetNet *net, guint stage, guint item, RanetExitResult *result);

/* net-record.c */
/* Records the current input op (stage 0's first dispatch). */
void ranet_net_record_input (RanetNet *net, RanetVkCommands *cmds);
/* Records layer @i with its buffers bound. */
void ranet_net_record_layer (RanetNet *net, RanetVkCommands *cmds, guint i);
/* Records stage @k (stage 0 with the current input op) into its command
 * buffer; recording stage 0 makes the frame recording stale. */
gboolean ranet_net_record_stage (RanetNet *net, guint k, GError **error);
/* Records every stage into the one-submission frame. */
gboolean ranet_net_record_frame (RanetNet *net, GError **error);

G_END_DECLS
