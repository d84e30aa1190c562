// A POSIX HDF5 file driver that orders its writes so that a process killed at any
// instant leaves a file every reader opens, holding every frame it held at the last
// flush. HDF5's own sec2 driver writes the metadata of a flush before the superblock
// that records the file's new end: killed in between, the chunk index points past that
// end and readers fail with "addr overflow". Here raw data goes straight to the file,
// metadata waits in memory until the flush, and the flush writes (1) the file's length,
// (2) the superblock, (3) indexes and heaps, newest first, (4) object headers, whose
// dataset extents make a new frame visible only once all it refers to is in place.
#pragma once
#include <hdf5.h>

namespace af {

// A file-access property list using the ordered driver; the caller closes it.
hid_t ordered_file_access();

}  // namespace af
