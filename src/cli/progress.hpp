// Run progress on stderr: a live bar with ETA and atom-steps/s on a terminal, plain
// lines every 10% otherwise (logs stay readable).
#pragma once
#include <chrono>
#include <string>

namespace af {

class Progress {
 public:
  Progress(long total_steps, long natoms);
  void update(long steps_done);
  // Erases the bar (terminal only) so other output starts on a clean line.
  void clear();
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  void draw(long steps_done, bool final);
  long total_, natoms_;
  bool tty_;
  bool shown_ = false;
  long next_plain_ = 0;
  Clock::time_point start_, last_;
};

std::string format_duration(double seconds);

}  // namespace af
