#version 450
/* Whether a frame goes on to the next stage, decided on the device so that a
 * whole frame is one submission: the next stage's dispatches run inside a
 * conditional block that reads the flag written here (see net-frame.c).
 *
 * Control buffer, 32-bit words: [0, N_EXITS) each exit's threshold (float
 * bits), [N_EXITS, 2 N_EXITS) per stage: 1 when it runs (the host sets stage
 * 0's and clears the others), [2 N_EXITS] the last stage the frame may run.
 * The test is the host's, exactly: go on unless confidence >= threshold, so a
 * NaN confidence goes on in both. */

layout(local_size_x = 1) in;

layout(constant_id = 0) const uint EXIT = 0;         /* the stage that just ended */
layout(constant_id = 1) const uint N_EXITS = 1;
layout(constant_id = 2) const uint CONF_INDEX = 0;   /* float index of its confidence */

layout(std430, set = 0, binding = 0) readonly buffer Results { float results[]; };
layout(std430, set = 0, binding = 1) buffer Control { uint control[]; };

void main ()
{
  float conf = results[CONF_INDEX];
  float threshold = uintBitsToFloat (control[EXIT]);
  bool go_on = control[N_EXITS + EXIT] != 0u && EXIT < control[2u * N_EXITS]
      && !(conf >= threshold);
  control[N_EXITS + EXIT + 1u] = go_on ? 1u : 0u;
}
