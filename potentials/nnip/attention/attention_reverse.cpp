// Reverse stages of the attention model (attention.hpp): from dE/dE_i = 1 back through
// the blocks to dE/dr for every edge. Per-edge activations (O(E H)) are read back from the
// forward pass; the attention weights are recomputed per atom from Q and K (one exp per
// entry, into a per-team tile), so nothing of size edges x neighbors is ever stored.
#include "atomforge/potentials/nnip/attention/att_block_rows.hpp"
#include "atomforge/potentials/nnip/attention/att_input_lanes.hpp"
#include "atomforge/potentials/nnip/attention/attention.hpp"

namespace af::nnip {

using namespace kernels;  // NOLINT: the model's own building blocks

namespace {
using Team = Kokkos::TeamPolicy<ExecSpace>::member_type;
}

template <class T>
void AttentionModel<T>::ghost_sender_sums(const Graph& edges, const TView2& g) {
  const int H = lay_.H, nown = nown_, n = edges.nnodes;
  const auto off = edges.offset;
  const auto snd = edges.sender;
  const auto gsx = gsx_;
  Kokkos::deep_copy(Kokkos::subview(gsx, std::make_pair(0, n), Kokkos::ALL), T(0));
  // Ghost rows are shared by many owned receivers: atomics, on these edges only.
  Kokkos::parallel_for("att::ghost_sender_sums", Kokkos::RangePolicy<ExecSpace>(0, nown), KOKKOS_LAMBDA(const int i) {
    for (int e = off(i); e < off(i + 1); ++e) {
      const int j = snd(e);
      if (j < nown) continue;  // an owned sender gathers this edge through its reverse edge
      for (int c = 0; c < H; ++c) Kokkos::atomic_add(&gsx(j, c), g(e, c));
    }
  });
  stage_.reverse(*exchange_, gsx, H, n, nown);
}

template <class T>
template <int HC>
void AttentionModel<T>::project_reverse(int b, const Graph& edges) {
  const AttLayout L = lay_;
  const int n = nown_;  // exchange mode: owned nodes (their ghost-sender sums in gsx_)
  const T* p = params_.data();
  const int wg_x = L.blk[b][kGx], ww_s = L.blk[b][kWs], ww_t = L.blk[b][kWt];
  const auto x = Kokkos::subview(x_, b, Kokkos::ALL, Kokkos::ALL);
  const auto gx = gx_, gxp = gxp_, gpre = gpre_, gr = gr_;
  const auto off = edges.offset;
  // Projections reversed: each atom gathers dE/dP as receiver (its own edges) and as
  // sender (the reverse edges), then through rms(x); plus the residual and readout.
  const auto rev = rev_;
  const bool ghost_sums = exchange_ != nullptr;
  if (ghost_sums) ghost_sender_sums(edges, gpre);
  const auto gsx = gsx_;
  Kokkos::parallel_for(
      "att::project_reverse", Kokkos::RangePolicy<ExecSpace>(0, (n + kRowBlock - 1) / kRowBlock),
      KOKKOS_LAMBDA(const int ib) {
        const int H = HC > 0 ? HC : L.H;  // compile-time for the shapes compute() dispatches
        const int i0 = ib * kRowBlock, R = n - i0 < kRowBlock ? n - i0 : kRowBlock;
        T gs[kRowBlock][kAttMaxH], gt[kRowBlock][kAttMaxH], gxn[kRowBlock][kAttMaxH], g[kAttMaxH];
        for (int r = 0; r < kRowBlock; ++r)
          for (int c = 0; c < H; ++c) gs[r][c] = gt[r][c] = gxn[r][c] = 0;
        for (int r = 0; r < R; ++r)
          for (int e = off(i0 + r); e < off(i0 + r + 1); ++e) {
            const int q = rev(e);
            for (int c = 0; c < H; ++c) gt[r][c] += gpre(e, c);
            if (q >= 0)
              for (int c = 0; c < H; ++c) gs[r][c] += gpre(q, c);
          }
        if (ghost_sums)
          for (int r = 0; r < R; ++r)
            for (int c = 0; c < H; ++c) gs[r][c] += gsx(i0 + r, c);
        rows_reverse_affine(gs[0], kAttMaxH, R, H, p + ww_s, H, gxn[0], kAttMaxH);
        rows_reverse_affine(gt[0], kAttMaxH, R, H, p + ww_t, H, gxn[0], kAttMaxH);
        for (int r = 0; r < R; ++r) {
          const int i = i0 + r;
          for (int c = 0; c < H; ++c) g[c] = gxp(i, c) + gr(i, b * H + c);
          reverse_rms_norm(&x(i, 0), p + wg_x, H, gxn[r], g);
          for (int c = 0; c < H; ++c) gx(i, c) = g[c];
        }
      });
}

template <class T>
template <int HC>
void AttentionModel<T>::reverse_block(int b, const Graph& edges) {
  const AttLayout L = lay_;
  const int n = nown_;  // exchange mode: owned nodes only
  const T* p = params_.data();
  const int* w = L.blk[b];
  const int wg_fe = w[kGfe], ww_f1 = w[kWf1], ww_f2 = w[kWf2];
  const int wg_fn = w[kGfn], ww_n1 = w[kWn1], wb_n1 = w[kBn1], ww_n2 = w[kWn2];
  const bool last = b == L.blocks - 1;
  const auto xp = Kokkos::subview(xp_, b, Kokkos::ALL, Kokkos::ALL);
  const auto e = Kokkos::subview(e_, b, Kokkos::ALL, Kokkos::ALL);
  const auto act = Kokkos::subview(act_, b, Kokkos::ALL, Kokkos::ALL);
  const auto gx = gx_, gxp = gxp_, ge = ge_, gpre = gpre_;
  const auto gu = gu_;
  // Node feed-forward reversed, kRowBlock atoms at a time: gxp = dE/dx' from gx = dE/dx_{b+1}.
  Kokkos::parallel_for(
      "att::node_update_reverse", Kokkos::RangePolicy<ExecSpace>(0, (n + kRowBlock - 1) / kRowBlock),
      KOKKOS_LAMBDA(const int ib) {
        const int H = HC > 0 ? HC : L.H;  // compile-time for the shapes compute() dispatches
        const int i0 = ib * kRowBlock, R = n - i0 < kRowBlock ? n - i0 : kRowBlock;
        T g[kRowBlock][kAttMaxH];
        for (int r = 0; r < kRowBlock; ++r)
          for (int c = 0; c < H; ++c) g[r][c] = 0;
        reverse_ffn_residual(p, H, wg_fn, ww_n1, wb_n1, ww_n2, R, &xp(i0, 0), static_cast<int>(xp.stride(0)),
                             &gx(i0, 0), static_cast<int>(gx.stride(0)), g);
        for (int r = 0; r < R; ++r)
          for (int c = 0; c < H; ++c) gxp(i0 + r, c) = g[r][c];
      });
  // The fused block reversed, per atom: the forward pass's GELU' of the messages, Q/K/V,
  // attention outputs and GELU' of the edge-FFN hidden units are read back (act_), the
  // attention weights recomputed from Q and K; reverse the edge FFN and the
  // node sum, then attention backward, then Q/K/V and the message. dE/d(message pre-activation) goes to gpre for the
  // senders' projections; dE/de_b replaces dE/de_{b+1} in ge (each team owns its rows).
  const auto off = edges.offset;
  const auto env = env_;
  const std::size_t bytes = scratch_bytes(max_degree_, 6, true);
  const int level = bytes <= 32768 ? 0 : 1;
  using Scratch = Kokkos::View<T*, ExecSpace::scratch_memory_space, Kokkos::MemoryUnmanaged>;
  const int lda = static_cast<int>(act.stride(0));
  const T inv_avg = T(1) / T(L.avg);
  Kokkos::parallel_for(
      "att::block_backward",
      Kokkos::TeamPolicy<ExecSpace>(n, Kokkos::AUTO).set_scratch_size(level, Kokkos::PerTeam(bytes)),
      KOKKOS_LAMBDA(const Team& team) {
        const int H = HC > 0 ? HC : L.H;  // compile-time for the shapes compute() dispatches
        const int i = team.league_rank(), e0 = off(i), M = off(i + 1) - e0;
        const int Ms = key_stride(M);  // rows of every buffer (T1, T2 and the tiles have Ms columns)
        Scratch buf(team.team_scratch(level), static_cast<std::size_t>(Ms) * (6 * H + L.heads + 1 + 2 * Ms * L.heads));
        // Q, K, V are read in place from the saved activations (act_, row stride lda);
        // T1, T2: transposed operands (Q and GO on CPUs, K and V on GPUs).
        const T* A = act.data() + static_cast<std::size_t>(e0) * lda;
        T *T1 = buf.data(), *T2 = T1 + Ms * H, *GO = T2 + Ms * H;
        T *GQ = GO + Ms * H, *GK = GQ + Ms * H, *GV = GK + Ms * H, *D = GV + Ms * H, *u = D + Ms * L.heads;
        T *Wt = u + Ms, *DV = Wt + Ms * Ms * L.heads;
        prefetch_rows<0>(act, e0, M);
        prefetch_rows<0>(e, e0, M);
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, M), [&](const int j) {
          u[j] = env(e0 + j, 0);
        });
        team.team_barrier();
        // Edge FFN, edge update and node sum reversed, kRowBlock edges at a time: dE/dt into
        // GO through W_o.
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, (M + kRowBlock - 1) / kRowBlock), [&](const int jb) {
          const int j0 = jb * kRowBlock, R = M - j0 < kRowBlock ? M - j0 : kRowBlock;
          T gt[kRowBlock][kAttMaxH];
          for (int r = 0; r < kRowBlock; ++r)
            for (int c = 0; c < H; ++c) gt[r][c] = 0;
          if (!last) {  // e_{b+1} = e' + FFN(e'), e' = e_b + t
            T ez[kRowBlock][kAttMaxH];
            for (int r = 0; r < R; ++r)
              for (int c = 0; c < H; ++c) ez[r][c] = e(e0 + j0 + r, c) + act(e0 + j0 + r, kActT * H + c);
            reverse_ffn_residual_rows(p, H, wg_fe, ww_f1, ww_f2, R, ez[0], kAttMaxH, &ge(e0 + j0, 0),
                                      static_cast<int>(ge.stride(0)), &act(e0 + j0, kActFfn * H), lda, gt);
          }
          for (int r = 0; r < R; ++r)
            for (int c = 0; c < H; ++c) ge(e0 + j0 + r, c) = gt[r][c];  // dE/de' (the residual's share of dE/de_b)
          node_sum_reverse_rows(p, w, H, e0 + j0, R, u + j0, inv_avg, &gxp(i, 0), &act(e0 + j0, kActT * H), lda, gt,
                                gu, GO + j0 * H);
        });
        team.team_barrier();
        attention_block_backward(team, M, H, L.heads, A + kActQ * H, A + kActK * H, A + kActV * H, lda, u, GO, T1,
                                 T2, Wt, DV, D, GQ, GK, GV, M > 0 ? &gu(e0) : static_cast<T*>(nullptr));
        team.team_barrier();
        // Q/K/V and the message reversed kRowBlock edges at a time (rows_reverse_affine).
        int gr, gc;
        attention_out_strides(H, Ms, gr, gc);
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, (M + kRowBlock - 1) / kRowBlock), [&](const int jb) {
          const int j0 = jb * kRowBlock, R = M - j0 < kRowBlock ? M - j0 : kRowBlock;
          message_qkv_reverse_rows(p, w, H, e0 + j0, R, GQ + j0 * gr, GK + j0 * gr, GV + j0 * gr, gr, gc,
                                   &act(e0 + j0, kActPre * H), lda, e, gpre, ge, false);
        });
      });
  project_reverse<HC>(b, edges);
}

