// FIRE 2.0's scalar logic (Guenole et al., Comput. Mater. Sci. 175, 109584 (2020)),
// shared by the minimize stage (integrators/minimize.cpp, one structure, host loop) and
// the batched relaxer (samplers/batch_relax.cpp, one device thread per structure), so
// that both take the same steps.
//
// One iteration, with P = g.v the power of the current generalised forces g:
//   uphill = fire_power(st, P, it)          adapts dt and alpha; on an uphill step
//   if uphill: x -= fire_back(st) * v, v = 0  the half step back
//   v += st.dt * g
//   if !uphill: v = (1 - a) v + (a |v| / |g|) g   with fire_mix(st, |v|, |g|)
//   x += fire_advance(st, max_move, largest displacement of v) * v
//
// Also the generalised coordinates' cell helpers both use (src/minimize.hpp: H = D H0,
// D upper triangular, cell components xx yy zz xy xz yz).
#pragma once
#include <Kokkos_Core.hpp>

namespace af {

// Row and column of cell component k (xx yy zz xy xz yz).
KOKKOS_INLINE_FUNCTION int cell_row(int k) { return k < 3 ? k : (k == 5 ? 1 : 0); }
KOKKOS_INLINE_FUNCTION int cell_col(int k) { return k < 3 ? k : (k == 3 ? 1 : 2); }

// Inverse of an upper-triangular matrix.
KOKKOS_INLINE_FUNCTION void invert_upper(const double a[3][3], double r[3][3]) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) r[i][j] = 0;
  r[0][0] = 1 / a[0][0];
  r[1][1] = 1 / a[1][1];
  r[2][2] = 1 / a[2][2];
  r[0][1] = -a[0][1] / (a[0][0] * a[1][1]);
  r[1][2] = -a[1][2] / (a[1][1] * a[2][2]);
  r[0][2] = (a[0][1] * a[1][2] - a[1][1] * a[0][2]) / (a[0][0] * a[1][1] * a[2][2]);
}

struct FireState {
  static constexpr int kDelay = 20, kMaxUphill = 2000;
  static constexpr double kInc = 1.1, kDec = 0.5, kAlpha0 = 0.25, kFAlpha = 0.99, kDtMax = 1.0, kDtMin = 0.002;
  double dt = 0.1, alpha = kAlpha0;
  double cap = 1;  // the last step's shrink factor (max_move)
  int n_pos = 0, n_neg = 0;
  bool gave_up = false;  // more than kMaxUphill uphill steps in a row
};

// Adapts dt and alpha to the power P at iteration it (>= 1). Returns true for an uphill
// step (P <= 0); then st.gave_up tells whether to stop ("no downhill progress").
KOKKOS_INLINE_FUNCTION bool fire_power(FireState& st, double P, long it) {
  if (P > 0) {
    ++st.n_pos;
    st.n_neg = 0;
    if (st.n_pos > FireState::kDelay) {
      st.dt = st.dt * FireState::kInc < FireState::kDtMax ? st.dt * FireState::kInc : FireState::kDtMax;
      st.alpha *= FireState::kFAlpha;
    }
    return false;
  }
  st.n_pos = 0;
  if (++st.n_neg > FireState::kMaxUphill) {
    st.gave_up = true;
    return true;
  }
  if (it > FireState::kDelay) {
    st.dt = st.dt * FireState::kDec > FireState::kDtMin ? st.dt * FireState::kDec : FireState::kDtMin;
    st.alpha = FireState::kAlpha0;
  }
  return true;
}

// The half step back after an uphill step, shrunk as the last step was by max_move:
// undoing with the full velocity would jump far past where the step went.
KOKKOS_INLINE_FUNCTION double fire_back(const FireState& st) { return -0.5 * st.dt * st.cap; }

// Mixing after a downhill step: v = keep * v + toward * g (keep = 1 when |g| = 0).
KOKKOS_INLINE_FUNCTION void fire_mix(const FireState& st, double vnorm, double gnorm, double& keep, double& toward) {
  keep = 1;
  toward = 0;
  if (gnorm > 0) {
    keep = 1.0 - st.alpha;
    toward = st.alpha * vnorm / gnorm;
  }
}

// The step length along v, capped so that no atom moves more than max_move; `disp` is
// the largest displacement v would make per unit step.
KOKKOS_INLINE_FUNCTION double fire_advance(FireState& st, double max_move, double disp) {
  const double move = disp * st.dt;
  st.cap = move > max_move ? max_move / move : 1.0;
  return st.dt * st.cap;
}

}  // namespace af
