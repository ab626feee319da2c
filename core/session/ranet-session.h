/* ranet-session.h: classify frames one by one on a net, holding a frame rate.
 *
 * A session owns a net (a model on a device), the frame-rate policy, the
 * statistics and the clock they are measured by, and classifies one video
 * frame, or one input tensor, per call. Everything that decides how a frame
 * runs is here, once, for the element and the tools alike: the thresholds it
 * compares (the last exit takes every frame), how far max-exit lets it go,
 * whether it runs as one submission (the exit decided on the device, the
 * policy choosing before the frame how many stages its deadline allows) or a
 * submission per stage (the deadline checked between stages), what the
 * policy learns from it, and which frames reuse the last result.
 *
 * Threads: one mutex inside guards the settings, the policy and the
 * statistics, and is never held while the network runs, so a setter, a
 * getter or a QoS report from any thread never waits for a frame. The network
 * itself runs one frame at a time: calls that run it (classifying,
 * ranet_session_warm_up()) must not overlap; one that would is refused with a
 * critical.
 */
#pragma once

#include <glib.h>

#include "model/ranet-model.h"
#include "net/ranet-net.h"
#include "preprocess/ranet-preprocess.h"
#include "vk/ranet-vk.h"

G_BEGIN_DECLS

/**
 * RanetSession:
 *
 * A net with its policy, statistics and clock. Free with ranet_session_free().
 */
typedef struct _RanetSession RanetSession;

/**
 * RanetSessionClockFunc:
 * @user_data: the data given to ranet_session_set_clock()
 *
 * A monotonic clock.
 *
 * Returns: the time now in nanoseconds.
 */
typedef guint64 (*RanetSessionClockFunc) (gpointer user_data);

/**
 * RanetThresholdMode:
 * @RANET_THRESHOLD_ADAPTIVE: per-exit thresholds of the calibrated operating
 *   point the policy chooses to fit the frame budget, and a deadline per frame
 * @RANET_THRESHOLD_FIXED: one threshold (ranet_session_set_threshold()) at
 *   every exit, no budget
 * @RANET_THRESHOLD_OPERATING_POINT: the per-exit thresholds of one calibrated
 *   operating point (ranet_session_set_operating_point()), no budget
 *
 * Where a frame's exit thresholds come from.
 */
typedef enum {
  RANET_THRESHOLD_ADAPTIVE,
  RANET_THRESHOLD_FIXED,
  RANET_THRESHOLD_OPERATING_POINT,
} RanetThresholdMode;

/**
 * RanetSessionResult:
 * @class_id: the most probable class at the exit taken
 * @label: (nullable): its label, owned by the model (%NULL for a network
 *   without labels)
 * @confidence: its softmax probability
 * @exit_index: the exit taken, 0-based
 * @n_exits: the network's exits
 * @threshold: the threshold applied at that exit (0 at the last exit, which
 *   takes every frame)
 * @forced: the frame ended below its threshold (max-exit or a deadline)
 * @reused: not classified: the last classified frame's result
 *   (ranet_session_set_inference_interval()); its times and @macs are 0
 * @macs: multiply-adds spent on the frame
 * @gpu_ns: device time of the stages run (0 where the device has no
 *   timestamps)
 * @wall_ns: the frame's time by the session's clock, from its start to its
 *   result, getting the frame to the device included
 * @operating_point: the calibrated operating point whose thresholds the
 *   frame used; -1 in fixed mode
 * @thresholds: (array length=n_exits): the thresholds the frame used, per exit
 * @n_classes: the number of classes
 * @probs: (array length=n_classes): every class's probability at the exit
 *   taken, for a top-k list
 * @skipped: a region the frame's budget left no time for
 *   (ranet_session_classify_regions()): no class, no exit; every other field
 *   but @n_exits, @operating_point and @thresholds is zero
 *
 * One frame's, or one region's, classification. @thresholds and @probs are owned: clear with
 * ranet_session_result_clear().
 */