template <class T>
template <int HC>
void AttentionModel<T>::reverse_input(const Graph& edges, const IntView& species, const VecView& dedr) {
  const AttLayout L = lay_;
  const T* p = params_.data();
  const auto off = edges.offset;
  const auto vec = edges.vec;
  const auto ge = ge_;
  const auto ein = ein_;
  const auto booq = booq_;
  const int er = ein_r();
  const auto gz_e = gpre_;  // free after the blocks: dE/dz of each edge's input
  const auto gd = gd_, gu = gu_;
  const auto env = env_;
  // Edge inputs reversed from the saved z, GELU'(pre) and dpre/dd: dE/dd, and dE/dz kept
  // for the per-atom halves.
  const int ne = edges.nedges;
  Kokkos::parallel_for(
      "att::edge_input_reverse", Kokkos::RangePolicy<ExecSpace>(0, (ne + kRowBlock - 1) / kRowBlock),
      KOKKOS_LAMBDA(const int eb) {
        const int H = HC > 0 ? HC : L.H;  // compile-time for the shapes compute() dispatches
        const int f = eb * kRowBlock, R = ne - f < kRowBlock ? ne - f : kRowBlock;
        if (f + 2 * kRowBlock <= ne) {
          prefetch_rows<0>(ein, f + kRowBlock, kRowBlock);
          prefetch_rows<0>(ge, f + kRowBlock, kRowBlock);
        }
        T gz[kRowBlock][kAttMaxH], ga[kRowBlock][kAttMaxH];
        for (int r = 0; r < kRowBlock; ++r)
          for (int c = 0; c < H; ++c) gz[r][c] = ga[r][c] = 0;
        for (int r = 0; r < R; ++r) {
          reverse_rms_norm(&ein(f + r, 0), p + L.g_in, H, &ge(f + r, 0), gz[r]);
          for (int c = 0; c < H; ++c) gz_e(f + r, c) = gz[r][c];
        }
        // ga = gz W_in[0:H]^T (its contiguous copy w_in0)
        rows_reverse_affine(gz[0], kAttMaxH, R, H, p + L.w_in0, H, ga[0], kAttMaxH);
        for (int r = 0; r < R; ++r) {
          const T *gelu_d = &ein(f + r, H), *dpre = gelu_d + H;
          gd(f + r) = dot(ga[r], gelu_d, dpre, H);
        }
      });
  // Per atom: dE/dT_i (own edges) and dE/dS_i (reverse edges) to dE/dboo_i, then through
  // the order parameters (the saved sums Q and each edge's R, dR/dd) to every edge's u
  // and direction, giving dE/dr_e.
  const auto rev = rev_;
  const int nloc = nown_;  // exchange mode: owned nodes (their ghost-sender sums in gsx_)
  const bool ghost_sums = exchange_ != nullptr;
  if (ghost_sums) ghost_sender_sums(edges, gz_e);
  const auto gsx = gsx_;
  Kokkos::parallel_for("att::boo_reverse", Kokkos::RangePolicy<ExecSpace>(0, nloc), KOKKOS_LAMBDA(const int i) {
    const int H = HC > 0 ? HC : L.H;
    if (i + 1 < nloc) {  // the next atom's rows (prefetch_rows)
      const int e1 = off(i + 1), m1 = off(i + 2) - e1;
      prefetch_rows<0>(vec, e1, m1);
      prefetch_column<0>(ein, e1, m1, er);
      prefetch_rows<0>(gz_e, e1, m1);
      prefetch_rows<1>(dedr, e1, m1);
    }
    T gb[kAttMaxBoo], Q[kAttMaxBooC][16], gS[kAttMaxH], gT[kAttMaxH];
    for (int c = 0; c < H; ++c) gS[c] = gT[c] = 0;
    for (int e = off(i); e < off(i + 1); ++e) {
      const int r = rev(e);
      for (int c = 0; c < H; ++c) gT[c] += gz_e(e, c);
      if (r >= 0)
        for (int c = 0; c < H; ++c) gS[c] += gz_e(r, c);
    }
    if (ghost_sums)
      for (int c = 0; c < H; ++c) gS[c] += gsx(i, c);
    for (int q = 0; q < L.NBOO; ++q) {
      const T* ws = p + L.w_in + (3 * H + q) * H;
      const T* wt = p + L.w_in + (3 * H + L.NBOO + q) * H;
      gb[q] = dot(gS, ws, H) + dot(gT, wt, H);
    }
    // dE/dQ, in place of Q (zero beyond degree l_boo).
    for (int c = 0; c < L.CB; ++c)
      for (int q = 0; q < 16; ++q) Q[c][q] = 0;
    for (int c = 0; c < L.CB; ++c)
      for (int l = 0; l < L.LB; ++l)
        for (int q = l * l; q < (l + 1) * (l + 1); ++q)
          Q[c][q] = booq(i, c * 16 + q) * gb[c * L.LB + l] * 2 / T(L.avg * L.avg * (2 * l + 1));
#ifdef AF_ATT_LANES
    const int lde = static_cast<int>(ein.stride(0));
    for (int e = off(i); e < off(i + 1); e += kLanes)
      boo_reverse_lanes(L.CB, Q, &ein(e, er), lde, e, off(i + 1) - e < kLanes ? off(i + 1) - e : kLanes, vec, env, gu,
                        gd, dedr);
#else
    for (int e = off(i); e < off(i + 1); ++e) {
      const double dd = sqrt(vec(e, 0) * vec(e, 0) + vec(e, 1) * vec(e, 1) + vec(e, 2) * vec(e, 2));
      const T d = T(dd);
      const T rh[3] = {T(vec(e, 0) / dd), T(vec(e, 1) / dd), T(vec(e, 2) / dd)};
      const T *R = &ein(e, er), *dR = R + L.CB;
      const T u = env(e, 0), du = env(e, 1);
      T Y[kShN], dY[kShN][3];
      harmonics_with_grad(rh, Y, dY);
      // Q_cq += u R_c Y_q: with QR_q = sum_c dE/dQ_cq R_c (and QdR with dR_c/dd),
      // dE/du = sum_q Y_q QR_q, dE/dd through R = u sum_q Y_q QdR_q, dE/dY_q = u QR_q.
      T QR[16], QdR[16], yr[16], ydr[16];
      for (int q = 0; q < 16; ++q) QR[q] = QdR[q] = 0;
      for (int c = 0; c < L.CB; ++c) {
        AF_SIMD
        for (int q = 0; q < 16; ++q) {
          QR[q] += Q[c][q] * R[c];
          QdR[q] += Q[c][q] * dR[c];
        }
      }
      AF_SIMD
      for (int q = 0; q < 16; ++q) {
        yr[q] = Y[q] * QR[q];
        ydr[q] = Y[q] * QdR[q];
      }
      T gy[3][16];  // G = u sum_q dY_q QR_q (QR is zero beyond degree l_boo)
      AF_SIMD
      for (int q = 0; q < 16; ++q)
        for (int x = 0; x < 3; ++x) gy[x][q] = dY[q][x] * QR[q];
      const T G[3] = {u * lane_sum(gy[0]), u * lane_sum(gy[1]), u * lane_sum(gy[2])};
      const T gue = gu(e) + lane_sum(yr);
      const T gdist = gue * du + gd(e) + u * lane_sum(ydr);
      const T rg = rh[0] * G[0] + rh[1] * G[1] + rh[2] * G[2];
      for (int c = 0; c < 3; ++c) dedr(e, c) = double(gdist * rh[c] + (G[c] - rg * rh[c]) / d);
    }
#endif
  });
}

#ifndef AF_ATT_HOST
#define AF_ATTENTION_REVERSE_BLOCKS(T)                                      \
  template void AttentionModel<T>::reverse_block<0>(int, const Graph&); \
  template void AttentionModel<T>::project_reverse<0>(int, const Graph&);
#else
#define AF_ATTENTION_REVERSE_BLOCKS(T)                                      \
  template void AttentionModel<T>::reverse_block<0>(int, const Graph&); \
  template void AttentionModel<T>::reverse_block<32>(int, const Graph&); \
  template void AttentionModel<T>::project_reverse<0>(int, const Graph&); \
  template void AttentionModel<T>::project_reverse<32>(int, const Graph&); \
  template void AttentionModel<T>::reverse_input<32>(const Graph&, const IntView&, const VecView&);
#endif
#define AF_ATTENTION_REVERSE(T)                                                    \
  AF_ATTENTION_REVERSE_BLOCKS(T)                                                   \
  template void AttentionModel<T>::reverse_input<0>(const Graph&, const IntView&, const VecView&);
AF_ATTENTION_REVERSE(double)
AF_ATTENTION_REVERSE(float)
#undef AF_ATTENTION_REVERSE

}  // namespace af::nnip
