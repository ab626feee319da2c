/* ranet-policy.h: the frame-rate controller.
 *
 * Pure C: no Vulkan, no clock. Time comes in as nanosecond numbers, so the
 * same code runs in the element and in tests with a simulated clock.
 *
 * Each frame gets a budget B: the frame period times a fraction, or a fixed
 * latency budget, scaled down while downstream reports through QoS that it is
 * late. From the model's calibration (operating points: per-exit thresholds
 * and the fraction of frames expected to leave at each exit) and the measured
 * latency of each stage, the expected cost of a point is sum_k q_k * C_k with
 * C_k the cumulative latency to reach exit k. The policy uses the most
 * accurate point (by validation accuracy) whose expected cost, corrected by
 * how far real frames have been from the prediction, fits the budget. Within
 * a frame, a stage that cannot finish before the frame's deadline is not
 * started: the frame leaves at the exit it has (anytime prediction).
 *
 * Moves to a more expensive point need headroom and a quiet period; moves to a
 * cheaper one happen at once. That asymmetry keeps the choice from
 * oscillating between two neighbouring points.
 *
 * A frame may instead bring several items (regions) classified as one batch
 * under the frame's one budget (ranet_policy_begin_batch() and what follows
 * it): the same choice, with each stage's cost for n items a fixed part plus
 * a part per item, and, where not even exit 0 for every item fits, fewer
 * items from a start that rotates over frames.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * RanetPolicyPoint:
 * @thresholds: (array length=n_exits): per-exit thresholds on the top softmax
 *   probability (the last exit's is ignored: it takes every frame)
 * @exit_fractions: (array length=n_exits): expected share of frames leaving
 *   at each exit, summing to 1
 * @accuracy: validation accuracy in percent; higher is better
 *
 * One calibrated operating point.
 */
typedef struct {
  const double *thresholds;
  const double *exit_fractions;
  double accuracy;
} RanetPolicyPoint;

/**
 * RanetPolicyParams:
 * @budget_fraction: share of the frame period the classification may use
 * @settle_frames: frames after a change before the policy may move to a more
 *   expensive point
 * @headroom: a more expensive point must fit within (1 - headroom) of the budget
 * @latency_smoothing: weight of a new stage-latency measurement in its moving
 *   average (0..1]
 * @feedback_smoothing: weight of a new frame's cost ratio (actual /
 *   predicted) in its moving average (0..1]
 */
typedef struct {
  double budget_fraction;
  guint settle_frames;
  double headroom;
  double latency_smoothing;
  double feedback_smoothing;
} RanetPolicyParams;

/* Defaults; see ranet_policy_params_init() for the reasons. */
void ranet_policy_params_init (RanetPolicyParams *params);

typedef struct _RanetPolicy RanetPolicy;

/**
 * ranet_policy_new:
 * @n_exits: the network's exits (at least 1)
 * @stage_macs: (array length=n_exits): multiply-adds of each stage, used only
 *   to estimate a stage's latency before it has been measured
 * @points: (array length=n_points): the calibrated points, any order; copied
 * @n_points: at least 1
 * @params: (nullable): tuning; %NULL for the defaults
 *
 * Returns: (transfer full): the policy. Until a budget is set it has none and
 *   uses the most accurate point.
 */
RanetPolicy *ranet_policy_new (guint n_exits, const double *stage_macs,
    const RanetPolicyPoint *points, guint n_points,
    const RanetPolicyParams *params);
void ranet_policy_free (RanetPolicy *policy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RanetPolicy, ranet_policy_free)

/* ---- the budget ---- */

/* The frame period in ns (from the stream's framerate, or a target rate); 0
 * for none. */
void ranet_policy_set_frame_period (RanetPolicy *policy, guint64 period_ns);
/* A fixed per-frame budget in ns that overrides period x fraction; 0 for none.
 * Any other value is a budget, G_MAXUINT64 included: budget and deadline
 * arithmetic saturates. */
void ranet_policy_set_latency_budget (RanetPolicy *policy, guint64 budget_ns);
void ranet_policy_set_budget_fraction (RanetPolicy *policy, double fraction);

/**
 * ranet_policy_handle_qos:
 * @proportion: downstream's QoS proportion (> 1: it cannot keep up)
 * @jitter_ns: how late (> 0) or early (< 0) the last buffer was
 *
 * Scales the budget: down at once by the proportion when downstream is late,
 * back up gradually when it is early. Never drops a frame.
 */
void ranet_policy_handle_qos (RanetPolicy *policy, double proportion,
    gint64 jitter_ns);

/* %TRUE when a frame period or a latency budget is set. */
gboolean ranet_policy_has_budget (RanetPolicy *policy);

