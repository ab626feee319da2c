/* session-private.h: the parts of a RanetSession its files share. */
#pragma once

#include "session/ranet-session-backend.h"

G_BEGIN_DECLS

/* Counts behind RanetSessionStats. */
typedef struct {
  guint64 frames;
  guint64 classified;
  guint64 *exit_counts;   /* n_exits */
  guint64 latency_sum_ns;
  guint64 latency_max_ns;
  guint64 forced_exits;
  guint64 regions;
  guint64 regions_classified;
} RanetSessionCounts;

struct _RanetSession {
  /* set at creation, then only read */
  RanetSessionBackend backend;
  gpointer network;
  RanetNet *net;                /* the network where it is a RanetNet, else NULL */
  RanetVkDevice *device;        /* the net's, or NULL */
  const char *const *labels;    /* the model's, or NULL */
  guint n_exits;

  /* everything below, under the lock; it is never held while the network runs */
  GMutex lock;
  RanetSessionClockFunc clock;
  gpointer clock_data;

  RanetThresholdMode mode;
  double threshold;             /* fixed mode */
  guint point;                  /* operating-point mode */
  gint max_exit;
  guint inference_interval;
  RanetResizeMode resize_mode;

  RanetPolicy *policy;
  guint64 full_frame_ns;        /* a frame through every exit, at warm-up */
  double *current_thresholds;   /* n_exits: what the last classified frame used */
  gboolean running;             /* a call is running the network */
  RanetSessionResult last;      /* the last classified frame's result */
  gboolean have_last;
  guint since_classified;       /* frames that reused it */
  RanetSessionCounts counts;

  guint max_batch;              /* the setting; 0: the default */
  RanetNet *batch_net;          /* regions' net, made on first use; taken like the network */
};

/* session-plan.c: a frame's plan, fixed from the settings before it starts. */
typedef struct {
  RanetThresholdMode mode;
  double *thresholds;       /* n_exits: what the frame compares; the last is 0 */
  guint last;               /* the last stage max-exit allows */
  gint point;               /* the operating point of the thresholds; -1: fixed */
  RanetPolicyFrame frame;   /* adaptive mode: the policy's plan and deadline */
  RanetResizeMode resize_mode;
  RanetSessionClockFunc clock;
  gpointer clock_data;
} RanetSessionPlan;

/* The session's clock, as the plan took it. */
guint64 ranet_session_plan_now (const RanetSessionPlan *plan);
/* The thresholds of the settings' mode, @point's in operating-point mode (the
 * policy's own for an adaptive frame replace them once it begins). The
 * network's last exit takes every frame that reaches it. Called with the lock
 * held. */
void ranet_session_plan_thresholds_locked (RanetSession *s, RanetSessionPlan *plan,
    const double *point);
/* Takes the network for one frame and fixes the frame's plan from the
 * settings; FALSE (with a critical) while another call runs the network. */
gboolean ranet_session_plan_begin (RanetSession *s, RanetSessionPlan *plan);
/* Gives the network back after a frame that failed, and frees the plan. */
void ranet_session_plan_release (RanetSession *s, RanetSessionPlan *plan);
/* (transfer full): the plan's thresholds as the network compares them. */
float *ranet_session_plan_float_thresholds (RanetSession *s, const RanetSessionPlan *plan);

/* session-result.c: @r (zeroed) from the network's result at the exit
 * taken, under @plan, @wall_ns after the frame started. */
void ranet_session_fill_result (RanetSession *s, const RanetSessionPlan *plan,
    const RanetExitResult *exit, guint64 wall_ns, RanetSessionResult *r);

/* Adds a classified frame's result to the counts. Called with the lock held. */
void ranet_session_count_result_locked (RanetSession *session, const RanetSessionResult *r);

/* Adds a frame's regions (@n results, skipped ones included) that took
 * @latency_ns to the counts: the frame counts as classified, each region's
 * exit as a frame's would. Called with the lock held. */
void ranet_session_count_regions_locked (RanetSession *session,
    const RanetSessionResult *results, guint n, guint64 latency_ns);

/* Whether the budget settings apply (adaptive mode) and give a budget, and
 * that budget after QoS (0 where none applies). Called with the lock held. */
gboolean ranet_session_has_budget_locked (RanetSession *session);
guint64 ranet_session_get_budget_locked (RanetSession *session);

G_END_DECLS
