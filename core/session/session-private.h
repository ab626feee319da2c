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
};

/* Adds a classified frame's result to the counts. Called with the lock held. */
void ranet_session_count_result_locked (RanetSession *session, const RanetSessionResult *r);

/* Whether the budget settings apply (adaptive mode) and give a budget, and
 * that budget after QoS (0 where none applies). Called with the lock held. */
gboolean ranet_session_has_budget_locked (RanetSession *session);
guint64 ranet_session_get_budget_locked (RanetSession *session);

G_END_DECLS
