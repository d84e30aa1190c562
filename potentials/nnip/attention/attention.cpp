#include "atomforge/potentials/nnip/attention/attention.hpp"

#include <string>
#include <type_traits>

#include "atomforge/potentials/nnip/error.hpp"
#include "atomforge/potentials/nnip/host/huge_pages.hpp"
#include "atomforge/potentials/nnip/attention/att_block_rows.hpp"
#include "atomforge/potentials/nnip/attention/att_input_lanes.hpp"

namespace af::nnip {

using namespace kernels;  // NOLINT: the model's own building blocks

namespace {
// Names of the per-block weights in the model file, in AttBlockWeight order.
const char* const kBlockNames[kNumBlockWeights] = {"g_x", "g_e", "g_fn", "g_fe", "w_e",  "w_s",  "w_t",
                                                   "b_m", "w_q", "w_k",  "w_v",  "w_o",  "w_n1", "b_n1",
                                                   "w_n2", "b_n2", "w_f1", "b_f1", "w_f2", "b_f2"};
using Team = Kokkos::TeamPolicy<ExecSpace>::member_type;

// A per-edge work array, zeroed, in transparent huge pages on the host: the kernels
// stream through tens of MB of them, and 4 KiB pages cost TLB misses.
template <class V, class... N>
V edge_array(const char* label, N... n) {
  V v(Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(label)), n...);
  if constexpr (std::is_same_v<typename V::memory_space, Kokkos::HostSpace>)
    advise_huge_pages(v.data(), v.span() * sizeof(typename V::value_type));
  Kokkos::deep_copy(v, typename V::value_type(0));
  return v;
}
}  // namespace

template <class T>
AttentionModel<T>::AttentionModel(const ModelFile& f, bool fuse_last) {
#ifdef AF_ATT_LANES
  fuse_last_ = fuse_last;
#else
  (void)fuse_last;  // the fused last block runs the host back end's lanes kernels only
#endif
  AttLayout& L = lay_;
  L.S = static_cast<int>(f.species().size());
  L.H = static_cast<int>(f.hyper_int("hidden"));
  L.heads = static_cast<int>(f.hyper_int("heads"));
  L.blocks = static_cast<int>(f.hyper_int("n_layers"));
  L.NG = static_cast<int>(f.hyper_int("n_gauss"));
  L.LB = static_cast<int>(f.hyper_int("l_boo")) + 1;
  L.CB = static_cast<int>(f.hyper_int("boo_channels"));
  L.p_env = static_cast<int>(f.hyper_int("p_envelope"));
  L.avg = f.hyper_double("avg_neighbors");
  L.rc = f.r_cut();
  if (L.H < 1 || L.H > kAttMaxH) f.fail("hidden must be 1.." + std::to_string(kAttMaxH));
  if (L.heads < 1 || L.heads > kAttMaxHeads || L.H % L.heads) f.fail("heads must divide hidden and be 1..16");
  if (L.blocks < 1 || L.blocks > kAttMaxBlocks) f.fail("n_layers must be 1.." + std::to_string(kAttMaxBlocks));
  if (L.NG < 2 || L.NG > kAttMaxGauss) f.fail("n_gauss must be 2.." + std::to_string(kAttMaxGauss));
  if (L.LB < 1 || L.LB > kAttMaxBooL) f.fail("l_boo must be 0..3");
  if (L.CB < 1 || L.CB > kAttMaxBooC) f.fail("boo_channels must be 1.." + std::to_string(kAttMaxBooC));
  L.NBOO = L.CB * L.LB;
  if (L.p_env < 2 || !(L.avg > 0)) f.fail("p_envelope must be >= 2 and avg_neighbors positive");
  L.dh = L.H / L.heads;
  L.sigma = L.rc / (L.NG - 1);
  const long H = L.H;
  std::vector<double> p;
  auto take = [&](const std::string& name, const std::vector<long>& shape) {
    const int off = static_cast<int>(p.size());
    const Tensor t = f.weight(name, shape);
    p.insert(p.end(), t.data.begin(), t.data.end());
    if (shape.size() == 2)  // followed by its transpose, for reverse_affine
      for (long o = 0; o < shape[1]; ++o)
        for (long c = 0; c < shape[0]; ++c) p.push_back(t.data[c * shape[1] + o]);
    return off;
  };
  L.w_emb = take("w_emb", {L.S, H});
  L.w_d = take("w_d", {L.NG, H});
  L.b_d = take("b_d", {H});
  L.w_b = take("w_b", {L.NG, L.CB});
  L.w_in = take("w_in", {L.nin(), H});
  L.w_in0 = static_cast<int>(p.size());  // contiguous, so its reverse is a fixed-shape product
  for (long k = 0; k < H * H; ++k) p.push_back(p[L.w_in + k]);
  for (long o = 0; o < H; ++o)
    for (long c = 0; c < H; ++c) p.push_back(p[L.w_in + c * H + o]);
  L.b_in = take("b_in", {H});
  L.g_in = take("g_in", {H});
  L.w_h = take("w_h", {(L.blocks + 1) * H, H});
  L.b_h = take("b_h", {H});
  L.w_out = take("w_out", {H});
  L.scale = take("scale", {L.S});
  L.shift = take("shift", {L.S});
  for (int b = 0; b < L.blocks; ++b)
    for (int k = 0; k < kNumBlockWeights; ++k) {
      std::vector<long> shape = {H};
      if (k == kWe || k == kWs || k == kWt || k == kWq || k == kWk || k == kWv || k == kWo) shape = {H, H};
      if (k == kWn1 || k == kWf1) shape = {H, 2 * H};
      if (k == kBn1 || k == kBf1) shape = {2 * H};
      if (k == kWn2 || k == kWf2) shape = {2 * H, H};
      L.blk[b][k] = take("block" + std::to_string(b) + "/" + kBlockNames[k], shape);
    }
  params_ = TView("att::params", p.size());
  auto hp = Kokkos::create_mirror_view(params_);
  for (std::size_t k = 0; k < p.size(); ++k) hp(k) = T(p[k]);
  Kokkos::deep_copy(params_, hp);
}

