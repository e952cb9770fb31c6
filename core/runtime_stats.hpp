// What the running actor system tells the world outside it without a
// message: restarts per child (for /metrics) and the time of the last
// heartbeat the actors answered (for the systemd watchdog). Written by the
// supervisor and the heartbeat actor, read by arcd's main thread and the
// HTTP server; never blocks an actor for longer than a map update.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace arc {

class RuntimeStats {
 public:
  void count_restart(const std::string& child) {
    std::lock_guard<std::mutex> lock(mu_);
    ++restarts_[child];
  }
  std::map<std::string, int64_t> restarts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return restarts_;
  }
  // steady-clock milliseconds of the last answered heartbeat; 0 = none yet.
  std::atomic<int64_t> heartbeat_ms{0};

 private:
  mutable std::mutex mu_;
  std::map<std::string, int64_t> restarts_;
};

// Milliseconds on the steady clock (the heartbeat's time base).
inline int64_t steady_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace arc
