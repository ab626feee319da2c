/* net-private.h: the parts of a RanetNet its files share. */
#pragma once

#include "net/ranet-net.h"

G_BEGIN_DECLS

/* Timestamps written by every stage's recording: its start and its end. */
#define RANET_NET_TS_START 0
#define RANET_NET_TS_END 1

typedef enum {
  RANET_NET_INPUT_TENSOR,   /* stage 0 copies a host-written tensor into place */
  RANET_NET_INPUT_FRAME,    /* stage 0 preprocesses a host-written video frame */
} RanetNetInput;

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

  RanetNetInput input;
  RanetVkBuffer *input_tensor;  /* host-visible, for tensor input */
  RanetOp *input_copy;
  RanetVkBuffer *frame;         /* host-visible, for frame input; grows, never shrinks */
  RanetOp *preprocess;
  RanetFrameLayout frame_layout;
  RanetResizeMode frame_mode;
  guint *frame_rows[RANET_MAX_PLANES];   /* rows the preprocess reads, per plane */
  guint n_frame_rows[RANET_MAX_PLANES];

  RanetVkCommands **stages;     /* one recording per exit */
  guint next_stage;             /* the stage a run may submit next */
  float *probs;                 /* n_classes, copied out of the results */
  guint64 *stage_gpu_ns;        /* n_exits: each stage's GPU time in its last run */

  /* A whole frame in one submission, where the device can skip dispatches
   * (net-frame.c): every stage, each after the first inside a conditional
   * block whose flag the previous stage's softmax_decide dispatch wrote. */
  RanetVkCommands *frame_run;
  RanetVkBuffer *control;       /* host-visible: thresholds, run flags, last stage */
  RanetOp **decide;             /* n_exits - 1 softmax_decide ops */
  gboolean frame_stale;         /* the input changed since it was recorded */
};

/* Records stage @k (stage 0 with the current input op) into its command buffer. */
gboolean ranet_net_record_stage (RanetNet *net, guint k, GError **error);

/* Records stage @k's dispatches into @cmds (the recording puts the barriers
 * their accesses need). With @softmax_decide the stage's softmax runs as
 * that op instead (bindings: activations, results, control; net-frame.c). */
void ranet_net_record_stage_dispatches (RanetNet *net, RanetVkCommands *cmds, guint k,
    RanetOp *softmax_decide);

/* Fills @result from exit @stage's softmax output in the results buffer. */
void ranet_net_fill_result (RanetNet *net, guint stage, RanetExitResult *result);

/* net-frame.c: the one-submission frame. Sets it up where the device can
 * skip dispatches; TRUE (nothing done) where it cannot. */
gboolean ranet_net_frame_init (RanetNet *net, GError **error);
void ranet_net_frame_clear (RanetNet *net);
/* Runs stages 0.. until one's confidence reaches its threshold or @last, in
 * one submission; FALSE with @error unset when the net has no frame recording
 * (the caller runs stage by stage). */
gboolean ranet_net_frame_run (RanetNet *net, const float *thresholds, guint last,
    RanetExitResult *result, GError **error);

/* Records the current input op (stage 0's first dispatch). */
void ranet_net_record_input (RanetNet *net, RanetVkCommands *cmds);

/* Records layer @i with its buffers bound. */
void ranet_net_record_layer (RanetNet *net, RanetVkCommands *cmds, guint i);

G_END_DECLS