template <class T>
void AttentionModel<T>::reserve(int n, int ne) {
  const int B = lay_.blocks, H = lay_.H;
  if (static_cast<int>(x_.extent(1)) < n) {
    const int cap = n + n / 8 + 8;
    x_ = TView3("att::x", B + 1, cap, H);
    xp_ = TView3("att::xp", B, cap, H);
    P_ = TView3("att::P", B, cap, 2 * H);
    boo_ = TView2("att::boo", cap, lay_.NBOO);
    booq_ = TView2("att::booq", cap, lay_.CB * 16);
    agg_ = TView2("att::agg", cap, H);
    side_ = TView2("att::side", cap, 2 * H);
    gx_ = TView2("att::gx", cap, H);
    gxp_ = TView2("att::gxp", cap, H);
    gr_ = TView2("att::gr", cap, (B + 1) * H);
    gsx_ = TView2("att::gsx", cap, H);
  }
  if (static_cast<int>(e_.extent(1)) < ne || e_.extent(1) == 0) {
    const int cap = ne + ne / 8 + 16;
    e_ = edge_array<TView3>("att::e", B, cap, H);
    act_ = edge_array<TView3>("att::act", B, cap, kActWidth * H);
    ein_ = edge_array<TView2>("att::ein", cap, 3 * H + 2 * lay_.CB);
    env_ = TView2("att::env", cap, 2);
    ge_ = edge_array<TView2>("att::ge", cap, H);
    gpre_ = edge_array<TView2>("att::gpre", cap, H);
    gu_ = TView("att::gu", cap);
    gd_ = TView("att::gd", cap);
    rev_ = IntView("att::rev", cap);
  }
}

// Team scratch of one atom: `buffers` rows x H, then rows x heads (D), rows (u) and, for
// the backward pass, two rows x heads x rows tiles (weights, go.v).
template <class T>
std::size_t AttentionModel<T>::scratch_bytes(int rows, int buffers, bool tile) const {
  using Scratch = Kokkos::View<T*, ExecSpace::scratch_memory_space, Kokkos::MemoryUnmanaged>;
  const std::size_t ms = kernels::key_stride(rows);
  return Scratch::shmem_size(ms * (buffers * lay_.H + lay_.heads + 1 + (tile ? 2 * ms * lay_.heads : 0)));
}

