// The attention model's last block, forward and reverse in one team-per-atom kernel (CPU
// builds, where the attention runs through att_lanes.hpp). The last block's edge stream
// is not read again and the readout is per atom, so dE/d(node sum) of atom i is known
// inside its own team once the block's forward is done: the team runs the node update,
// the readout and their reverses itself and goes straight back through the block. The
// attention weights stay in scratch between the two directions (heads x Ms x Ms per
// atom, never an N x M x M array), so the reverse neither recomputes logits, maxima and
// exps nor reads Q, K, V and the block's other activations back from memory, and
// nothing of the block's per-edge state is written to act_. GPU builds, and CPU runs
// with `fuse_last_block: false`, use compute_block / reverse_block as for every other block.
#include "potentials/nnip/att_block_rows.hpp"
#include "potentials/nnip/att_lanes.hpp"
#include "potentials/nnip/attention.hpp"

#ifdef AF_ATT_LANES
namespace af::nnip {

using namespace kernels;  // NOLINT: the model's own building blocks

namespace {
using Team = Kokkos::TeamPolicy<ExecSpace>::member_type;
}

template <class T>
template <int HC>
void AttentionModel<T>::fused_last_block(const EdgeList& edges, const IntView& type, const DblView& eatom) {
  const AttLayout L = lay_;
  const int n = edges.nlocal, b = L.blocks - 1;
  const T* p = params_.data();
  const int* w = L.blk[b];
  const int ww_o = w[kWo];
  const int wg_fn = w[kGfn], ww_n1 = w[kWn1], wb_n1 = w[kBn1], ww_n2 = w[kWn2], wb_n2 = w[kBn2];
  project<HC>(b, n);
  const auto x = x_;
  const auto xp = Kokkos::subview(xp_, b, Kokkos::ALL, Kokkos::ALL);
  const auto P = Kokkos::subview(P_, b, Kokkos::ALL, Kokkos::ALL);
  const auto e = Kokkos::subview(e_, b, Kokkos::ALL, Kokkos::ALL);
  const auto tm = type_map_;
  const auto gxp = gxp_, ge = ge_, gpre = gpre_, gr = gr_;
  const auto gu = gu_;
  const auto off = edges.offset;
  const auto snd = edges.sender;
  const auto env = env_;
  // Per atom: u, then 10 buffers of Ms x H (message pre-activations, Q|K|V rows, Q^T,
  // attention outputs, dE/dO transposed, dE/dQ, dE/dK, dE/dV) and the tiles: the weights
  // of every head and query group (heads x Ms x Ms) and one Ms x 16.
  const std::size_t bytes = scratch_bytes(max_degree_, 10, true);
  const int level = bytes <= 32768 ? 0 : 1;
  using Scratch = Kokkos::View<T*, ExecSpace::scratch_memory_space, Kokkos::MemoryUnmanaged>;
  const T inv_avg = T(1) / T(L.avg);
  Kokkos::parallel_for(
      "att::last_block", Kokkos::TeamPolicy<ExecSpace>(n, Kokkos::AUTO).set_scratch_size(level, Kokkos::PerTeam(bytes)),
      KOKKOS_LAMBDA(const Team& team) {
        const int H = HC > 0 ? HC : L.H;  // compile-time for the shapes compute() dispatches
        const int i = team.league_rank(), e0 = off(i), M = off(i + 1) - e0;
        const int Ms = key_stride(M), ld = 3 * H, groups = Ms / kLanes;
        Scratch buf(team.team_scratch(level), static_cast<std::size_t>(Ms) * (10 * H + L.heads + 1 + 2 * Ms * L.heads));
        T *u = buf.data(), *PRE = u + Ms, *QKV = PRE + Ms * H, *QT = QKV + 3 * Ms * H, *O = QT + Ms * H;
        T *GOT = O + Ms * H, *GQ = GOT + Ms * H, *GK = GQ + Ms * H;
        T *GV = GK + Ms * H, *Wt = GV + Ms * H, *DV = Wt + Ms * Ms * L.heads;
        // Messages and Q/K/V, kRowBlock edges at a time (as compute_block).
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, (M + kRowBlock - 1) / kRowBlock), [&](const int jb) {
          const int j0 = jb * kRowBlock, R = M - j0 < kRowBlock ? M - j0 : kRowBlock;
          message_qkv_rows(p, w, H, i, e0 + j0, R, e, P, env, snd, u + j0, PRE + j0 * H, H, QKV + j0 * ld, ld);
        });
        team.team_barrier();
        // Attention forward, each head and query group's weights kept in its tile of Wt.
        transpose_rows(team, M, H, QKV, QT, ld);
        team.team_barrier();
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, L.heads * groups), [&](const int hg) {
          const int h = hg / groups, j0 = hg % groups * kLanes;
          T* S = Wt + static_cast<std::size_t>(hg) * Ms * kLanes;
          if (H == 8 * L.heads)
            lanes_forward_weighted<T, 8>(M, 8, h, j0, QT, QKV + H, QKV + 2 * H, ld, u, S, O);
          else
            lanes_forward_weighted<T, 0>(M, H / L.heads, h, j0, QT, QKV + H, QKV + 2 * H, ld, u, S, O);
        });
        team.team_barrier();
        // Node update, readout and their reverses: dE/dx' of this atom into gxp. The last
        // block's t_j = O_j W_o enters only the node sum, so W_o is applied to the sum,
        // sum_j u_j t_j = (sum_j u_j O_j) W_o, and in reverse dE/dO_j = u_j / avg (gn W_o^T)
        // with gn = dE/dx': one product per atom each way where the block kernels have one
        // per edge (W_o has no bias). O and GOT are transposed (H x Ms).
        Kokkos::single(Kokkos::PerTeam(team), [&]() {
          T up[kAttMaxNeighbors + kAttChunk], so[kAttMaxH], s[kAttMaxH], z[kAttMaxH] = {}, g[kAttMaxH], wo[kAttMaxH];
          for (int j = 0; j < Ms; ++j) up[j] = j < M ? u[j] : T(0);  // O's padding columns are finite
          for (int c = 0; c < H; ++c) so[c] = dot(up, O + c * Ms, Ms);
          affine(so, H, p + ww_o, static_cast<const T*>(nullptr), H, s);
          for (int c = 0; c < H; ++c) z[c] = xp(i, c) = x(b, i, c) + s[c] * inv_avg;
          ffn_residual_rows(p, H, wg_fn, ww_n1, wb_n1, ww_n2, wb_n2, 1, z, H);
          const T* xs[kAttMaxBlocks + 1];
          for (int q = 0; q < L.blocks; ++q) xs[q] = &x(q, i, 0);
          xs[L.blocks] = z;
          eatom(i) = double(readout_atom(L, p, tm(type(i)), xs, &gr(i, 0)));
          for (int c = 0; c < H; ++c) g[c] = wo[c] = 0;
          reverse_ffn_residual(p, H, wg_fn, ww_n1, wb_n1, ww_n2, 1, &xp(i, 0), H, &gr(i, L.blocks * H), H, &g);
          for (int c = 0; c < H; ++c) gxp(i, c) = g[c];
          reverse_affine(g, H, p + ww_o, H, wo);  // gn W_o^T
          T gq[kAttMaxNeighbors + kAttChunk];  // dE/du_j of the node sum: O_j . (gn W_o^T) / avg
          for (int j = 0; j < Ms; ++j) gq[j] = 0;
          for (int c = 0; c < H; ++c) {
            const T wc = wo[c] * inv_avg, *oc = O + c * Ms;
            T* got = GOT + c * Ms;
            AF_SIMD
            for (int j = 0; j < Ms; ++j) {
              gq[j] += wc * oc[j];
              got[j] = wc * up[j];  // zero in the padding
            }
          }
          for (int j = 0; j < M; ++j) gu(e0 + j) += gq[j];
        });
        team.team_barrier();
        // Attention backward through the kept weights.
        Kokkos::single(Kokkos::PerTeam(team), [&]() {  // GK, GV and gu gather over heads and groups
          for (int q = 0; q < Ms * H; ++q) GK[q] = GV[q] = 0;  // transposed, H x Ms
          for (int hg = 0; hg < L.heads * groups; ++hg) {
            const int h = hg / groups, j0 = hg % groups * kLanes;
            T* S = Wt + static_cast<std::size_t>(hg) * Ms * kLanes;
            T* g = M > 0 ? &gu(e0) : static_cast<T*>(nullptr);
            if (H == 8 * L.heads)
              lanes_backward_weighted<T, 8>(M, 8, h, j0, QT, QKV + H, QKV + 2 * H, ld, GOT, u, S, DV, GQ, GK, GV, g);
            else
              lanes_backward_weighted<T, 0>(M, H / L.heads, h, j0, QT, QKV + H, QKV + 2 * H, ld, GOT, u, S, DV, GQ,
                                            GK, GV, g);
          }
        });
        team.team_barrier();
        // Q/K/V and the message reversed (as reverse_block): gpre for the projections'
        // reverse, dE/de_b into ge (the edge stream leaves the last block unused).
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, (M + kRowBlock - 1) / kRowBlock), [&](const int jb) {
          const int j0 = jb * kRowBlock, R = M - j0 < kRowBlock ? M - j0 : kRowBlock;
          message_qkv_reverse_rows(p, w, H, e0 + j0, R, GQ + j0, GK + j0, GV + j0, 1, Ms, PRE + j0 * H, H, e, gpre,
                                   ge, true);
        });
      });
  project_reverse<HC>(b, edges);
}

template void AttentionModel<double>::fused_last_block<0>(const EdgeList&, const IntView&, const DblView&);
template void AttentionModel<double>::fused_last_block<32>(const EdgeList&, const IntView&, const DblView&);
template void AttentionModel<float>::fused_last_block<0>(const EdgeList&, const IntView&, const DblView&);
template void AttentionModel<float>::fused_last_block<32>(const EdgeList&, const IntView&, const DblView&);

}  // namespace af::nnip
#endif
