#include "atomforge/src/cli/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace af {

std::string format_duration(double s) {
  char buf[64];
  if (s < 60) std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%dm%02ds", int(s) / 60, int(s) % 60);
  else std::snprintf(buf, sizeof buf, "%dh%02dm", int(s) / 3600, (int(s) % 3600) / 60);
  return buf;
}

Progress::Progress(long total_steps, long natoms)
    : total_(total_steps), natoms_(natoms), tty_(isatty(STDERR_FILENO)), start_(Clock::now()), last_(start_) {
  next_plain_ = total_ / 10;
}

void Progress::update(long done) {
  if (total_ <= 0) return;
  if (tty_) {
    const auto now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    draw(done, false);
  } else if (done >= next_plain_ && done < total_) {
    next_plain_ = done + std::max(1L, total_ / 10);
    draw(done, false);
  }
}

void Progress::draw(long done, bool final) {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const double rate = elapsed > 0 ? double(done) * natoms_ / elapsed : 0;
  const double eta = done > 0 ? elapsed * double(total_ - done) / double(done) : 0;
  const int pct = total_ ? int(100.0 * done / total_) : 100;
  if (tty_) {
    const int width = 30, fill = total_ ? int(double(width) * done / total_) : width;
    std::string bar(fill, '#');
    bar.resize(width, ' ');
    std::fprintf(stderr, "\r[%s] %3d%% step %ld/%ld  %.3g atom-steps/s  %s %s\033[K", bar.c_str(), pct, done, total_,
                 rate, final ? "took" : "ETA", format_duration(final ? elapsed : eta).c_str());
    if (final) std::fputc('\n', stderr);
    shown_ = !final;
  } else {
    std::fprintf(stderr, "progress: %d%% (step %ld of %ld), %.3g atom-steps/s, %s %s\n", pct, done, total_, rate,
                 final ? "took" : "ETA", format_duration(final ? elapsed : eta).c_str());
  }
  std::fflush(stderr);
}

void Progress::clear() {
  if (tty_ && shown_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    shown_ = false;
  }
}

void Progress::finish() {
  if (tty_ && total_ > 0) draw(total_, true);
}

}  // namespace af
