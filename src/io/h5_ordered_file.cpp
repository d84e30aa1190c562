#include "atomforge/src/io/h5_ordered_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <type_traits>
#include <vector>

namespace af {

namespace {

struct Pending {
  haddr_t addr;
  H5FD_mem_t type;
  std::vector<unsigned char> bytes;
};

struct State {
  int fd = -1;
  haddr_t eoa = 0, eof = 0;  // eof: the file's length once every pending write lands
  // Byte ranges that hold something written (start -> end, merged): a pending block
  // outside them is new, and nothing on disk can refer to it yet.
  std::map<haddr_t, haddr_t> written;
  dev_t device = 0;
  ino_t inode = 0;
  std::vector<Pending> pending;  // metadata, in the order HDF5 wrote it; never overlapping
};

// What HDF5 holds: its public part first, so the two pointers convert (standard layout).
struct OrderedFile {
  H5FD_t pub;
  State* state;
};
static_assert(std::is_standard_layout<OrderedFile>::value, "H5FD_t* must convert to OrderedFile*");

State* of(H5FD_t* f) { return reinterpret_cast<OrderedFile*>(f)->state; }
const State* of(const H5FD_t* f) { return reinterpret_cast<const OrderedFile*>(f)->state; }

// HDF5 calls these through C: nothing may throw through it (allocation failures included).
template <class F>
herr_t guarded(F&& f) {
  try {
    return f() ? 0 : -1;
  } catch (...) {
    return -1;
  }
}

bool write_all(int fd, haddr_t addr, const unsigned char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(addr));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w, n -= static_cast<size_t>(w), addr += static_cast<haddr_t>(w);
  }
  return true;
}

bool write_all_v(int fd, haddr_t addr, std::vector<iovec>& v) {
  if (v.size() == 1) return write_all(fd, addr, static_cast<const unsigned char*>(v[0].iov_base), v[0].iov_len);
  size_t total = 0;
  for (const iovec& e : v) total += e.iov_len;
  const ssize_t w = ::pwritev(fd, v.data(), static_cast<int>(v.size()), static_cast<off_t>(addr));
  if (w == static_cast<ssize_t>(total)) return true;
  // Short or interrupted: finish block by block.
  for (const iovec& e : v) {
    if (!write_all(fd, addr, static_cast<const unsigned char*>(e.iov_base), e.iov_len)) return false;
    addr += e.iov_len;
  }
  return true;
}

bool read_all(int fd, haddr_t addr, unsigned char* p, size_t n) {
  while (n > 0) {
    const ssize_t r = ::pread(fd, p, n, static_cast<off_t>(addr));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return false;
    if (r == 0) {  // past the end: zeros, as sec2 gives
      std::memset(p, 0, n);
      return true;
    }
    p += r, n -= static_cast<size_t>(r), addr += static_cast<haddr_t>(r);
  }
  return true;
}

bool overlaps_written(const State* f, haddr_t lo, haddr_t hi);
void mark_written(State* f, haddr_t lo, haddr_t hi);

