#include "core/task_status.hpp"

#include <ostream>

#include "core/enum_text.hpp"

namespace arc {

const char* to_string(TaskStatus s) {
  switch (s) {
    case TaskStatus::pending: return "pending";
    case TaskStatus::active: return "active";
    case TaskStatus::completed: return "completed";
    case TaskStatus::failed: return "failed";
    case TaskStatus::blocked: return "blocked";
    case TaskStatus::expired: return "expired";
    case TaskStatus::cancelled: return "cancelled";
  }
  return "unknown";  // a value off the enum (a corrupt message): printed, never stored
}

std::optional<TaskStatus> parse_task_status(std::string_view text) { return from_text(text, kAllStatuses); }

std::string status_list() {
  std::string out;
  for (TaskStatus s : kAllStatuses) out += (out.empty() ? "" : ", ") + std::string(to_string(s));
  return out;
}

bool is_terminal(TaskStatus s) { return !is_open(s); }

namespace {
constexpr FailureClass kAllClasses[] = {
    FailureClass::timeout,       FailureClass::crashed,          FailureClass::task_failed,
    FailureClass::bad_output,    FailureClass::executor_error,   FailureClass::orphaned,
    FailureClass::rate_limited,  FailureClass::not_logged_in,    FailureClass::billing,
    FailureClass::startup_failed, FailureClass::executor_missing, FailureClass::closed_by_operator,
    FailureClass::blocked,       FailureClass::imported};
}  // namespace

const char* to_string(FailureClass c) {
  switch (c) {
    case FailureClass::none: return "";
    case FailureClass::timeout: return "timeout";
    case FailureClass::crashed: return "crashed";
    case FailureClass::task_failed: return "task_failed";
    case FailureClass::bad_output: return "bad_output";
    case FailureClass::executor_error: return "executor_error";
    case FailureClass::orphaned: return "orphaned";
    case FailureClass::rate_limited: return "rate_limited";
    case FailureClass::not_logged_in: return "not_logged_in";
    case FailureClass::billing: return "billing";
    case FailureClass::startup_failed: return "startup_failed";
    case FailureClass::executor_missing: return "executor_missing";
    case FailureClass::closed_by_operator: return "closed_by_operator";
    case FailureClass::blocked: return "blocked";
    case FailureClass::imported: return "imported";
    case FailureClass::unknown: return "unknown";
  }
  return "unknown";
}

FailureClass parse_failure_class(std::string_view text) {
  if (text.empty()) return FailureClass::none;
  return from_text(text, kAllClasses).value_or(FailureClass::unknown);
}

const char* to_string(RunOutcome o) {
  switch (o) {
    case RunOutcome::completed: return "completed";
    case RunOutcome::failed: return "failed";
    case RunOutcome::rate_limited: return "rate_limited";
    case RunOutcome::systemic: return "systemic";
  }
  return "unknown";
}

std::optional<RunOutcome> parse_run_outcome(std::string_view text) {
  return from_text(text, {RunOutcome::completed, RunOutcome::failed, RunOutcome::rate_limited, RunOutcome::systemic});
}

std::ostream& operator<<(std::ostream& os, TaskStatus s) { return os << to_string(s); }
std::ostream& operator<<(std::ostream& os, FailureClass c) { return os << to_string(c); }
std::ostream& operator<<(std::ostream& os, RunOutcome o) { return os << to_string(o); }

}  // namespace arc