/**
 * ranet_policy_get_nominal_budget:
 *
 * Returns: the budget the settings give, before QoS: the latency budget, else
 *   the frame period x fraction (exact to the nanosecond below 2^53 ns, never
 *   more than the period), in ns; G_MAXUINT64 without a budget.
 */
guint64 ranet_policy_get_nominal_budget (RanetPolicy *policy);

/**
 * ranet_policy_get_budget:
 *
 * Returns: the budget in force for the next frame (the nominal one scaled by
 *   QoS), in ns; G_MAXUINT64 without a budget (ranet_policy_has_budget() tells
 *   that from a budget of G_MAXUINT64 ns, which means the same to every
 *   decision: no deadline).
 */
guint64 ranet_policy_get_budget (RanetPolicy *policy);

/* ---- per frame ---- */

/**
 * RanetPolicyFrame:
 * @point: index of the operating point used
 * @thresholds: (array length=n_exits): the thresholds to apply; owned by the
 *   policy, valid until the next ranet_policy_begin_frame()
 * @start_ns: when the frame started
 * @deadline_ns: when it must be done (G_MAXUINT64: no deadline)
 * @probe: online calibration wants this frame's confidence at every exit:
 *   run every stage (its result is still the exit @thresholds pick), then
 *   ranet_policy_add_probe()
 */
typedef struct {
  guint point;
  const double *thresholds;
  guint64 start_ns;
  guint64 deadline_ns;
  gboolean probe;
} RanetPolicyFrame;

/* Picks the point for a frame starting at @now_ns and fills @frame. */
void ranet_policy_begin_frame (RanetPolicy *policy, guint64 now_ns,
    RanetPolicyFrame *frame);

/**
 * ranet_policy_can_run_stage:
 * @stage: the next stage (1 or more; stage 0 always runs)
 * @now_ns: the time now
 *
 * Returns: %TRUE when @stage is expected to finish before the frame's deadline.
 */
gboolean ranet_policy_can_run_stage (RanetPolicy *policy,
    const RanetPolicyFrame *frame, guint stage, guint64 now_ns);

/**
 * ranet_policy_get_last_stage:
 * @max_stage: the last stage the caller allows
 * @now_ns: the time the frame's first stage starts
 *
 * For a frame that runs without a check between stages (one submission, the
 * exit decided on the device): the last stage, at most @max_stage, that
 * ranet_policy_can_run_stage() would allow if every stage before it took its
 * estimated latency. Stage 0 always runs; before any stage has been measured
 * (ranet_policy_stage_done()), a frame with a deadline runs only stage 0.
 *
 * Returns: the last stage the frame may run.
 */
guint ranet_policy_get_last_stage (RanetPolicy *policy, const RanetPolicyFrame *frame,
    guint max_stage, guint64 now_ns);

/* Records what stage @stage took (device time plus host overhead). */
void ranet_policy_stage_done (RanetPolicy *policy, guint stage, guint64 cost_ns);

/**
 * ranet_policy_frame_stages_done:
 * @last_stage: the last stage the frame ran (it ran every stage up to it)
 * @total_ns: the frame's whole time, host work included
 * @device_ns: (nullable) (array length=last_stage+1): each stage's device
 *   time, 0 where unknown; entry 0 is not read
 *
 * ranet_policy_stage_done() for every stage of a frame that ran without a
 * stop between stages (one submission): a later stage's cost is its device
 * time, stage 0's the rest of @total_ns (getting the frame to the device,
 * submitting, waiting). Without every device time, or with device times
 * that add up to more than @total_ns, @total_ns is shared out in proportion
 * to the stages' estimated latencies, or to their multiply-adds before
 * anything has been measured.
 */
void ranet_policy_frame_stages_done (RanetPolicy *policy, guint last_stage, guint64 total_ns,
    const guint64 *device_ns);

/**
 * ranet_policy_end_frame:
 * @exit_index: the exit the frame left at
 * @now_ns: the time now
 * @forced: the frame left below its threshold (deadline or max exit)
 *
 * Learns from the frame's real cost.
 */
void ranet_policy_end_frame (RanetPolicy *policy, const RanetPolicyFrame *frame,
    guint exit_index, guint64 now_ns, gboolean forced);

/* ---- what it did ---- */

/* Expected cost in ns of @point with the current latency estimates and feedback. */
double ranet_policy_predict_cost (RanetPolicy *policy, guint point);
/* The point the next frame will use unless the budget changes. */
guint ranet_policy_get_point (RanetPolicy *policy);
guint ranet_policy_get_n_points (RanetPolicy *policy);
/* (array): @point's per-exit thresholds (the last exit's is -1: it takes every
 * frame); owned by the policy. */