// The safe order: the file's length (so the superblock never claims more than the file
// holds), the superblock, blocks in space allocated since the last flush (nothing on
// disk refers to them yet), then changes to older blocks that may refer to new ones:
// heaps, indexes (higher addresses first: a split's new node before the parent that
// points at it), object headers last (dataset extents: a frame appears once all it
// refers to is in place). Held blocks never overlap (write_block), so no order among
// them can put older bytes over newer ones.
bool drain(State* f) {
  if (f->pending.empty()) return true;
  struct stat st;
  if (::fstat(f->fd, &st) != 0) return false;
  const haddr_t end = std::max(f->eoa, f->eof);
  if (static_cast<haddr_t>(st.st_size) < end && ::ftruncate(f->fd, static_cast<off_t>(end)) != 0) return false;
  f->eof = std::max(f->eof, end);
  std::vector<int> ranks(f->pending.size());
  for (size_t k = 0; k < ranks.size(); ++k) {
    const Pending& p = f->pending[k];
    ranks[k] = p.type == H5FD_MEM_SUPER                                    ? 0
               : !overlaps_written(f, p.addr, p.addr + p.bytes.size()) ? 1
               : p.type == H5FD_MEM_OHDR                               ? 4
               : p.type == H5FD_MEM_BTREE                              ? 3
                                                                       : 2;
  }
  std::vector<size_t> order(ranks.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (ranks[a] != ranks[b]) return ranks[a] < ranks[b];
    const haddr_t x = f->pending[a].addr, y = f->pending[b].addr;
    return ranks[a] >= 3 ? x > y : x < y;
  });
  // Adjacent new blocks and heaps go out in one system call (their order does not
  // matter); indexes and object headers one by one, as a kill can cut a long write short.
  std::vector<iovec> run;
  for (size_t i = 0; i < order.size();) {
    size_t j = i + 1;
    haddr_t lo = f->pending[order[i]].addr, hi = lo + f->pending[order[i]].bytes.size();
    const bool one_by_one = ranks[order[i]] >= 3;
    for (; !one_by_one && j < order.size() && ranks[order[j]] == ranks[order[i]]; ++j) {
      const Pending& q = f->pending[order[j]];
      if (q.addr != hi) break;
      hi += q.bytes.size();
    }
    run.clear();
    for (size_t k = i; k < j; ++k) {
      const Pending& p = f->pending[order[k]];
      run.push_back(iovec{const_cast<unsigned char*>(p.bytes.data()), p.bytes.size()});
    }
    if (!write_all_v(f->fd, lo, run)) return false;
    i = j;
  }
  for (const Pending& p : f->pending) mark_written(f, p.addr, p.addr + p.bytes.size());
  f->pending.clear();
  return true;
}

bool overlaps_written(const State* f, haddr_t lo, haddr_t hi) {
  auto it = f->written.upper_bound(lo);  // first range starting after lo
  if (it != f->written.begin() && std::prev(it)->second > lo) return true;
  return it != f->written.end() && it->first < hi;
}

void mark_written(State* f, haddr_t lo, haddr_t hi) {
  auto it = f->written.upper_bound(lo);
  if (it != f->written.begin() && std::prev(it)->second >= lo) {
    --it;
    lo = it->first;
    hi = std::max(hi, it->second);
    it = f->written.erase(it);
  }
  while (it != f->written.end() && it->first <= hi) {
    hi = std::max(hi, it->second);
    it = f->written.erase(it);
  }
  f->written.emplace(lo, hi);
}

bool overlaps(const Pending& p, haddr_t addr, size_t size) {
  return p.addr < addr + size && addr < p.addr + p.bytes.size();
}

H5FD_t* open_file(const char* name, unsigned flags, hid_t, haddr_t) {
  int o = (flags & H5F_ACC_RDWR) ? O_RDWR : O_RDONLY;
  if (flags & H5F_ACC_TRUNC) o |= O_TRUNC;
  if (flags & H5F_ACC_CREAT) o |= O_CREAT;
  if (flags & H5F_ACC_EXCL) o |= O_EXCL;
  const int fd = ::open(name, o, 0666);
  if (fd < 0) return nullptr;
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return nullptr;
  }
  auto* f = new (std::nothrow) State();
  auto* file = f ? new (std::nothrow) OrderedFile() : nullptr;
  if (!file) {
    delete f;
    ::close(fd);
    return nullptr;
  }
  file->state = f;
  f->fd = fd;
  f->eof = static_cast<haddr_t>(st.st_size);
  if (f->eof > 0) f->written[0] = f->eof;
  f->device = st.st_dev;
  f->inode = st.st_ino;
  return &file->pub;
}

herr_t close_file(H5FD_t* file) {
  State* f = of(file);
  bool ok = false;
  try {
    ok = drain(f);
  } catch (...) {
  }
  ok = ::close(f->fd) == 0 && ok;
  delete f;
  delete reinterpret_cast<OrderedFile*>(file);
  return ok ? 0 : -1;
}

int compare(const H5FD_t* a, const H5FD_t* b) {
  const State *x = of(a), *y = of(b);
  if (x->device != y->device) return x->device < y->device ? -1 : 1;
  if (x->inode != y->inode) return x->inode < y->inode ? -1 : 1;
  return 0;
}

// No metadata accumulation: each write keeps its type, which the order depends on.
herr_t query(const H5FD_t*, unsigned long* flags) {
  *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_DATA_SIEVE | H5FD_FEAT_AGGREGATE_SMALLDATA |
           H5FD_FEAT_POSIX_COMPAT_HANDLE;
  return 0;
}

