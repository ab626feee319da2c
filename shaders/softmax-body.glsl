/* softmax-body.glsl: the softmax of K logits, its top probability and argmax,
 * and with DECIDE the exit decision; shared by softmax.comp and
 * classifier.comp so that both compute exactly the same floats. The includer
 * defines LOGIT(i) (the logits' i-th value), RESULT(i) (the results' i-th
 * float, an lvalue), K and, with DECIDE, EXIT, N_EXITS and the control[]
 * words (see softmax.comp). Run by one invocation. */
void
softmax_write_results ()
{
  uint best = 0u;
  float m = LOGIT (0u);
  for (uint i = 1u; i < K; i++) {
    float v = LOGIT (i);
    if (v > m) {
      m = v;
      best = i;
    }
  }
  float sum = 0.0;
  for (uint i = 0u; i < K; i++)
    sum += exp (LOGIT (i) - m);
  float inv = 1.0 / sum;
  for (uint i = 0u; i < K; i++)
    RESULT (i) = exp (LOGIT (i) - m) * inv;
  RESULT (K) = inv;
  RESULT (K + 1u) = float(best);

#if DECIDE
  /* inv is the confidence the host reads back */
  float threshold = uintBitsToFloat (control[EXIT]);
  bool go_on = control[N_EXITS + EXIT] != 0u && EXIT < control[2u * N_EXITS]
      && !(inv >= threshold);
  control[N_EXITS + EXIT + 1u] = go_on ? 1u : 0u;
#endif
}
