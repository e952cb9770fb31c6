#include "core/gate.hpp"

#include "core/reset_time.hpp"
#include "core/task.hpp"
#include "core/time_text.hpp"

namespace arc {
namespace {

GateChange move(GateState& g, const std::string& to, const std::string& why, millis now) {
  GateChange c;
  c.from = g.state;
  c.to = to;
  c.why = why;
  c.changed = g.state != to;
  if (c.changed && to == gate_state::running) c.stopped_for_ms = now - g.since;
  if (c.changed) g.since = now;
  g.state = to;
  return c;
}

}  // namespace

bool may_claim(const GateState& g) { return g.state == gate_state::running; }

std::string gate_word(const std::string& run_status, bool systemic, const std::string& task_status) {
  if (systemic) return outcome_systemic;
  if (run_status == failure::rate_limited) return run_status;
  if (task_status == status::completed || task_status == status::blocked) return status::completed;
  return run_status;
}

GateChange gate_on_outcome(GateState& g, const GateConfig& c, const std::string& status,
                           const std::string& stop_text, millis now) {
  if (status == failure::rate_limited) {
    // An operator's stop stays in force, with its own reason.
    if (g.state == gate_state::paused || g.state == gate_state::failures) return {};
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
    if (g.state == gate_state::rate_limited) {
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
    g.error_class = failure::rate_limited;
    return move(g, gate_state::rate_limited, why, now);
  }
  if (status == outcome_systemic) {
    // Not logged in, no credit, the executor missing: every task would fail
    // the same way. Stop at once; a person mends it and resets.
    if (g.state == gate_state::paused || g.state == gate_state::failures) return {};
    g.reason = sanitize_text(stop_text, 1000);
    g.error_class = "systemic";
    g.resume_at = 0;
    return move(g, gate_state::failures, g.reason, now);
  }
  if (status == status::completed) {
    g.consecutive_failures = 0;
    return {};
  }
  if (status == status::failed) {
    ++g.consecutive_failures;
    if (g.state == gate_state::running && c.failure_threshold > 0 &&
        g.consecutive_failures >= c.failure_threshold) {
      g.reason = std::to_string(g.consecutive_failures) +
                 " consecutive task failures; check the executor, then `arc dispatch reset`";
      g.error_class = "failures";
      g.resume_at = 0;
      return move(g, gate_state::failures, g.reason, now);
    }
  }
  return {};
}

GateChange gate_tick(GateState& g, millis now) {
  if (g.state != gate_state::rate_limited || now < g.resume_at) return {};
  g.reason.clear();
  g.error_class.clear();
  millis due = g.resume_at;
  g.resume_at = 0;
  return move(g, gate_state::running, "quota reset time " + format_iso_utc(due) + " reached: resumed automatically", now);
}

GateChange gate_pause(GateState& g, const std::string& reason, millis now) {
  if (g.state == gate_state::paused) return {};
  g.reason = reason.empty() ? "paused by operator" : reason;
  g.error_class = "manual";
  return move(g, gate_state::paused, g.reason, now);
}

GateChange gate_resume(GateState& g, const std::string& reason, millis now) {
  if (g.state == gate_state::running || g.state == gate_state::failures) return {};
  g.reason.clear();
  g.error_class.clear();
  g.resume_at = 0;
  return move(g, gate_state::running, reason.empty() ? "resumed by operator" : reason, now);
}

GateChange gate_reset(GateState& g, const std::string& reason, millis now) {
  g.consecutive_failures = 0;
  if (g.state == gate_state::running) return {};
  g.reason.clear();
  g.error_class.clear();
  g.resume_at = 0;
  return move(g, gate_state::running, reason.empty() ? "reset by operator" : reason, now);
}

}  // namespace arc
