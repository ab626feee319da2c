/* sim-points.h: the operating points of a simulated multi-exit network, for
 * the policy tests.
 *
 * An input has a hardness u in [0, 1); its confidence at exit k is
 * 1 - u (1 - slope k), so harder inputs need deeper exits. Operating point j
 * uses one threshold, first + 0.05 j, at every exit; its exit fractions are
 * what that gives for uniformly distributed hardness (the "validation
 * split"), and its accuracy, 80 + 3 x its mean exit, grows with the stages it
 * spends, as a real calibration table does. Confidences are compared as
 * floats, as the engine's are. */
#pragma once

#include "policy/ranet-policy.h"

#define SIM_MAX_EXITS 8
#define SIM_MAX_POINTS 16

typedef struct {
  guint n_exits;
  double slope;
  double thresholds[SIM_MAX_POINTS][SIM_MAX_EXITS];
  double fractions[SIM_MAX_POINTS][SIM_MAX_EXITS];
  double accuracy[SIM_MAX_POINTS];
  RanetPolicyPoint points[SIM_MAX_POINTS];
  /* in proportion to each stage's cost, as on a real device */
  double stage_macs[SIM_MAX_EXITS];
} SimPoints;

void sim_points_init (SimPoints * t, guint n_exits, guint n_points, double slope,
    double first_threshold, const double *stage_ms);
float sim_points_confidence (const SimPoints * t, double u, guint k);
guint sim_points_exit (const SimPoints * t, const double *thresholds, double u);
