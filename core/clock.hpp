// The one time source of the runtime. Every component takes a Clock& so that
// tests can replay hours in milliseconds with SimClock. Times are unix
// milliseconds (UTC) everywhere: in memory, in messages and in the database.
#pragma once
#include <atomic>
#include <cstdint>

namespace arc {

using millis = int64_t;  // unix time in milliseconds, UTC

class Clock {
 public:
  virtual ~Clock() = default;
  virtual millis now_ms() const = 0;
};

// Wall clock (system_clock).
class SystemClock final : public Clock {
 public:
  millis now_ms() const override;
};

// A clock that only moves when a test says so. Thread-safe.
class SimClock final : public Clock {
 public:
  explicit SimClock(millis start) : now_(start) {}
  millis now_ms() const override { return now_.load(); }
  void set(millis t) { now_.store(t); }
  void advance(millis d) { now_.fetch_add(d); }

 private:
  std::atomic<millis> now_;
};

// Process-wide system clock instance for code without an injected clock.
Clock& system_clock();

}  // namespace arc