const double *ranet_policy_get_thresholds (RanetPolicy *policy, guint point);
/* The estimated latency of stage @stage in ns. */
double ranet_policy_get_stage_latency (RanetPolicy *policy, guint stage);

/**
 * RanetPolicyStats:
 * @frames: frames ended, batches included
 * @deadline_misses: frames whose cost exceeded their budget
 * @forced_exits: frames that left below their threshold; a batch counts once
 *   when any of its items did
 * @point_changes: times the operating point changed
 * @batches: frames ended as batches (ranet_policy_end_batch())
 * @batch_items: items (regions) those batches brought
 * @batch_items_skipped: items not classified because the budget did not hold
 *   even exit 0 for all of them
 * @batch_items_forced: items the deadline forced out below their threshold
 * @probes: probe frames whose confidences entered the calibration window
 * @recalibrations: times online calibration recomputed the thresholds
 */
typedef struct {
  guint64 frames;
  guint64 deadline_misses;
  guint64 forced_exits;
  guint64 point_changes;
  guint64 batches;
  guint64 batch_items;
  guint64 batch_items_skipped;
  guint64 batch_items_forced;
  guint64 probes;
  guint64 recalibrations;
} RanetPolicyStats;

void ranet_policy_get_stats (RanetPolicy *policy, RanetPolicyStats *stats);

/* ---- per frame of several items (regions) classified as one batch ----
 *
 * Stage 0 runs on every item of the batch in one dispatch chain, stage k + 1
 * on the items that did not leave at exit k. A stage's cost for n items is a
 * fixed part (dispatch and submission overhead, weight loads) plus a part per
 * item: the policy learns both for every stage, single frames being batches
 * of one. The frame's one budget covers the whole batch. */

/**
 * RanetPolicyBatch:
 * @point: the operating point picked for this batch
 * @thresholds: (array length=n_exits): its thresholds; owned by the policy
 * @start_ns: when the batch started
 * @deadline_ns: when it must be done (G_MAXUINT64: no deadline)
 * @n_items: the items (regions) the frame brought
 * @n_run: how many of them to classify: @n_items, or fewer (at least 1 while
 *   @n_items is not 0) when even exit 0 for all of them does not fit the budget
 * @first: classify items @first, @first + 1, ... (modulo @n_items), @n_run of
 *   them; the start rotates from frame to frame so that every position is
 *   classified within ceil(@n_items / @n_run) frames while those stay the same
 *
 * One frame's plan for a batch.
 */
typedef struct {
  guint point;
  const double *thresholds;
  guint64 start_ns;
  guint64 deadline_ns;
  guint n_items;
  guint n_run;
  guint first;
} RanetPolicyBatch;

/**
 * ranet_policy_begin_batch:
 * @policy: a policy
 * @now_ns: the time the batch starts
 * @n_items: the items the frame brought; 0 is a frame with nothing to classify
 * @batch: (out caller-allocates): the plan
 *
 * Picks the point for a batch of @n_items items: the most accurate whose
 * predicted batch cost fits the budget, with the headroom, settling and
 * feedback of ranet_policy_begin_frame(). Where even exit 0 for every item
 * does not fit, only as many items as fit are planned, never none: a frame
 * always gets a result, and an estimate that only running corrects is not
 * left wrong for ever.
 */
void ranet_policy_begin_batch (RanetPolicy *policy, guint64 now_ns, guint n_items,
    RanetPolicyBatch *batch);

/**
 * ranet_policy_can_run_batch_stage:
 * @policy: a policy
 * @batch: the batch, from ranet_policy_begin_batch()
 * @stage: the next stage (stage 0 always runs)
 * @n_items: the items still in the batch, that would run @stage
 * @now_ns: the time now
 *
 * Returns: %TRUE when @stage for @n_items items is expected to finish before
 *   the batch's deadline; %FALSE for 0 items, which have nothing to run.
 */
gboolean ranet_policy_can_run_batch_stage (RanetPolicy *policy,
    const RanetPolicyBatch *batch, guint stage, guint n_items, guint64 now_ns);

/**
 * ranet_policy_batch_stage_done:
 * @policy: a policy
 * @stage: the stage that ran
 * @n_items: the items it ran on (1 is ranet_policy_stage_done(); 0 is ignored)
 * @cost_ns: what it took, device time plus host overhead
 *
 * Learns stage @stage's cost for @n_items items: the line of its cost by
 * items (fixed part and part per item) and the machine's load.
 */
void ranet_policy_batch_stage_done (RanetPolicy *policy, guint stage, guint n_items,
    guint64 cost_ns);