template <class T>
void AttentionModel<T>::compute(const Graph& edges, const DblView& eatom, const VecView& dedr) {
  nown_ = edges.nnodes;
  exchange_ = nullptr;
  run(edges, eatom, dedr);
}

template <class T>
void AttentionModel<T>::compute_exchange(const Graph& edges, int nown, NodeExchange& exchange, const DblView& eatom,
                                         const VecView& dedr) {
  struct Reset {  // the caller's exchange is not kept past this call, thrown through or not
    NodeExchange*& p;
    ~Reset() { p = nullptr; }
  } reset{exchange_};
  nown_ = nown;
  exchange_ = &exchange;
  Graph g = edges;
  g.contributing = IntView();  // every computed (owned) node contributes
  run(g, eatom, dedr);
}

template <class T>
void AttentionModel<T>::run(const Graph& edges, const DblView& eatom, const VecView& dedr) {
  const int n = edges.nnodes;
  const IntView& species = edges.species;
  reserve(n, edges.nedges);
  max_degree_ = edges.max_degree;
  if (max_degree_ > kAttMaxNeighbors)
    throw Error("attention model: an atom has " + std::to_string(max_degree_) + " neighbors within r_c = " +
                     std::to_string(lay_.rc) + ", more than the kernels' " + std::to_string(kAttMaxNeighbors) +
                     " (collapsed system?)");
  find_reverse_edges(edges);
  // Every loop over a row's H features gets a compile-time length where the width is 32
  // (CPU builds, measured there; GPU builds keep the one generic instantiation, as nvcc's
  // compile time would double and the effect on a device is unmeasured).
#ifndef AF_ATT_HOST
  constexpr bool fixed = false;
#else
  constexpr bool fixed = true;
#endif
  const bool h32 = fixed && lay_.H == 32;
  if constexpr (fixed)
    h32 ? compute_input<32>(edges, species) : compute_input<0>(edges, species);
  else
    compute_input<0>(edges, species);
  // CPU builds run the last block forward and backward in one kernel (attention_last.cpp)
  // unless the deck says fuse_last_block: false.
  const int last = lay_.blocks - 1, unfused = fuse_last_ ? last : lay_.blocks;
  for (int b = 0; b < unfused; ++b) {
    if constexpr (fixed)
      h32 ? compute_block<32>(b, edges) : compute_block<0>(b, edges);
    else
      compute_block<0>(b, edges);
  }
  if (!fuse_last_) {
    compute_readout(nown_, species, eatom);
    reverse_readout(nown_, species, edges.contributing);
  }
  Kokkos::deep_copy(gu_, T(0));
#ifdef AF_ATT_LANES
  if (fuse_last_) h32 ? fused_last_block<32>(edges, species, eatom) : fused_last_block<0>(edges, species, eatom);
#endif
  for (int b = unfused - 1; b >= 0; --b) {
    if constexpr (fixed)
      h32 ? reverse_block<32>(b, edges) : reverse_block<0>(b, edges);
    else
      reverse_block<0>(b, edges);
  }
  if constexpr (fixed)
    h32 ? reverse_input<32>(edges, species, dedr) : reverse_input<0>(edges, species, dedr);
  else
    reverse_input<0>(edges, species, dedr);
}

template <class T>
void AttentionModel<T>::find_reverse_edges(const Graph& edges) {
  const auto off = edges.offset;
  const auto snd = edges.sender;
  const auto vec = edges.vec;
  const auto rev = rev_;
  Kokkos::parallel_for("att::reverse_edges", Kokkos::RangePolicy<ExecSpace>(0, edges.nnodes), KOKKOS_LAMBDA(const int i) {
    for (int e = off(i); e < off(i + 1); ++e) {
      const int j = snd(e);
      rev(e) = -1;
      for (int r = off(j); r < off(j + 1); ++r) {
        const double dx = vec(r, 0) + vec(e, 0), dy = vec(r, 1) + vec(e, 1), dz = vec(r, 2) + vec(e, 2);
        if (snd(r) == i && dx * dx + dy * dy + dz * dz < 1e-12) {
          rev(e) = r;
          break;
        }
      }
    }
  });
}