typedef struct {
  guint class_id;
  const char *label;
  float confidence;
  guint exit_index;
  guint n_exits;
  double threshold;
  gboolean forced;
  gboolean reused;
  guint64 macs;
  guint64 gpu_ns;
  guint64 wall_ns;
  gint operating_point;
  double *thresholds;
  guint n_classes;
  float *probs;
  gboolean skipped;
} RanetSessionResult;

/* Frees what @result owns and zeroes it. */
void ranet_session_result_clear (RanetSessionResult *result);
/* @dest (cleared first) becomes a copy of @src. */
void ranet_session_result_copy (RanetSessionResult *dest, const RanetSessionResult *src);

/**
 * RanetSessionStats:
 * @frames: every frame the session was given: classified, reused, or passed
 *   on unread (ranet_session_pass_frame())
 * @classified: frames classified (not reused)
 * @n_exits: the length of @exit_counts
 * @exit_counts: (array length=n_exits): classified frames per exit taken
 * @mean_latency_ns: mean wall time of the classified frames
 * @max_latency_ns: their largest wall time
 * @forced_exits: classified frames that ended below their threshold
 * @deadline_misses: adaptive frames that ended past their deadline
 * @operating_point_changes: times the policy changed its operating point
 * @budget_ns: the per-frame budget in force (after QoS); 0 where none
 *   applies (not adaptive, or neither a frame period nor a latency budget)
 * @regions: regions given to ranet_session_classify_regions()
 * @regions_classified: those classified
 * @regions_skipped: those the budget left out (@regions minus
 *   @regions_classified)
 * @calibrated_online: the thresholds come from online calibration
 *   (ranet_session_set_online_calibration()), no longer from the model file;
 *   the points' accuracies are then estimates from the file
 * @probes: probe frames whose confidences entered the calibration window
 * @recalibrations: times the thresholds were recomputed from the window
 * @share_frames: the frames @realised_shares and @planned_shares are over:
 *   adaptive frames since the thresholds last changed, those a deadline
 *   forced out left aside
 * @realised_shares: (array length=n_exits): the share of them that left at
 *   each exit
 * @planned_shares: (array length=n_exits): the share their operating points
 *   planned for each exit
 *
 * What a session did since it was made. Free with ranet_session_stats_free().
 */
typedef struct {
  guint64 frames;
  guint64 classified;
  guint n_exits;
  guint64 *exit_counts;
  guint64 mean_latency_ns;
  guint64 max_latency_ns;
  guint64 forced_exits;
  guint64 deadline_misses;
  guint64 operating_point_changes;
  guint64 budget_ns;
  guint64 regions;
  guint64 regions_classified;
  guint64 regions_skipped;
  gboolean calibrated_online;
  guint64 probes;
  guint64 recalibrations;
  guint64 share_frames;
  double *realised_shares;
  double *planned_shares;
} RanetSessionStats;

void ranet_session_stats_free (RanetSessionStats *stats);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RanetSessionStats, ranet_session_stats_free)

#define RANET_SESSION_ERROR (ranet_session_error_quark ())
GQuark ranet_session_error_quark (void);

/**
 * RanetSessionError:
 * @RANET_SESSION_ERROR_INVALID_ARGUMENT: a value the session cannot use
 *   (an operating point the model does not have, a frame for a network that
 *   takes tensors only)
 */
typedef enum {
  RANET_SESSION_ERROR_INVALID_ARGUMENT,
} RanetSessionError;

/**
 * ranet_session_new:
 * @device: the device to run on
 * @model: a loaded model; its calibration gives the policy's operating points
 * @error: return location for a #GError
 *
 * Makes the net (ranet_net_new()) and the policy. The session starts in
 * adaptive mode with no budget, a threshold of 0.9, every exit allowed, every
 * frame classified, frames stretched onto the input, and the monotonic clock
 * (g_get_monotonic_time()).
 *
 * Returns: (transfer full): the session, or %NULL with @error set.
 */
