#include "core/log_throttle.hpp"

namespace arc {

std::optional<int> LogThrottle::admit(const std::string& kind, int64_t now) {
  Kind& k = kinds_[kind];
  if (k.said_at && now - *k.said_at < interval_ms_) {
    ++k.held_back;
    return std::nullopt;
  }
  int held = k.held_back;
  k.said_at = now;
  k.held_back = 0;
  return held;
}

std::string held_back_note(int held_back, millis interval_ms) {
  if (held_back <= 0) return "";
  return " (" + std::to_string(held_back) + " more like it in the last " + std::to_string(interval_ms / 1000) + " s)";
}

}  // namespace arc