template <class T>
template <int HC>
void AttentionModel<T>::compute_input(const Graph& edges, const IntView& species) {
  const AttLayout L = lay_;
  const T* p = params_.data();
  const auto off = edges.offset;
  const auto rec = edges.receiver;
  const auto snd = edges.sender;
  const auto vec = edges.vec;
  const auto boo = boo_;
  const auto x0 = Kokkos::subview(x_, 0, Kokkos::ALL, Kokkos::ALL);
  // Bond-orientational order of each atom from its own edges (CB learned radial
  // channels x degrees 0..l_boo); the node stream starts as the species embedding.
  // Q[c][lm] = sum over the atom's edges of u R_c Y_lm (before the 1/avg), kept with each
  // edge's R and dR/dd for the reverse pass.
  const auto ein = ein_;
  const auto booq = booq_;
  const auto env = env_;
  const int er = ein_r();
  const int nloc = edges.nnodes;
  Kokkos::parallel_for("att::boo", Kokkos::RangePolicy<ExecSpace>(0, nloc), KOKKOS_LAMBDA(const int i) {
    if (i + 1 < nloc) {  // the next atom's rows (prefetch_rows)
      prefetch_rows<0>(vec, off(i + 1), off(i + 2) - off(i + 1));
      prefetch_column<1>(ein, off(i + 1), off(i + 2) - off(i + 1), er);
    }
    T Q[kAttMaxBooC][16];
    for (int c = 0; c < L.CB; ++c)
      for (int q = 0; q < 16; ++q) Q[c][q] = 0;
#ifdef AF_ATT_LANES
    const int lde = static_cast<int>(ein.stride(0));
    for (int e = off(i); e < off(i + 1); e += kLanes)
      boo_forward_lanes(L, p, e, off(i + 1) - e < kLanes ? off(i + 1) - e : kLanes, vec, env, &ein(e, er), lde, Q);
#else
    for (int e = off(i); e < off(i + 1); ++e) {
      const double dd = sqrt(vec(e, 0) * vec(e, 0) + vec(e, 1) * vec(e, 1) + vec(e, 2) * vec(e, 2));
      T u, du, Y[16];
      T* R = &ein(e, er);
      envelope(T(dd), T(L.rc), L.p_env, u, du);
      env(e, 0) = u;
      env(e, 1) = du;
      spherical_harmonics_l3(T(vec(e, 0) / dd), T(vec(e, 1) / dd), T(vec(e, 2) / dd), Y);
      boo_radial(L, p, T(dd), R, R + L.CB);
      for (int c = 0; c < L.CB; ++c)
        for (int q = 0; q < L.LB * L.LB; ++q) Q[c][q] += u * R[c] * Y[q];
    }
#endif
    for (int c = 0; c < L.CB; ++c)
      for (int q = 0; q < 16; ++q) booq(i, c * 16 + q) = Q[c][q];
    for (int c = 0; c < L.CB; ++c)
      for (int l = 0; l < L.LB; ++l) {
        T s = 0;
        for (int q = l * l; q < (l + 1) * (l + 1); ++q) s += Q[c][q] * Q[c][q];
        boo(i, c * L.LB + l) = s / T(L.avg * L.avg * (2 * l + 1));
      }
    const int s = species(i);
    for (int c = 0; c < L.H; ++c) x0(i, c) = p[L.w_emb + s * L.H + c];
  });
  if (exchange_) stage_.forward(*exchange_, boo, L.NBOO, edges.nnodes, nown_);  // ghosts' BOO from their owners
  // The per-atom halves of the edge input (att_kernels.hpp, edge_input_sides).
  const auto side = side_;
  Kokkos::parallel_for("att::edge_input_sides", Kokkos::RangePolicy<ExecSpace>(0, edges.nnodes), KOKKOS_LAMBDA(const int i) {
    T b[kAttMaxBoo];
    for (int q = 0; q < L.NBOO; ++q) b[q] = boo(i, q);
    edge_input_sides(L, p, species(i), b, &side(i, 0), &side(i, L.H));
  });
  const auto e0 = Kokkos::subview(e_, 0, Kokkos::ALL, Kokkos::ALL);
  const int ne = edges.nedges, lde = static_cast<int>(ein.stride(0));
  Kokkos::parallel_for(
      "att::edge_input", Kokkos::RangePolicy<ExecSpace>(0, (ne + kRowBlock - 1) / kRowBlock),
      KOKKOS_LAMBDA(const int eb) {
        const int H = HC > 0 ? HC : L.H;  // compile-time for the shapes compute() dispatches
        const int f = eb * kRowBlock, R = ne - f < kRowBlock ? ne - f : kRowBlock;
        if (f + 2 * kRowBlock <= ne) {  // the next block's rows (prefetch_rows)
          prefetch_rows<0>(vec, f + kRowBlock, kRowBlock);
          prefetch_rows<1>(ein, f + kRowBlock, kRowBlock);
          prefetch_rows<1>(e0, f + kRowBlock, kRowBlock);
        }
        T d[kRowBlock] = {};  // = {}: GCC cannot see that only rows r < R are read
        int ri[kRowBlock] = {}, sj[kRowBlock] = {};
        for (int r = 0; r < R; ++r) {
          const int e = f + r;
          d[r] = T(sqrt(vec(e, 0) * vec(e, 0) + vec(e, 1) * vec(e, 1) + vec(e, 2) * vec(e, 2)));
          ri[r] = rec(e);
          sj[r] = snd(e);
        }
        edge_input_rows(L, p, H, R, d, ri, sj, side, &ein(f, 0), lde);
        for (int r = 0; r < R; ++r) rms_norm(&ein(f + r, 0), p + L.g_in, H, &e0(f + r, 0));
      });
}

