#include <Kokkos_Core.hpp>
#include <gtest/gtest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Quiets Kokkos 3.4's OMP_PROC_BIND warning, which would otherwise land in the test
  // list that CTest reads from this binary.
  setenv("OMP_PROC_BIND", "false", 0);
  Kokkos::ScopeGuard guard(argc, argv);
  return RUN_ALL_TESTS();
}
