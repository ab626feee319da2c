/* op-selfcheck.c: each kind's op on its small, typical shape (ranet-selfcheck). */
#include "testing/op-check-private.h"

#define SEED 1

gboolean
ranet_op_selfcheck (RanetVkDevice *dev, RanetLayerKind kind, guint64 *elapsed_ns,
    GError **error)
{
  RanetOpCheck check;

  if (!ranet_op_check_layer (dev, &ranet_op_check_kinds[kind].selfcheck, SEED, &check, error))
    return FALSE;
  *elapsed_ns = check.elapsed_ns;
  if (!ranet_op_check_passed (&check)) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_FAILED,
        "wrong result: max err %g (%.1f times the tolerance), %" G_GSIZE_FORMAT
        " elements outside the output changed", check.max_err,
        check.max_err_ratio, check.n_outside_changed);
    return FALSE;
  }
  return TRUE;
}