RanetSession *ranet_session_new (RanetVkDevice *device, RanetModel *model, GError **error);
void ranet_session_free (RanetSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RanetSession, ranet_session_free)

/**
 * ranet_session_warm_up:
 * @session: a session
 * @error: return location for a #GError
 *
 * Runs a frame of zeros through every exit, the way frames will run (one
 * submission, or stage by stage), and gives the policy its cost as a frame's.
 * Until it has measured the stages, the policy lets a one-submission frame
 * with a deadline run stage 0 only (it cannot stop between stages to look at
 * the clock): without this, a stream's first frame would leave at exit 0
 * whatever the budget. It also measures the time of a frame through every
 * exit, the latency reported without a budget (ranet_session_get_latency()).
 *
 * Returns: %TRUE on success; %FALSE with @error set.
 */
gboolean ranet_session_warm_up (RanetSession *session, GError **error);

/**
 * ranet_session_set_clock:
 * @session: a session
 * @clock: (nullable): the clock frames are timed and deadlines set by;
 *   %NULL for the monotonic clock
 * @user_data: passed to @clock
 *
 * Tests set a simulated clock here. @clock is called from the calls that run
 * frames, never with the session's lock held.
 */
void ranet_session_set_clock (RanetSession *session, RanetSessionClockFunc clock,
    gpointer user_data);

/* ---- settings: each applies from the next frame ---- */

void ranet_session_set_threshold_mode (RanetSession *session, RanetThresholdMode mode);

/**
 * ranet_session_set_threshold:
 * @session: a session
 * @threshold: fixed mode: a frame leaves at the first exit whose top softmax
 *   probability reaches it (above 1: every frame goes to the last exit)
 */
void ranet_session_set_threshold (RanetSession *session, double threshold);

/**
 * ranet_session_set_operating_point:
 * @session: a session
 * @point: a calibrated operating point, 0-based
 * @error: return location for a #GError
 *
 * The operating point RANET_THRESHOLD_OPERATING_POINT uses.
 *
 * Returns: %FALSE with @error set (RANET_SESSION_ERROR_INVALID_ARGUMENT)
 *   when the model has no such point.
 */
gboolean ranet_session_set_operating_point (RanetSession *session, guint point,
    GError **error);

/**
 * ranet_session_set_max_exit:
 * @session: a session
 * @max_exit: the last exit any frame may reach, 0-based; -1, or a value past
 *   the last exit, for every exit
 *
 * A frame stopped here below its threshold is marked forced.
 */
void ranet_session_set_max_exit (RanetSession *session, gint max_exit);

/**
 * ranet_session_set_inference_interval:
 * @session: a session
 * @interval: classify every @interval-th frame (at least 1); the frames
 *   between get the last result, marked reused
 */
void ranet_session_set_inference_interval (RanetSession *session, guint interval);

/* How a frame is brought to the network's input size. */
void ranet_session_set_resize_mode (RanetSession *session, RanetResizeMode mode);

/**
 * ranet_session_set_frame_period:
 * @session: a session
 * @period_ns: the stream's frame period; 0 for none
 *
 * Adaptive mode: the budget is the period times the budget fraction, unless
 * a latency budget is set.
 */
void ranet_session_set_frame_period (RanetSession *session, guint64 period_ns);
/* The share of the frame period a frame may take (0.5 until set). */
void ranet_session_set_budget_fraction (RanetSession *session, double fraction);
/* A per-frame budget in ns overriding period x fraction; 0 for none. Any
 * other value is a budget, G_MAXUINT64 included (the arithmetic saturates). */
void ranet_session_set_latency_budget (RanetSession *session, guint64 budget_ns);

