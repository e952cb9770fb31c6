#include "core/gate.hpp"

#include <ostream>

#include "core/enum_text.hpp"
#include "core/reset_time.hpp"
#include "core/task.hpp"
#include "core/time_text.hpp"

namespace arc {
namespace {

GateChange move(GateState& g, GateMode to, const std::string& why, millis now) {
  GateChange c;
  c.from = g.state;
  c.to = to;
  c.why = why;
  c.changed = g.state != to;
  if (c.changed && to == GateMode::running) c.stopped_for_ms = now - g.since;
  if (c.changed) g.since = now;
  g.state = to;
  return c;
}

}  // namespace

const char* to_string(GateMode m) {
  switch (m) {
    case GateMode::running: return "running";
    case GateMode::paused: return "paused";
    case GateMode::stopped_rate_limited: return "stopped_rate_limited";
    case GateMode::stopped_failures: return "stopped_failures";
  }
  return "unknown";
}

std::optional<GateMode> parse_gate_mode(std::string_view text) {
  return from_text(text, kAllGateModes);
}

const char* to_string(GateCause c) {
  switch (c) {
    case GateCause::none: return "";
    case GateCause::manual: return "manual";
    case GateCause::rate_limited: return "rate_limited";
    case GateCause::failures: return "failures";
    case GateCause::systemic: return "systemic";
  }
  return "";
}

GateCause parse_gate_cause(std::string_view text) {
  return from_text(text, {GateCause::manual, GateCause::rate_limited, GateCause::failures, GateCause::systemic})
      .value_or(GateCause::none);
}

const char* to_string(GateOp op) {
  switch (op) {
    case GateOp::tick: return "tick";
    case GateOp::outcome: return "outcome";
    case GateOp::pause: return "pause";
    case GateOp::resume: return "resume";
    case GateOp::reset: return "reset";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& os, GateMode m) { return os << to_string(m); }

bool may_claim(const GateState& g) { return g.state == GateMode::running; }

RunOutcome gate_word(RunOutcome run, TaskStatus task_status) {
  if (run == RunOutcome::systemic || run == RunOutcome::rate_limited) return run;
  if (task_status == TaskStatus::completed || task_status == TaskStatus::blocked) return RunOutcome::completed;
  return run;
}

GateChange gate_on_outcome(GateState& g, const GateConfig& c, RunOutcome outcome,
                           const std::string& stop_text, millis now) {
  if (outcome == RunOutcome::rate_limited) {
    // An operator's stop stays in force, with its own reason.
    if (g.state == GateMode::paused || g.state == GateMode::stopped_failures) return {};
    ResetTime rt = parse_reset_time(stop_text, now, c.default_zone);
    millis resume_at;
    std::string why;
    if (rt.ok) {
      resume_at = rt.at + c.resume_margin_ms;
      why = "rate limited: \"" + rt.matched + "\"; resumes by itself at " + format_iso_utc(resume_at);
    } else {
      resume_at = now + c.fallback_backoff_ms;
      why = "rate limited, reset time not understood (" + rt.error + "); retrying after the fallback "
            "backoff at " + format_iso_utc(resume_at) + "; stop reason: " + sanitize_text(stop_text, 300);
    }
    if (g.state == GateMode::stopped_rate_limited) {
      // Already stopped (another slot hit the limit too): keep the later time.
      if (resume_at > g.resume_at) {
        g.resume_at = resume_at;
        g.reason = why;
      }
      GateChange ch;
      ch.from = ch.to = g.state;
      ch.why = why;
      return ch;
    }
    g.resume_at = resume_at;
    g.reason = why;
    g.error_class = GateCause::rate_limited;
    return move(g, GateMode::stopped_rate_limited, why, now);
  }
  if (outcome == RunOutcome::systemic) {
    // Not logged in, no credit, the executor missing: every task would fail
    // the same way. Stop at once; a person mends it and resets.
    if (g.state == GateMode::paused || g.state == GateMode::stopped_failures) return {};
    g.reason = sanitize_text(stop_text, 1000);
    g.error_class = GateCause::systemic;
    g.resume_at = 0;
    return move(g, GateMode::stopped_failures, g.reason, now);
  }
  if (outcome == RunOutcome::completed) {
    g.consecutive_failures = 0;
    return {};
  }
  if (outcome == RunOutcome::failed) {
    ++g.consecutive_failures;
    if (g.state == GateMode::running && c.failure_threshold > 0 &&
        g.consecutive_failures >= c.failure_threshold) {
      g.reason = std::to_string(g.consecutive_failures) +
                 " consecutive task failures; check the executor, then `arc dispatch reset`";
      g.error_class = GateCause::failures;
      g.resume_at = 0;
      return move(g, GateMode::stopped_failures, g.reason, now);
    }
  }
  return {};
}

GateChange gate_tick(GateState& g, millis now) {
  if (g.state != GateMode::stopped_rate_limited || now < g.resume_at) return {};
  g.reason.clear();
  g.error_class = GateCause::none;
  millis due = g.resume_at;
  g.resume_at = 0;
  return move(g, GateMode::running, "quota reset time " + format_iso_utc(due) + " reached: resumed automatically", now);
}

GateChange gate_pause(GateState& g, const std::string& reason, millis now) {
  if (g.state == GateMode::paused) return {};
  g.reason = reason.empty() ? "paused by operator" : reason;
  g.error_class = GateCause::manual;
  return move(g, GateMode::paused, g.reason, now);
}

GateChange gate_resume(GateState& g, const std::string& reason, millis now) {
  if (g.state == GateMode::running || g.state == GateMode::stopped_failures) return {};
  g.reason.clear();
  g.error_class = GateCause::none;
  g.resume_at = 0;
  return move(g, GateMode::running, reason.empty() ? "resumed by operator" : reason, now);
}

GateChange gate_reset(GateState& g, const std::string& reason, millis now) {
  g.consecutive_failures = 0;
  if (g.state == GateMode::running) return {};
  g.reason.clear();
  g.error_class = GateCause::none;
  g.resume_at = 0;
  return move(g, GateMode::running, reason.empty() ? "reset by operator" : reason, now);
}

}  // namespace arc
