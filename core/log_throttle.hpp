// Says a repeated warning once per interval per kind, with the count of
// those held back since. A full disk fails every write: a line per failure
// buried the log (24,139 lines in 6 s) and cost a core. No clock: callers
// pass steady milliseconds.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/clock.hpp"

namespace arc {

class LogThrottle {
 public:
  explicit LogThrottle(millis interval_ms = 5'000) : interval_ms_(interval_ms) {}

  // An event of `kind` at `now`: nothing if it is to be held back, else how
  // many of its kind were held back since the last one said.
  std::optional<int> admit(const std::string& kind, int64_t now);

 private:
  struct Kind {
    std::optional<int64_t> said_at;
    int held_back = 0;
  };
  millis interval_ms_;
  std::map<std::string, Kind> kinds_;
};

// " (N more like it in the last S s)" for a count held back, else "".
std::string held_back_note(int held_back, millis interval_ms = 5'000);

}  // namespace arc
