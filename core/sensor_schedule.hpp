// When a sensor runs: its cadence across restarts, and its guard windows.
// Pure functions of the time; tests drive them with a simulated clock.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace arc {

struct SensorCadence {
  millis interval_ms = 300'000;
  millis jitter_ms = 0;         // each run is delayed by a stable pseudo-random 0..jitter
  millis startup_spread_ms = 30'000;  // first runs after a start are spread over this
};

// The first run after arcd (re)starts. A persisted next run in the future is
// kept: a restart does not re-fire a sensor before its time. One in the past
// (runs missed while arcd was down) means one catch-up run, not one per miss,
// spread by the sensor's name so sensors do not all fire in the same second.
millis first_run_after_start(const std::string& name, millis now, millis persisted_next,
                             const SensorCadence& c);

// The run after one that started at `ran_at`.
millis next_run_after(const std::string& name, millis ran_at, int64_t run_number, const SensorCadence& c);

// A window during which a sensor does not run.
struct GuardWindow {
  enum Kind { clock, dates, counter } kind = clock;
  int from_minute = 0, to_minute = 0;  // clock: minutes after midnight; to < from wraps midnight
  std::string zone = "UTC";            // clock and dates
  std::string from_date, to_date;      // dates: YYYY-MM-DD, inclusive
  std::vector<std::string> command;    // counter: prints a number
  int64_t counter_from = 0, counter_to = 0;  // counter: paused while from <= value <= to
};

struct GuardVerdict {
  bool paused = false;
  std::string why;     // e.g. "guard 22:00-06:00 America/Chicago"
  millis until = 0;    // when the window ends; 0 = unknown (re-checked at the next run)
  std::string error;   // a guard that could not be evaluated (bad zone, bad counter output)
};

// Clock and date windows. Counter windows need their command's output:
// pass it as counter_value (nullopt-like: has_counter=false skips them).
GuardVerdict check_guards(const std::vector<GuardWindow>& guards, millis now, bool has_counter = false,
                          int64_t counter_value = 0);

// "22:00" / "6:30" -> minutes after midnight, or -1.
int parse_clock_minutes(const std::string& text);

}  // namespace arc
