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
#include "atomforge/potentials/nnip/attention/att_block_rows.hpp"
#include "atomforge/potentials/nnip/attention/att_lanes.hpp"
#include "atomforge/potentials/nnip/attention/attention.hpp"

#ifdef AF_ATT_LANES
namespace af::nnip {

using namespace kernels;  // NOLINT: the model's own building blocks

namespace {
using Team = Kokkos::TeamPolicy<ExecSpace>::member_type;
}

template <class T>
template <int HC>
void AttentionModel<T>::fused_last_block(const Graph& edges, const IntView& species, const DblView& eatom) {
  const AttLayout L = lay_;
  const int n = edges.nnodes, b = L.blocks - 1;
  const auto contributing = edges.contributing;
  const bool masked = contributing.extent(0) > 0;
  const T* p = params_.data();
  const int* w = L.blk[b];
  const int ww_o = w[kWo];
  const int wg_fn = w[kGfn], ww_n1 = w[kWn1], wb_n1 = w[kBn1], ww_n2 = w[kWn2], wb_n2 = w[kBn2];
  project<HC>(b, n);
  const auto x = x_;
  const auto xp = Kokkos::subview(xp_, b, Kokkos::ALL, Kokkos::ALL);
  const auto P = Kokkos::subview(P_, b, Kokkos::ALL, Kokkos::ALL);
  const auto e = Kokkos::subview(e_, b, Kokkos::ALL, Kokkos::ALL);
  const auto gxp = gxp_, ge = ge_, gpre = gpre_, gr = gr_;
  const auto gu = gu_;
  const auto off = edges.offset;
  const auto snd = edges.sender;
  const auto env = env_;
  const int ww_v = w[kWv];
  // Per atom: u, then 8 buffers of Ms x H (message pre-activations, Q | K | m rows, Q^T,
  // dE/dQ, dE/dK, dE/dm through V), per head c and beta (Ms each) and z (H), and the
  // tiles: the weights of every head and query group (heads x Ms x Ms) and one Ms x 16.
  const int heads = L.heads;
  const auto scratch_count = [heads](int Ms, int H) {
    return static_cast<std::size_t>(Ms) * (8 * H + 1 + 2 * Ms * heads) + static_cast<std::size_t>(heads) * (2 * Ms + H);
  };
  using Scratch = Kokkos::View<T*, ExecSpace::scratch_memory_space, Kokkos::MemoryUnmanaged>;
  const std::size_t bytes = Scratch::shmem_size(scratch_count(key_stride(max_degree_), L.H));
  const int level = bytes <= 32768 ? 0 : 1;
  const T inv_avg = T(1) / T(L.avg);
  Kokkos::parallel_for(
      "att::last_block", Kokkos::TeamPolicy<ExecSpace>(nown_, Kokkos::AUTO).set_scratch_size(level, Kokkos::PerTeam(bytes)),
      KOKKOS_LAMBDA(const Team& team) {
        const int H = HC > 0 ? HC : L.H;  // compile-time for the shapes compute() dispatches
        const int i = team.league_rank(), e0 = off(i), M = off(i + 1) - e0;
        const int Ms = key_stride(M), ld = 3 * H, groups = Ms / kLanes, dh = H / heads;
        Scratch buf(team.team_scratch(level), scratch_count(Ms, H));
        T *u = buf.data(), *PRE = u + Ms, *QKM = PRE + Ms * H, *QT = QKM + 3 * Ms * H, *GQ = QT + Ms * H;
        T *GK = GQ + Ms * H, *GMV = GK + Ms * H, *Wt = GMV + Ms * H, *DV = Wt + Ms * Ms * heads;
        T *C = DV + Ms * Ms * heads, *BETA = C + heads * Ms, *Z = BETA + heads * Ms;
        prefetch_rows<0>(e, e0, M);
        // Messages and Q/K (the message m itself in V's columns), kRowBlock edges at a time.
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, (M + kRowBlock - 1) / kRowBlock), [&](const int jb) {
          const int j0 = jb * kRowBlock, R = M - j0 < kRowBlock ? M - j0 : kRowBlock;
          message_qkv_rows(p, w, H, i, e0 + j0, R, e, P, env, snd, u + j0, PRE + j0 * H, H, QKM + j0 * ld, ld, true);
        });
        team.team_barrier();
        // The block's t_j = O_j W_o enters only the node sum, and O is linear in V = m W_v
        // (no biases): sum_j u_j t_j = concat_h[(sum_k c_hk m_k) W_v,h] W_o with
        // c_hk = sum_j u_j P^h_jk. So neither V nor O is formed: the attention gives the
        // weights of each head and query group (kept in Wt for the reverse) and c.
        transpose_rows(team, M, H, QKM, QT, ld);
        team.team_barrier();
        Kokkos::single(Kokkos::PerTeam(team), [&]() {
          for (int j = M; j < Ms; ++j) u[j] = 0;  // queries' weights, zero in the padding
          for (int q = 0; q < heads * Ms; ++q) C[q] = 0;
          for (int hg = 0; hg < heads * groups; ++hg) {
            const int h = hg / groups, j0 = hg % groups * kLanes;
            T* S = Wt + static_cast<std::size_t>(hg) * Ms * kLanes;
            if (H == 8 * heads)
              lanes_weights<T, 8>(M, 8, h, j0, QT, QKM + H, ld, u, S);
            else
              lanes_weights<T, 0>(M, dh, h, j0, QT, QKM + H, ld, u, S);
            for (int k = 0; k < M; ++k) {  // c_hk += u_k sum_x u_x W_xk over this group's queries
              const T* st = S + k * kLanes;
              T part[kLanes];
              AF_SIMD
              for (int q = 0; q < kLanes; ++q) part[q] = u[j0 + q] * st[q];
              C[h * Ms + k] += u[k] * lane_sum(part);
            }
          }
        });
        team.team_barrier();
        // Node update, readout and their reverses (dE/dx' of this atom into gxp), then the
        // rank-one reverse of the node sum: dE/dO_j = u_j w with w = gn W_o^T / avg, so
        // per head z_h = W_v,h w_h, beta_hk = m_k . z_h (= v_k . w_h), dE/dm_k through V
        // = sum_h c_hk z_h, and dE/du_j of the sum = O_j . w (lanes_dv_rank1).
        Kokkos::single(Kokkos::PerTeam(team), [&]() {
          T so[kAttMaxH] = {}, s[kAttMaxH], z[kAttMaxH] = {}, g[kAttMaxH], wo[kAttMaxH], a[kAttMaxH];  // = {}: filled for H
          const T* WvT = p + ww_v + H * H;  // W_v^T (the model keeps each matrix's transpose after it)
          for (int h = 0; h < heads; ++h) {
            for (int q = 0; q < H; ++q) a[q] = 0;
            for (int k = 0; k < M; ++k) {
              const T ck = C[h * Ms + k], *mk = QKM + k * ld + 2 * H;
              AF_SIMD
              for (int q = 0; q < H; ++q) a[q] += ck * mk[q];
            }
            for (int c = h * dh; c < (h + 1) * dh; ++c) so[c] = dot(a, WvT + c * H, H);  // a_h W_v,h
          }
          affine(so, H, p + ww_o, static_cast<const T*>(nullptr), H, s);
          for (int c = 0; c < H; ++c) z[c] = xp(i, c) = x(b, i, c) + s[c] * inv_avg;
          ffn_residual_rows(p, H, wg_fn, ww_n1, wb_n1, ww_n2, wb_n2, 1, z, H);
          const T* xs[kAttMaxBlocks + 1];
          for (int q = 0; q < L.blocks; ++q) xs[q] = &x(q, i, 0);
          xs[L.blocks] = z;
          eatom(i) = double(readout_atom(L, p, species(i), xs, &gr(i, 0), masked ? T(contributing(i)) : T(1)));
          for (int c = 0; c < H; ++c) g[c] = wo[c] = 0;
          reverse_ffn_residual(p, H, wg_fn, ww_n1, wb_n1, ww_n2, 1, &xp(i, 0), H, &gr(i, L.blocks * H), H, &g);
          for (int c = 0; c < H; ++c) gxp(i, c) = g[c];
          reverse_affine(g, H, p + ww_o, H, wo);  // gn W_o^T
          for (int h = 0; h < heads; ++h) {
            T* zh = Z + h * H;  // W_v,h w_h = sum over the head's columns c of w_c (row c of W_v^T)
            for (int q = 0; q < H; ++q) zh[q] = 0;
            for (int c = h * dh; c < (h + 1) * dh; ++c) {
              const T wc = wo[c] * inv_avg, *row = WvT + c * H;
              AF_SIMD
              for (int q = 0; q < H; ++q) zh[q] += wc * row[q];
            }
            for (int k = 0; k < M; ++k) BETA[h * Ms + k] = dot(QKM + k * ld + 2 * H, zh, H);
          }
          for (int k = 0; k < M; ++k) {
            T* gm = GMV + k * H;
            for (int q = 0; q < H; ++q) gm[q] = 0;
            for (int h = 0; h < heads; ++h) {
              const T ck = C[h * Ms + k], *zh = Z + h * H;
              AF_SIMD
              for (int q = 0; q < H; ++q) gm[q] += ck * zh[q];
            }
          }
        });
        team.team_barrier();
        // Attention backward through the kept weights, from the rank-one dv.
        Kokkos::single(Kokkos::PerTeam(team), [&]() {  // GK and gu gather over heads and groups
          for (int q = 0; q < Ms * H; ++q) GK[q] = 0;  // transposed, H x Ms
          T gnode[kAttMaxNeighbors + kAttChunk];
          for (int j = 0; j < Ms; ++j) gnode[j] = 0;
          T* g = M > 0 ? &gu(e0) : static_cast<T*>(nullptr);
          for (int hg = 0; hg < heads * groups; ++hg) {
            const int h = hg / groups, j0 = hg % groups * kLanes;
            T* S = Wt + static_cast<std::size_t>(hg) * Ms * kLanes;
            lanes_dv_rank1(M, S, u, u + j0, BETA + h * Ms, DV, gnode + j0);
            if (H == 8 * heads)
              lanes_backward_weighted<T, 8, true>(M, 8, h, j0, QT, QKM + H, nullptr, ld, nullptr, u, S, DV, GQ, GK,
                                                  nullptr, g);
            else
              lanes_backward_weighted<T, 0, true>(M, dh, h, j0, QT, QKM + H, nullptr, ld, nullptr, u, S, DV, GQ, GK,
                                                  nullptr, g);
          }
          for (int j = 0; j < M; ++j) gu(e0 + j) += gnode[j];
        });
        team.team_barrier();
        // Q/K and the message reversed (as reverse_block, V's share from GMV): gpre for the
        // projections' reverse, dE/de_b into ge (the edge stream leaves the last block unused).
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, (M + kRowBlock - 1) / kRowBlock), [&](const int jb) {
          const int j0 = jb * kRowBlock, R = M - j0 < kRowBlock ? M - j0 : kRowBlock;
          message_qkv_reverse_rows(p, w, H, e0 + j0, R, GQ + j0, GK + j0, static_cast<const T*>(nullptr), 1, Ms,
                                   PRE + j0 * H, H, e, gpre, ge, true, GMV + j0 * H);
        });
      });
  project_reverse<HC>(b, edges);
}

template void AttentionModel<double>::fused_last_block<0>(const Graph&, const IntView&, const DblView&);
template void AttentionModel<double>::fused_last_block<32>(const Graph&, const IntView&, const DblView&);
template void AttentionModel<float>::fused_last_block<0>(const Graph&, const IntView&, const DblView&);
template void AttentionModel<float>::fused_last_block<32>(const Graph&, const IntView&, const DblView&);

}  // namespace af::nnip
#endif