// Message projections of each atom as sender (W_s) and as receiver (W_t): P_b.
template <class T>
template <int HC>
void AttentionModel<T>::project(int b, int n) {
  const AttLayout L = lay_;
  const T* p = params_.data();
  const int wg_x = L.blk[b][kGx], ww_s = L.blk[b][kWs], ww_t = L.blk[b][kWt];
  const auto x = Kokkos::subview(x_, b, Kokkos::ALL, Kokkos::ALL);
  const auto P = Kokkos::subview(P_, b, Kokkos::ALL, Kokkos::ALL);
  const int ldp = static_cast<int>(P.stride(0));
  Kokkos::parallel_for(
      "att::project", Kokkos::RangePolicy<ExecSpace>(0, (n + kRowBlock - 1) / kRowBlock), KOKKOS_LAMBDA(const int ib) {
        const int H = HC > 0 ? HC : L.H;  // compile-time for the shapes compute() dispatches
        const int i0 = ib * kRowBlock, R = n - i0 < kRowBlock ? n - i0 : kRowBlock;
        T xn[kRowBlock][kAttMaxH];
        zero_rows(xn, H);
        for (int r = 0; r < R; ++r) rms_norm(&x(i0 + r, 0), p + wg_x, H, xn[r]);
        rows_affine(xn[0], kAttMaxH, R, H, p + ww_s, static_cast<const T*>(nullptr), H, &P(i0, 0), ldp);
        rows_affine(xn[0], kAttMaxH, R, H, p + ww_t, static_cast<const T*>(nullptr), H, &P(i0, H), ldp);
      });
}

