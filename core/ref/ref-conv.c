/* ref-conv.c: reference convolutions and the fully connected layer. */
#include "ref/ranet-ref.h"

void
ranet_ref_conv2d (const RanetConv2dParams *p, const float *in,
    const float *weights, const float *bias, float *out)
{
  for (guint oc = 0; oc < p->out.c; oc++)
    for (guint oy = 0; oy < p->out.h; oy++)
      for (guint ox = 0; ox < p->out.w; ox++) {
        double acc = bias ? bias[oc] : 0.0;
        for (guint ic = 0; ic < p->in.c; ic++)
          for (guint ky = 0; ky < p->kh; ky++) {
            gint iy = (gint) (oy * p->stride + ky) - (gint) p->pad_h;
            if (iy < 0 || iy >= (gint) p->in.h)
              continue;
            for (guint kx = 0; kx < p->kw; kx++) {
              gint ix = (gint) (ox * p->stride + kx) - (gint) p->pad_w;
              if (ix < 0 || ix >= (gint) p->in.w)
                continue;
              float w = weights[((gsize) (oc * p->in.c + ic) * p->kh + ky) * p->kw + kx];
              acc += (double) w * in[ranet_view_index (&p->in, ic, iy, ix)];
            }
          }
        if (p->relu && acc < 0.0)
          acc = 0.0;
        out[ranet_view_index (&p->out, oc, oy, ox)] = (float) acc;
      }
}

void
ranet_ref_conv1x1 (const RanetConv1x1Params *p, const float *in,
    const float *weights, const float *bias, const float *pre_scale,
    const float *pre_shift, float *out)
{
  for (guint oc = 0; oc < p->out.c; oc++)
    for (guint y = 0; y < p->out.h; y++)
      for (guint x = 0; x < p->out.w; x++) {
        double acc = bias ? bias[oc] : 0.0;
        for (guint ic = 0; ic < p->in.c; ic++) {
          float v = in[ranet_view_index (&p->in, ic, y, x)];
          if (p->pre_act) {
            /* float, as BatchNorm in PyTorch computes it */
            v = pre_scale[ic] * v + pre_shift[ic];
            v = v > 0.0f ? v : 0.0f;
          }
          acc += (double) weights[(gsize) oc * p->in.c + ic] * v;
        }
        if (p->relu && acc < 0.0)
          acc = 0.0;
        out[ranet_view_index (&p->out, oc, y, x)] = (float) acc;
      }
}

void
ranet_ref_linear (const RanetLinearParams *p, const float *in,
    const float *weights, const float *bias, float *out)
{
  gsize n_in = (gsize) p->in.c * p->in.h * p->in.w;
  /* the view's channels are consecutive, so its CHW flattening is contiguous */
  const float *x = in + ranet_view_index (&p->in, 0, 0, 0);

  for (guint o = 0; o < p->out.c; o++) {
    double acc = bias ? bias[o] : 0.0;
    for (gsize i = 0; i < n_in; i++)
      acc += (double) weights[o * n_in + i] * x[i];
    if (p->relu && acc < 0.0)
      acc = 0.0;
    out[ranet_view_index (&p->out, o, 0, 0)] = (float) acc;
  }
}
