#include "core/task_lifecycle.hpp"

#include "core/task.hpp"
#include "core/time_text.hpp"

namespace arc {

millis retry_delay(const RetryPolicy& retry, int attempts) {
  return doubling_delay(retry.base_ms, retry.max_ms, attempts);
}

Transition after_run(const ExecOutcome& o, int attempts, int max_attempts, const RetryPolicy& retry, millis now) {
  Transition t;
  t.from = TaskStatus::active;
  t.summary = o.summary;
  t.failure_class = o.failure_class;
  const std::string& why = o.stop_reason.empty() ? o.summary : o.stop_reason;
  const std::string cls = to_string(o.failure_class);
  if (o.rate_limited()) {
    t.to = TaskStatus::pending;
    t.attempt_delta = -1;  // not the task's failure: its attempt is not consumed
    // No delay of its own: the gate stops all dispatch until the reset.
    t.reason = "rate limited: " + why;
  } else if (o.systemic) {
    t.to = TaskStatus::pending;
    t.attempt_delta = -1;  // the executor could not work at all: the gate stops until a person acts
    t.reason = cls + ", not the task's fault; back to the queue, attempt not spent: " + sanitize_text(why, 300);
  } else if (o.completed()) {
    t.to = TaskStatus::completed;
    t.failure_class = FailureClass::none;
  } else if (o.retryable && attempts < max_attempts) {
    t.to = TaskStatus::pending;
    millis delay = retry_delay(retry, attempts);
    t.retry_at = now + delay;
    t.reason = cls + ", retry " + std::to_string(attempts + 1) + "/" + std::to_string(max_attempts) + " in " +
               std::to_string(delay / 1000) + " s: " + sanitize_text(o.summary, 200);
  } else {
    t.to = TaskStatus::failed;
    t.reason = cls + ": " + sanitize_text(o.summary, 200);
  }
  return t;
}

Transition lost_run(LostRun why, bool attempts_left) {
  Transition t;
  t.from = TaskStatus::active;
  bool died = why == LostRun::arcd_died;
  if (attempts_left) {
    t.to = TaskStatus::pending;
    t.reason = died ? "orphaned by a dead arcd; requeued" : "lease expired: requeued";
    return t;
  }
  t.to = TaskStatus::failed;
  t.failure_class = FailureClass::orphaned;
  t.summary = died ? "orphaned: arcd died while it ran and no attempts were left"
                   : "lease expired with no attempts left (its runner stopped reporting)";
  t.reason = died ? "orphaned by a dead arcd; no attempts left" : "lease expired: no attempts left (orphaned)";
  return t;
}

Transition expired_unrun() {
  Transition t;
  t.from = TaskStatus::pending;
  t.to = TaskStatus::expired;
  t.summary = "expired: its expires_at passed before it could run";
  t.reason = "expires_at passed before it ran";
  return t;
}

std::string past_max_age(const std::vector<std::string>& skills, const std::string& source, millis age,
                         const GateConfig& cfg) {
  std::string why;
  for (auto& skill : skills) {
    auto it = cfg.max_age_by_skill.find(skill);
    if (it != cfg.max_age_by_skill.end() && age > it->second) why = "skill " + skill + " max_age " + format_age(it->second);
  }
  if (!why.empty()) return why;
  const std::pair<const std::string, millis>* best = nullptr;
  for (auto& rule : cfg.max_age_by_source)
    if (!source.empty() && source.rfind(rule.first, 0) == 0 && (!best || rule.first.size() > best->first.size()))
      best = &rule;
  if (best && age > best->second) return "source " + best->first + "* max_age " + format_age(best->second);
  return "";
}

Transition expired_stale(const std::string& rule, millis age, millis gap_ms) {
  Transition t;
  t.from = TaskStatus::pending;
  t.to = TaskStatus::expired;
  t.reason = "stale after a " + format_age(gap_ms) + " gap: " + format_age(age) + " old, past its " + rule;
  t.summary = t.reason;
  return t;
}

}  // namespace arc