template <class T>
template <int HC>
void AttentionModel<T>::compute_block(int b, const Graph& edges) {
  const AttLayout L = lay_;
  const int n = edges.nnodes;
  const T* p = params_.data();
  const int* w = L.blk[b];
  const int ww_o = w[kWo];
  const int wg_fe = w[kGfe], ww_f1 = w[kWf1], wb_f1 = w[kBf1], ww_f2 = w[kWf2], wb_f2 = w[kBf2];
  const int wg_fn = w[kGfn], ww_n1 = w[kWn1], wb_n1 = w[kBn1], ww_n2 = w[kWn2], wb_n2 = w[kBn2];
  const bool last = b == L.blocks - 1;
  const auto x = Kokkos::subview(x_, b, Kokkos::ALL, Kokkos::ALL);
  const auto xn1 = Kokkos::subview(x_, b + 1, Kokkos::ALL, Kokkos::ALL);
  const auto xp = Kokkos::subview(xp_, b, Kokkos::ALL, Kokkos::ALL);
  const auto P = Kokkos::subview(P_, b, Kokkos::ALL, Kokkos::ALL);
  const auto e = Kokkos::subview(e_, b, Kokkos::ALL, Kokkos::ALL);
  const auto en1 = Kokkos::subview(e_, last ? b : b + 1, Kokkos::ALL, Kokkos::ALL);
  const auto act = Kokkos::subview(act_, b, Kokkos::ALL, Kokkos::ALL);
  const auto agg = agg_;
  project<HC>(b, n);
  // Fused block per atom: messages, Q/K/V (into act_), attention, edge update and FFN,
  // and the u-weighted sum of the attention outputs for the node update.
  const auto off = edges.offset;
  const auto snd = edges.sender;
  const auto env = env_;
  const std::size_t bytes = scratch_bytes(max_degree_, 3, false);
  const int level = bytes <= 32768 ? 0 : 1;
  using Scratch = Kokkos::View<T*, ExecSpace::scratch_memory_space, Kokkos::MemoryUnmanaged>;
  const int lda = static_cast<int>(act.stride(0));
  Kokkos::parallel_for(
      "att::block_forward", Kokkos::TeamPolicy<ExecSpace>(nown_, Kokkos::AUTO).set_scratch_size(level, Kokkos::PerTeam(bytes)),
      KOKKOS_LAMBDA(const Team& team) {
        const int H = HC > 0 ? HC : L.H;  // compile-time for the shapes compute() dispatches
        const int i = team.league_rank(), e0 = off(i), M = off(i + 1) - e0;
        const int Ms = key_stride(M);  // rows of every buffer (TR has Ms columns)
        Scratch buf(team.team_scratch(level), static_cast<std::size_t>(Ms) * (3 * H + 1));
        // Q, K, V go straight to the saved activations (act_, row stride lda), which the
        // attention reads in place. Tt: the edges' attention outputs t; TR: the operand
        // the attention reads transposed (Q on CPUs, K on GPUs).
        T *Tt = buf.data(), *O = Tt + Ms * H, *TR = O + Ms * H, *u = TR + Ms * H;
        T* A = act.data() + static_cast<std::size_t>(e0) * lda;
        prefetch_rows<0>(e, e0, M);
        // Messages and Q/K/V, kRowBlock edges at a time (rows_affine).
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, (M + kRowBlock - 1) / kRowBlock), [&](const int jb) {
          const int j0 = jb * kRowBlock, R = M - j0 < kRowBlock ? M - j0 : kRowBlock;
          T* a = A + j0 * lda;
          message_qkv_rows(p, w, H, i, e0 + j0, R, e, P, env, snd, u + j0, a + kActPre * H, lda, a + kActQ * H, lda);
        });
        team.team_barrier();
        attention_block_forward(team, M, H, L.heads, A + kActQ * H, A + kActK * H, A + kActV * H, lda, u, TR, O);
        team.team_barrier();
        // Output projection, edge update and edge FFN, kRowBlock edges at a time.
        int orr, oc;  // where the attention left O (transposed on CPU builds)
        attention_out_strides(H, Ms, orr, oc);
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, (M + kRowBlock - 1) / kRowBlock), [&](const int jb) {
          const int j0 = jb * kRowBlock, R = M - j0 < kRowBlock ? M - j0 : kRowBlock;
          T* t = Tt + j0 * H;
          rows_affine(O + j0 * orr, orr, R, H, p + ww_o, static_cast<const T*>(nullptr), H, t, H, oc);
          for (int r = 0; r < R; ++r)
            for (int c = 0; c < H; ++c) act(e0 + j0 + r, kActT * H + c) = t[r * H + c];
          if (last) return;  // the last block's edge stream is not read again
          T ez[kRowBlock][kAttMaxH];  // e_{b+1} = e' + FFN(e'), e' = e_b + t
          for (int r = 0; r < R; ++r)
            for (int c = 0; c < H; ++c) ez[r][c] = e(e0 + j0 + r, c) + t[r * H + c];
          ffn_residual_rows(p, H, wg_fe, ww_f1, wb_f1, ww_f2, wb_f2, R, ez[0], kAttMaxH, &act(e0 + j0, kActFfn * H),
                            static_cast<int>(act.stride(0)));
          for (int r = 0; r < R; ++r)
            for (int c = 0; c < H; ++c) en1(e0 + j0 + r, c) = ez[r][c];
        });
        team.team_barrier();
