// Named IANA time zones (the system's tzdata, through date/tz.h) for the
// parts of arc that speak local time: the reset parser, sensor guard
// windows, the agent's clock in its prompt, the budget's day and the
// night window. Unknown names are reported (nullptr / nullopt), never thrown.
#pragma once
#include <optional>
#include <string>

#include "core/clock.hpp"

namespace date {
class time_zone;
}

namespace arc {

// The zone of that name, or nullptr. "UTC", "GMT" and "Z" (any case) are UTC.
const date::time_zone* locate_time_zone(const std::string& name);

// A wall-clock reading in a zone.
struct LocalClock {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int weekday = 0;     // 0 = Sunday
  std::string abbrev;  // "MST", "CEST", "UTC"
  millis day_start = 0;  // the instant this local day began
};

// nullopt when `zone` is not a known zone.
std::optional<LocalClock> local_clock(millis t, const std::string& zone);

// "2026-08-19 15:43:10 MDT"
std::string format_local(const LocalClock& c);

}  // namespace arc