/**
 * ranet_policy_end_batch:
 * @policy: a policy
 * @batch: the batch, from ranet_policy_begin_batch()
 * @exit_counts: (array length=n_exits) (nullable): how many items left at
 *   each exit (summing to @batch->n_run); %NULL when @batch->n_run is 0
 * @n_forced: how many of them the deadline forced out below their threshold
 *   (they left at the last stage the batch ran)
 * @now_ns: the time now
 *
 * Learns from the batch's real cost and counts it as a frame; the items
 * planned out (@batch->n_items - @batch->n_run) count as skipped.
 */
void ranet_policy_end_batch (RanetPolicy *policy, const RanetPolicyBatch *batch,
    const guint *exit_counts, guint n_forced, guint64 now_ns);

/**
 * ranet_policy_predict_batch_cost:
 * @policy: a policy
 * @point: an operating point
 * @n_items: the items in the batch
 *
 * An item reaches stage k with the probability the point's exit fractions
 * give; a stage's fixed part is paid when at least one item reaches it, its
 * part per item for every item that does. For one item this is
 * ranet_policy_predict_cost().
 *
 * Returns: the expected cost in ns of a batch of @n_items items at @point,
 *   corrected by the feedback from real frames; 0 for no items.
 */
double ranet_policy_predict_batch_cost (RanetPolicy *policy, guint point, guint n_items);

/**
 * ranet_policy_get_batch_stage_cost:
 * @policy: a policy
 * @stage: a stage
 * @n_items: the items it runs on
 *
 * Returns: the estimated cost in ns of stage @stage for @n_items items, from
 *   the line fitted through its runs (for one item close to
 *   ranet_policy_get_stage_latency(), which single frames use); 0 for no
 *   items.
 */
double ranet_policy_get_batch_stage_cost (RanetPolicy *policy, guint stage, guint n_items);

/* ---- online calibration (policy-online.c) ----
 *
 * The thresholds of every operating point are chosen on a validation set;
 * on a stream whose content differs, the share of frames leaving at each exit
 * drifts from the point's plan, and with it the cost and the accuracy. Online
 * calibration applies the calibration's rule (ranet-calibration.h) to the
 * stream itself: now and then a frame runs every exit (a probe), its exits'
 * confidences enter a sliding window, and every so often each point's
 * thresholds are recomputed from the window so that its planned exit
 * fractions hold on this content. No labels are needed; the points' stored
 * accuracies stay as estimates.
 *
 * A model with only a placeholder calibration (one point whose thresholds,
 * 1 or more before the last exit, send every frame to the last exit) gets a
 * set of points from the window instead, from the calibration's geometric
 * shares, so that it can adapt at all; until then every frame that the budget
 * lets run every exit is a probe, since it runs every exit anyway. */

/**
 * ranet_policy_set_online_calibration:
 * @policy: a policy
 * @enabled: whether to probe and recalibrate
 * @interval: at most one frame in @interval is a probe (at least 1)
 * @window: the probes the thresholds are computed from (at least 1); the
 *   oldest leave as new ones come. A change of size empties the window.
 *
 * A frame becomes a probe only when the policy predicts that every stage
 * fits its budget; only single frames (ranet_policy_begin_frame()) are
 * probed, never batches. The thresholds are first recomputed when the window is
 * full, then every time a tenth of it has been replaced. Disabling keeps the
 * thresholds the last recomputation gave.
 */
void ranet_policy_set_online_calibration (RanetPolicy *policy, gboolean enabled,
    guint interval, guint window);

/**
 * ranet_policy_add_probe:
 * @policy: a policy
 * @confidences: (array): a probe frame's top softmax probability at each exit
 *
 * Adds a probe frame that ran every stage to the window, and recomputes the
 * thresholds when it is time. Call it before ranet_policy_end_frame().
 */
void ranet_policy_add_probe (RanetPolicy *policy, const float *confidences);

/* %TRUE once online calibration has recomputed the thresholds: they no
 * longer are the model file's. */
gboolean ranet_policy_is_calibrated_online (RanetPolicy *policy);

/**
 * ranet_policy_get_exit_shares:
 * @policy: a policy
 * @realised: (out caller-allocates) (array) (optional): n_exits: the share of
 *   frames that left at each exit
 * @planned: (out caller-allocates) (array) (optional): n_exits: the mean of
 *   those frames' points' exit fractions, what the calibration promised
 *
 * Over the single frames (not batches) ended since the thresholds last
 * changed, the frames a deadline forced out left aside (where they would have
 * left is unknown). Probe frames count at the exit their thresholds picked.
 *
 * Returns: how many frames the shares are over; 0 leaves both arrays zeros.
 */
guint64 ranet_policy_get_exit_shares (RanetPolicy *policy, double *realised, double *planned);

G_END_DECLS
