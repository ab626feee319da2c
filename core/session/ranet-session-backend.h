/* ranet-session-backend.h: a session over a network other than a RanetNet.
 *
 * How a session plans and times frames does not depend on the net: it asks
 * the network to run a stage, or a whole frame, and reads its clock. A
 * backend is that request as a table of functions; ranet_session_new() fills
 * one for a RanetNet, and tests fill one for a simulated network whose stages
 * take simulated time, so that the policy is tested through the very loop
 * that runs real frames (tests/test-policy.c).
 */
#pragma once

#include "policy/ranet-policy.h"
#include "session/ranet-session.h"

G_BEGIN_DECLS

/**
 * RanetSessionBackend:
 * @n_exits: the network's exits (at least 1)
 * @input_size: floats in an input tensor
 * @decides_exit_on_device: @run runs a frame as one submission, its exit
 *   decided without stopping between stages (then the session picks the last
 *   stage a deadline allows before the frame); otherwise adaptive frames run
 *   stage by stage
 * @set_input_tensor: makes the next frame start from a tensor
 * @set_input_frame: (nullable): makes the next frame start from a video frame
 *   (see ranet_session_classify_frame()); %NULL for a network that takes
 *   tensors only
 * @run: runs stages 0.. until one's confidence reaches its threshold (one
 *   float per exit, or %NULL for none), or stage @last; fills the result at
 *   the exit taken, with the device time of every stage run
 * @run_stage: runs one stage: 0 for a new frame, else the one after the last
 *   run
 * @get_stage_device_ns: a stage's device time in the frame run last; 0 where
 *   unknown
 * @free: (nullable): frees the network with the session
 *
 * What a session needs from a network.
 */
typedef struct {
  guint n_exits;
  gsize input_size;
  gboolean decides_exit_on_device;
  gboolean (*set_input_tensor) (gpointer network, const float *input, GError **error);
  gboolean (*set_input_frame) (gpointer network, const RanetFrameLayout *layout,
      RanetResizeMode mode, const guint8 *const *planes, GError **error);
  gboolean (*run) (gpointer network, const float *thresholds, guint last,
      RanetExitResult *result, GError **error);
  gboolean (*run_stage) (gpointer network, guint stage, RanetExitResult *result,
      GError **error);
  guint64 (*get_stage_device_ns) (gpointer network, guint stage);
  void (*free) (gpointer network);
} RanetSessionBackend;

/**
 * ranet_session_new_for_backend:
 * @backend: the network's functions; copied
 * @network: passed to them
 * @policy: (transfer full): the frame-rate policy, made for @backend's exits
 *
 * Returns: (transfer full): a session as ranet_session_new() makes one, with
 *   no model, device or labels.
 */
RanetSession *ranet_session_new_for_backend (const RanetSessionBackend *backend,
    gpointer network, RanetPolicy *policy);

/**
 * ranet_session_get_policy:
 *
 * Returns: (transfer none): the session's policy, for tests that look inside
 *   it between frames. The session's lock does not cover what the caller
 *   does with it.
 */
RanetPolicy *ranet_session_get_policy (RanetSession *session);

G_END_DECLS