/**
 * ranet_session_set_online_calibration:
 * @session: a session
 * @enabled: adaptive mode: recompute the operating points' thresholds from
 *   the stream (off until set)
 * @interval: at most one frame in @interval runs every exit as a probe
 * @window: the probes the thresholds are computed from
 *
 * See ranet_policy_set_online_calibration(). A probe frame runs stage by
 * stage through every exit (max-exit below the last exit allows none) and
 * gives the result of the exit its thresholds pick, as it would have without
 * probing; it costs the whole network. Regions
 * (ranet_session_classify_regions()) are never probed, but run on the
 * thresholds the probes of whole frames gave.
 */
void ranet_session_set_online_calibration (RanetSession *session, gboolean enabled,
    guint interval, guint window);

/**
 * ranet_session_handle_qos:
 * @session: a session
 * @proportion: downstream's QoS proportion (> 1: it cannot keep up)
 * @jitter_ns: how late (> 0) or early (< 0) its last frame was
 *
 * Shrinks the budget while downstream is late, and lets it grow back when it
 * is early. No frame is ever dropped.
 */
void ranet_session_handle_qos (RanetSession *session, double proportion, gint64 jitter_ns);

/* ---- frames ---- */

/**
 * ranet_session_classify_frame:
 * @session: a session
 * @layout: the frame's layout; its offsets are where the planes go in the
 *   net's frame memory (see ranet_net_get_frame_memory())
 * @planes: (array): each plane's first row, ranet_frame_layout_plane_rows()
 *   rows of @layout's stride apart
 * @result: (out caller-allocates): the frame's result; clear it with
 *   ranet_session_result_clear()
 * @error: return location for a #GError
 *
 * Classifies one video frame: converted, resized and normalised on the device,
 * only the rows the resize reads copied there. Counts as a frame.
 *
 * Returns: %TRUE with @result set; %FALSE with @error set (a layout the net
 *   cannot read, a device error).
 */
gboolean ranet_session_classify_frame (RanetSession *session,
    const RanetFrameLayout *layout, const guint8 *const *planes,
    RanetSessionResult *result, GError **error);

/**
 * ranet_session_classify_tensor:
 * @session: a session
 * @input: the network's input, normalised: channels x height x width floats
 * @result: (out caller-allocates): the frame's result
 * @error: return location for a #GError
 *
 * ranet_session_classify_frame() for an input already in the network's form.
 */
gboolean ranet_session_classify_tensor (RanetSession *session, const float *input,
    RanetSessionResult *result, GError **error);

/**
 * RanetSessionBatchSummary:
 * @n_regions: regions the frame brought
 * @n_classified: regions classified
 * @n_skipped: regions the budget left no time for (their results say
 *   skipped)
 * @macs: multiply-adds spent on all of them
 * @latency_ns: the frame's time by the session's clock, from its start to its
 *   last result
 * @operating_point: the calibrated operating point the regions used; -1 in
 *   fixed mode
 * @n_batches: batches the regions were split into (ranet_session_get_max_batch())
 *
 * What classifying one frame's regions took.
 */
typedef struct {
  guint n_regions;
  guint n_classified;
  guint n_skipped;
  guint64 macs;
  guint64 latency_ns;
  gint operating_point;
  guint n_batches;
} RanetSessionBatchSummary;

/**
 * ranet_session_classify_regions:
 * @session: a session
 * @layout: the frame's layout, as for ranet_session_classify_frame()
 * @planes: (array): each plane's first row
 * @regions: (array length=n_regions): boxes inside the frame, each already
 *   clipped to it and not empty (ranet_region_clip())
 * @n_regions: how many; 0 is a frame with nothing to classify
 * @results: (out caller-allocates) (array length=n_regions): one result per
 *   region, in the order of @regions; clear each with
 *   ranet_session_result_clear()
 * @summary: (out) (optional): the frame's totals
 * @error: return location for a #GError
 *
 * Classifies every region of one frame as a batch within the frame's one
 * budget: each region is cropped and resized on the device (the resize mode
 * applies within the region), all of them in one dispatch per layer; a region
 * leaves at the first exit whose confidence reaches its threshold, and later
 * stages run on the regions still in the batch only. In adaptive mode the
 * policy picks the operating point whose predicted cost for this many regions
 * fits the budget; when even exit 0 for all does not fit, the regions that do
 * are classified and the rest marked skipped (a different share each frame,
 * so that no position is always left out). More regions than
 * ranet_session_get_max_batch() run as several batches. Counts as a frame.
 *
 * Returns: %TRUE with @results set; %FALSE with @error set (a layout the net
 *   cannot read, a region outside the frame, a device error).
 */
