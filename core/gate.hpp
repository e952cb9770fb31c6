// The dispatch gate as a pure state machine: running | paused (manual) |
// stopped_rate_limited (until T) | stopped_failures (N consecutive
// non-rate-limit failures; needs a manual reset). Storage persists it
// (storage/gate_store.hpp); the gate actor drives it with time.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace arc {

namespace gate_state {
inline constexpr const char* running = "running";
inline constexpr const char* paused = "paused";
inline constexpr const char* rate_limited = "stopped_rate_limited";
inline constexpr const char* failures = "stopped_failures";
}  // namespace gate_state

struct GateConfig {
  int failure_threshold = 3;             // consecutive non-rate-limit failures that stop dispatch
  millis resume_margin_ms = 10'000;      // resume this long after the announced reset
  millis fallback_backoff_ms = 3'600'000;  // when the reset time cannot be read
  std::string default_zone = "UTC";      // for "resets 3am" without a zone
  millis long_gap_ms = 30 * 60'000;      // a stop or downtime this long triggers resume preparation
  std::vector<std::string> notify;       // argv run on every stop and resume (never blocks)
  // Resume preparation after a long gap: pending tasks older than these
  // (by skill, by source prefix) are expired instead of run stale.
  std::map<std::string, millis> max_age_by_skill;
  std::map<std::string, millis> max_age_by_source;
};

struct GateState {
  std::string state = gate_state::running;
  std::string reason;       // why it stopped (or the operator's words)
  std::string error_class;  // rate_limited | failures | manual
  millis since = 0;         // when it entered this state
  millis resume_at = 0;     // stopped_rate_limited: automatic resume time (UTC)
  int consecutive_failures = 0;
};

// A transition, for the log, the gate_events table and the notify command.
struct GateChange {
  bool changed = false;
  std::string from, to, why;
  millis stopped_for_ms = 0;  // on a resume: how long dispatch was stopped
};

bool may_claim(const GateState& g);

// The outcome word for a run that failed for a reason not its task's
// (ExecOutcome::systemic).
inline constexpr const char* outcome_systemic = "systemic";

// What the gate is told of a run whose result took its task to `task_status`:
// a limit or a systemic failure as it is; a task left completed or blocked
// (its agent's close stands whatever its process did after) a completion;
// anything else the run's own status.
std::string gate_word(const std::string& run_status, bool systemic, const std::string& task_status);

// A task ended: rate_limited stops the gate until its reset time (or the
// fallback backoff, saying so); systemic stops it at once (stopped_failures,
// `stop_text` saying what to do); other failures count towards
// stopped_failures; a completion resets the count.
GateChange gate_on_outcome(GateState& g, const GateConfig& c, const std::string& status,
                           const std::string& stop_text, millis now);
// Time passes: a rate-limit stop whose time has come resumes by itself.
GateChange gate_tick(GateState& g, millis now);
GateChange gate_pause(GateState& g, const std::string& reason, millis now);
GateChange gate_resume(GateState& g, const std::string& reason, millis now);  // paused or rate-limited
GateChange gate_reset(GateState& g, const std::string& reason, millis now);   // any stop, count cleared

}  // namespace arc
