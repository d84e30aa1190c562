// Starts Kokkos with a thread count (<= 0: its default) on Kokkos 3.4 (InitArguments)
// and 4.x (InitializationSettings); for the clients that own Kokkos (CLI, Python).
#pragma once
#include <Kokkos_Core.hpp>

#include <cstdlib>

namespace af {

inline void initialize_kokkos(int threads) {
  setenv("OMP_PROC_BIND", "false", 0);  // unless set: no warning about the variable being unset
#if KOKKOS_VERSION >= 40000
  Kokkos::InitializationSettings s;
  if (threads > 0) s.set_num_threads(threads);
  Kokkos::initialize(s);
#else
  Kokkos::InitArguments a;
  a.num_threads = threads > 0 ? threads : -1;
  Kokkos::initialize(a);
#endif
}

}  // namespace af