haddr_t get_eoa(const H5FD_t* file, H5FD_mem_t) { return of(file)->eoa; }
herr_t set_eoa(H5FD_t* file, H5FD_mem_t, haddr_t addr) {
  of(file)->eoa = addr;
  return 0;
}
haddr_t get_eof(const H5FD_t* file, H5FD_mem_t) { return of(file)->eof; }

herr_t get_handle(H5FD_t* file, hid_t, void** handle) {
  *handle = &of(file)->fd;
  return 0;
}

herr_t read_block(H5FD_t* file, H5FD_mem_t, hid_t, haddr_t addr, size_t size, void* buf) {
  State* f = of(file);
  auto* out = static_cast<unsigned char*>(buf);
  if (!read_all(f->fd, addr, out, size)) return -1;
  for (const Pending& p : f->pending) {  // written but held back
    if (!overlaps(p, addr, size)) continue;
    const haddr_t lo = std::max(addr, p.addr), hi = std::min<haddr_t>(addr + size, p.addr + p.bytes.size());
    std::memcpy(out + (lo - addr), p.bytes.data() + (lo - p.addr), hi - lo);
  }
  return 0;
}

herr_t write_block(H5FD_t* file, H5FD_mem_t type, hid_t, haddr_t addr, size_t size, const void* buf) {
  State* f = of(file);
  const auto* in = static_cast<const unsigned char*>(buf);
  return guarded([&] {
    f->eof = std::max<haddr_t>(f->eof, addr + size);
    // Held blocks never overlap, so their order cannot matter: a write that covers part
    // of one (space refilled before the flush), or raw data over metadata, first sends
    // everything held to the file in the safe order.
    for (Pending& p : f->pending) {
      if (!overlaps(p, addr, size)) continue;
      if (type != H5FD_MEM_DRAW && p.addr == addr && p.bytes.size() == size && p.type == type) {
        std::memcpy(p.bytes.data(), in, size);  // the same block again: the newest bytes
        return true;
      }
      if (!drain(f)) return false;
      break;
    }
    if (type == H5FD_MEM_DRAW) {
      if (!write_all(f->fd, addr, in, size)) return false;
      mark_written(f, addr, addr + size);
      return true;
    }
    f->pending.push_back(Pending{addr, type, std::vector<unsigned char>(in, in + size)});
    return true;
  });
}

herr_t flush(H5FD_t* file, hid_t, hbool_t) {
  return guarded([&] { return drain(of(file)); });
}

herr_t truncate(H5FD_t* file, hid_t, hbool_t) {
  State* f = of(file);
  return guarded([&] {
    if (!drain(f)) return false;
    if (f->eoa != f->eof) {
      if (::ftruncate(f->fd, static_cast<off_t>(f->eoa)) != 0) return false;
      f->eof = f->eoa;
    }
    return true;
  });
}

H5FD_class_t make_class() {
  H5FD_class_t c;
  std::memset(&c, 0, sizeof c);
#if H5_VERSION_GE(1, 13, 2)
  c.version = H5FD_CLASS_VERSION;
  c.value = static_cast<H5FD_class_value_t>(761);  // unregistered range (>= 256)
#endif
  c.name = "atomforge_ordered";
  c.maxaddr = static_cast<haddr_t>(INT64_MAX);
  c.fc_degree = H5F_CLOSE_WEAK;
  c.open = open_file;
  c.close = close_file;
  c.cmp = compare;
  c.query = query;
  c.get_eoa = get_eoa;
  c.set_eoa = set_eoa;
  c.get_eof = get_eof;
  c.get_handle = get_handle;
  c.read = read_block;
  c.write = write_block;
  c.flush = flush;
  c.truncate = truncate;
  const H5FD_mem_t map[H5FD_MEM_NTYPES] = H5FD_FLMAP_DICHOTOMY;
  std::copy(map, map + H5FD_MEM_NTYPES, c.fl_map);
  return c;
}

}  // namespace

hid_t ordered_file_access() {
  static const H5FD_class_t cls = make_class();
  static hid_t driver = -1;
  static std::mutex m;
  std::lock_guard<std::mutex> lock(m);
  if (driver < 0 || H5Iis_valid(driver) <= 0) driver = H5FDregister(&cls);
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (driver < 0 || fapl < 0 || H5Pset_driver(fapl, driver, nullptr) < 0) {
    if (fapl >= 0) H5Pclose(fapl);
    return -1;
  }
  return fapl;
}

}  // namespace af
