/* ranet-calibration.h: the calibration rule, on confidences alone.
 *
 * The rule python/ranet/calibration.py applies to the validation split, so
 * that the element can apply it to the stream it is watching: for a ratio r,
 * exit k of K should take the share q_k = r^k / sum_j r^j of the frames, and
 * its threshold is the confidence of the round(q_k x N)-th most confident of
 * the frames no earlier exit took. No labels are needed, only each exit's top
 * softmax probability on the same N frames.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ranet_calibration_geometric_fractions:
 * @ratio: the ratio r (> 0)
 * @n_exits: K, at least 1
 * @fractions: (out caller-allocates) (array length=n_exits): q_k = r^k /
 *   sum_j r^j
 */
void ranet_calibration_geometric_fractions (double ratio, guint n_exits, double *fractions);

/**
 * ranet_calibration_find_thresholds:
 * @conf: (array): the frames' confidences, exit by exit: @conf[k x @n_frames
 *   + i] is exit k's top softmax probability on frame i
 * @n_exits: exits, at least 1
 * @n_frames: frames
 * @fractions: (array length=n_exits): the share of the frames each exit
 *   should take
 * @thresholds: (out caller-allocates) (array length=n_exits): per exit, the
 *   confidence that makes it take round(@fractions[k] x @n_frames) of the
 *   frames still there (more on ties, since every frame at or above a
 *   threshold leaves); 1.0, the largest confidence, for an exit that should
 *   take none or that no frame reaches; -1 at the last exit
 *
 * The thresholds of python/ranet/calibration.py's find_thresholds(), to the
 * bit on the same float confidences.
 */
void ranet_calibration_find_thresholds (const float *conf, guint n_exits, guint n_frames,
    const double *fractions, double *thresholds);

G_END_DECLS
