// Transparent huge pages for the large per-edge work arrays of the neural potentials.
#pragma once
#include <cstddef>

namespace af {

// Asks the kernel to back the whole 2 MiB pages inside [p, p + bytes) with huge pages
// (madvise MADV_HUGEPAGE; Debian's default THP mode, "madvise", gives them only to
// regions that ask). Call before the memory is first touched. Does nothing where the
// call is unavailable or the range holds no whole huge page.
void advise_huge_pages(void* p, std::size_t bytes);

}  // namespace af
