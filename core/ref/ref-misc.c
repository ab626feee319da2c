/* ref-misc.c: reference pooling, softmax and channel copy. */
#include <math.h>

#include "ref/ranet-ref.h"

void
ranet_ref_pool2d (const RanetPool2dParams *p, const float *in, float *out)
{
  for (guint c = 0; c < p->out.c; c++)
    for (guint oy = 0; oy < p->out.h; oy++)
      for (guint ox = 0; ox < p->out.w; ox++) {
        double sum = 0.0;
        float max = -INFINITY;
        for (guint ky = 0; ky < p->kernel; ky++) {
          gint iy = (gint) (oy * p->stride + ky) - (gint) p->pad;
          if (iy < 0 || iy >= (gint) p->in.h)
            continue;
          for (guint kx = 0; kx < p->kernel; kx++) {
            gint ix = (gint) (ox * p->stride + kx) - (gint) p->pad;
            if (ix < 0 || ix >= (gint) p->in.w)
              continue;
            float v = in[ranet_view_index (&p->in, c, iy, ix)];
            sum += v;
            max = v > max ? v : max;
          }
        }
        out[ranet_view_index (&p->out, c, oy, ox)] = p->kind == RANET_POOL_MAX
            ? max : (float) (sum / (double) (p->kernel * p->kernel));
      }
}

void
ranet_ref_softmax (const RanetSoftmaxParams *p, const float *in, float *out)
{
  guint k = p->in.c * p->in.h * p->in.w;
  const float *x = in + ranet_view_index (&p->in, 0, 0, 0);
  float *probs = out + p->out_base;
  guint best = 0;
  double sum = 0.0;

  for (guint i = 1; i < k; i++)
    if (x[i] > x[best])
      best = i;
  /* subtracting the largest logit keeps exp() from overflowing */
  for (guint i = 0; i < k; i++)
    sum += exp ((double) x[i] - x[best]);
  for (guint i = 0; i < k; i++)
    probs[i] = (float) (exp ((double) x[i] - x[best]) / sum);
  probs[k] = (float) (1.0 / sum);
  probs[k + 1] = (float) best;
}

void
ranet_ref_copy (const RanetCopyParams *p, const float *in, float *out)
{
  for (guint c = 0; c < p->in.c; c++)
    for (guint y = 0; y < p->in.h; y++)
      for (guint x = 0; x < p->in.w; x++)
        out[ranet_view_index (&p->out, c, y, x)] =
            in[ranet_view_index (&p->in, c, y, x)];
}
