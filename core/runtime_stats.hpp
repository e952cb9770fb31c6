// What the running actor system tells the world outside it without a
// message: restarts per child (for /metrics), the time of the last
// heartbeat the actors answered (for the systemd watchdog) and a storage
// fault that holds dispatch (for /api/gate and /metrics). Written by the
// supervisor, the heartbeat and the persistence actor, read by arcd's main
// thread and the HTTP server; never blocks an actor for longer than a copy.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/storage_health.hpp"

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

  // The persistence actor's storage health, kept here so that it outlives
  // a restart of the actor (an I/O error restarts it with a fresh
  // connection: its first failure must still count toward the second).
  void set_storage_health(const StorageHealth& h) {
    std::lock_guard<std::mutex> lock(mu_);
    storage_ = h;
  }
  StorageHealth storage_health() const {
    std::lock_guard<std::mutex> lock(mu_);
    return storage_;
  }
  // The storage fault being told, or none (/api/gate, /metrics).
  std::optional<StorageFault> storage_fault() const {
    std::lock_guard<std::mutex> lock(mu_);
    return storage_.told_fault();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, int64_t> restarts_;
  StorageHealth storage_;
};

// Milliseconds on the steady clock (the heartbeat's time base).
inline int64_t steady_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace arc