gboolean ranet_session_classify_regions (RanetSession *session,
    const RanetFrameLayout *layout, const guint8 *const *planes,
    const RanetRegion *regions, guint n_regions, RanetSessionResult *results,
    RanetSessionBatchSummary *summary, GError **error);

/**
 * ranet_session_set_max_batch:
 * @session: a session
 * @max_batch: the most regions one batch holds; 0 for the default, derived
 *   from the device's memory and the network's activation size
 *
 * Applies from the next frame; a larger set of regions runs as several batches.
 */
void ranet_session_set_max_batch (RanetSession *session, guint max_batch);

/**
 * ranet_session_prepare_regions:
 * @session: a session
 * @error: return location for a #GError
 *
 * Makes the net that classifies regions now (it holds a batch of
 * activations and compiles its own pipelines), so that the first frame of
 * regions does not pay for it; ranet_session_classify_regions() makes it on
 * first use otherwise.
 *
 * Returns: %TRUE; %FALSE with @error set (no memory for the batch, a network
 *   other than a RanetNet).
 */
gboolean ranet_session_prepare_regions (RanetSession *session, GError **error);

/* The largest batch in force (the default resolved), at least 1. */
guint ranet_session_get_max_batch (RanetSession *session);

/* Counts a frame the caller passes on without classifying it (one it could
 * not read). */
void ranet_session_pass_frame (RanetSession *session);

/* ---- what it is and what it did ---- */

/**
 * ranet_session_get_net:
 *
 * Returns: (transfer none) (nullable): the net, for tools that read or time
 *   it directly (every exit's output, per-layer profiles) between frames;
 *   %NULL for a session over another network (ranet-session-backend.h)
 */
RanetNet *ranet_session_get_net (RanetSession *session);
/* (transfer none) (nullable): the net's model and device */
RanetModel *ranet_session_get_model (RanetSession *session);
RanetVkDevice *ranet_session_get_device (RanetSession *session);
guint ranet_session_get_n_exits (RanetSession *session);

/* The calibrated operating point whose thresholds the next frame uses (the
 * policy's choice in adaptive mode); -1 in fixed mode. */
gint ranet_session_get_operating_point (RanetSession *session);

/**
 * ranet_session_get_thresholds:
 * @session: a session
 * @thresholds: (out caller-allocates) (array): room for
 *   ranet_session_get_n_exits() values: the thresholds the last classified
 *   frame used (zeros before the first)
 */
void ranet_session_get_thresholds (RanetSession *session, double *thresholds);

/* The per-frame budget in force, as ranet_session_get_stats() reports it. */
guint64 ranet_session_get_budget (RanetSession *session);

/**
 * ranet_session_get_latency:
 *
 * Returns: the time a frame may take, in ns: in adaptive mode with a budget,
 *   the budget before QoS (each frame is done by then, at the exit its
 *   deadline leaves it; a figure that moved with QoS would make a pipeline
 *   re-query its latency all the time); otherwise the time a frame through
 *   every exit took in ranet_session_warm_up() (0 without a warm-up), the
 *   most a frame costs whatever its content.
 */
guint64 ranet_session_get_latency (RanetSession *session);

/* (transfer full): what the session did; see #RanetSessionStats. */
RanetSessionStats *ranet_session_get_stats (RanetSession *session);

G_END_DECLS
