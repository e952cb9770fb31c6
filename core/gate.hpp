// The dispatch gate as a pure state machine: running | paused (manual) |
// stopped_rate_limited (until T) | stopped_failures (N consecutive
// non-rate-limit failures; needs a manual reset). Storage persists it
// (storage/gate_store.hpp); the gate actor drives it with time.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/task_status.hpp"

namespace arc {

// Where the gate stands, as stored in gate.state.
enum class GateMode : uint8_t { running, paused, stopped_rate_limited, stopped_failures };
inline constexpr GateMode kAllGateModes[] = {GateMode::running, GateMode::paused, GateMode::stopped_rate_limited,
                                             GateMode::stopped_failures};
const char* to_string(GateMode m);
std::optional<GateMode> parse_gate_mode(std::string_view text);
std::ostream& operator<<(std::ostream& os, GateMode m);

// Why it stopped, as stored in gate.error_class ("" for none).
enum class GateCause : uint8_t { none, manual, rate_limited, failures, systemic };
const char* to_string(GateCause c);
GateCause parse_gate_cause(std::string_view text);  // text naming nothing known: none

// What the gate is asked to do (messages/payloads.hpp GateCommand).
enum class GateOp : uint8_t { tick, outcome, pause, resume, reset };
const char* to_string(GateOp op);

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
  GateMode state = GateMode::running;
  std::string reason;       // why it stopped (or the operator's words)
  GateCause error_class = GateCause::none;
  millis since = 0;         // when it entered this state
  millis resume_at = 0;     // stopped_rate_limited: automatic resume time (UTC)
  int consecutive_failures = 0;
};

// A transition, for the log, the gate_events table and the notify command.
struct GateChange {
  bool changed = false;
  GateMode from = GateMode::running, to = GateMode::running;
  std::string why;
  millis stopped_for_ms = 0;  // on a resume: how long dispatch was stopped
};

bool may_claim(const GateState& g);

// What the gate is told of a run whose result took its task to `task_status`:
// a limit or a systemic failure as it is; a task left completed or blocked
// (its agent's close stands whatever its process did after) a completion;
// anything else the run's own status.
RunOutcome gate_word(RunOutcome run, TaskStatus task_status);

// A task ended: rate_limited stops the gate until its reset time (or the
// fallback backoff, saying so); systemic stops it at once (stopped_failures,
// `stop_text` saying what to do); other failures count towards
// stopped_failures; a completion resets the count.
GateChange gate_on_outcome(GateState& g, const GateConfig& c, RunOutcome outcome,
                           const std::string& stop_text, millis now);
// Time passes: a rate-limit stop whose time has come resumes by itself.
GateChange gate_tick(GateState& g, millis now);
GateChange gate_pause(GateState& g, const std::string& reason, millis now);
GateChange gate_resume(GateState& g, const std::string& reason, millis now);  // paused or rate-limited
GateChange gate_reset(GateState& g, const std::string& reason, millis now);   // any stop, count cleared

}  // namespace arc