#ifdef AF_ATT_ROW_BLOCKS  // CPUs: edge-outer, the row's features in vector lanes
        Kokkos::single(Kokkos::PerTeam(team), [&]() {
          T s[kAttMaxH];
          for (int c = 0; c < H; ++c) s[c] = 0;
          for (int j = 0; j < M; ++j) {
            const T uj = u[j], *t = Tt + j * H;
            AF_SIMD
            for (int c = 0; c < H; ++c) s[c] += uj * t[c];
          }
          for (int c = 0; c < H; ++c) agg(i, c) = s[c];
        });
#else
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, H), [&](const int c) {
          T s = 0;
          for (int j = 0; j < M; ++j) s += u[j] * Tt[j * H + c];
          agg(i, c) = s;
        });
#endif
      });
  // Node update and feed-forward, kRowBlock atoms at a time.
  const int nown = nown_;
  Kokkos::parallel_for(
      "att::node_update", Kokkos::RangePolicy<ExecSpace>(0, (nown + kRowBlock - 1) / kRowBlock),
      KOKKOS_LAMBDA(const int ib) {
        const int H = HC > 0 ? HC : L.H;  // compile-time for the shapes compute() dispatches
        const int i0 = ib * kRowBlock, R = nown - i0 < kRowBlock ? nown - i0 : kRowBlock;
        T z[kRowBlock][kAttMaxH];
        for (int r = 0; r < R; ++r)
          for (int c = 0; c < H; ++c) z[r][c] = xp(i0 + r, c) = x(i0 + r, c) + agg(i0 + r, c) / T(L.avg);
        ffn_residual_rows(p, H, wg_fn, ww_n1, wb_n1, ww_n2, wb_n2, R, z[0], kAttMaxH);
        for (int r = 0; r < R; ++r)
          for (int c = 0; c < H; ++c) xn1(i0 + r, c) = z[r][c];
      });
  if (exchange_ && b + 1 < L.blocks) stage_.forward(*exchange_, xn1, L.H, n, nown_);  // the next block's senders
}

template <class T>
void AttentionModel<T>::compute_readout(int n, const IntView& species, const DblView& eatom) {
  const AttLayout L = lay_;
  const T* p = params_.data();
  const auto x = x_;
  Kokkos::parallel_for("att::readout", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
    const T* xs[kAttMaxBlocks + 1];
    for (int b = 0; b <= L.blocks; ++b) xs[b] = &x(b, i, 0);
    eatom(i) = double(readout_atom(L, p, species(i), xs, static_cast<T*>(nullptr)));
  });
}

template <class T>
void AttentionModel<T>::reverse_readout(int n, const IntView& species, const IntView& contributing) {
  const AttLayout L = lay_;
  const T* p = params_.data();
  const auto x = x_;
  const auto gr = gr_, gx = gx_;
  const bool masked = contributing.extent(0) > 0;
  Kokkos::parallel_for("att::readout_reverse", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
    const T* xs[kAttMaxBlocks + 1];
    for (int b = 0; b <= L.blocks; ++b) xs[b] = &x(b, i, 0);
    readout_atom(L, p, species(i), xs, &gr(i, 0), masked ? T(contributing(i)) : T(1));
    for (int c = 0; c < L.H; ++c) gx(i, c) = gr(i, L.blocks * L.H + c);
  });
}

template class AttentionModel<double>;
template class AttentionModel<float>;

// This object's back end (backend.hpp).
#ifdef AF_ATT_HOST
std::unique_ptr<Model> make_attention_host(const ModelFile& f, const AttentionOptions& o) {
#else
std::unique_ptr<Model> make_attention_portable(const ModelFile& f, const AttentionOptions& o) {
#endif
  if (o.single) return std::make_unique<AttentionModel<float>>(f, o.fuse_last);
  return std::make_unique<AttentionModel<double>>(f, o.fuse_last);
}
template void AttentionModel<double>::project<0>(int, int);
template void AttentionModel<float>::project<0>(int, int);
#ifdef AF_ATT_HOST
template void AttentionModel<double>::project<32>(int, int);
template void AttentionModel<float>::project<32>(int, int);
#endif

}  // namespace af::nnip
