// A task's status and a failure's class, as the runtime decides with them.
// They are text only at the edges: where SQL stores them (tasks.status,
// tasks.failure_class, runs), where JSON, the CLI and /metrics print them,
// and where a person or an executor names them; each edge converts with the
// functions below and says what it got when the text names nothing known.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace arc {

enum class TaskStatus : uint8_t {
  pending,
  active,
  completed,
  failed,
  blocked,  // needs a person: never retried, requeued by hand
  expired,
  cancelled,
};

// Every status, in the order the CLI, the API and /metrics list them.
inline constexpr TaskStatus kAllStatuses[] = {TaskStatus::pending, TaskStatus::active,  TaskStatus::completed,
                                              TaskStatus::failed,  TaskStatus::blocked, TaskStatus::expired,
                                              TaskStatus::cancelled};

// As stored in tasks.status ("pending", ...).
const char* to_string(TaskStatus s);
// The status that text names, or nullopt.
std::optional<TaskStatus> parse_task_status(std::string_view text);
// "pending, active, ..." for messages.
std::string status_list();
// Closed: nothing runs it again unless a person requeues it.
bool is_terminal(TaskStatus s);
// Pending again, or running: not closed (finished_at is unset).
inline bool is_open(TaskStatus s) { return s == TaskStatus::pending || s == TaskStatus::active; }

// Why a run or a task failed. none: it did not.
enum class FailureClass : uint8_t {
  none,
  timeout,         // killed at its timeout
  crashed,         // non-zero exit / signal, no verdict
  task_failed,     // the executor (or the agent closing its task) said failed
  bad_output,      // a result line not understood
  executor_error,  // could not start / no skill
  orphaned,        // its runtime died or its lease ran out, attempts used up
  rate_limited,    // the provider's quota; the gate stops until its reset
  // Systemic (ExecOutcome::systemic): Claude Code cannot work until a person acts.
  not_logged_in,
  billing,
  startup_failed,
  executor_missing,
  // Written by a person or an import, not by a run.
  closed_by_operator,
  blocked,
  imported,
  unknown,  // stored text this version does not know
};

// As stored in failure_class columns; "" for none.
const char* to_string(FailureClass c);
// "" (or SQL NULL read as "") is none; text naming no class is unknown.
FailureClass parse_failure_class(std::string_view text);

// How a run ended, as the gate counts it and runs.outcome stores it.
enum class RunOutcome : uint8_t {
  completed,
  failed,
  rate_limited,  // the provider's quota: the gate stops until its reset
  systemic,      // not the task's fault and not passing by itself: the gate stops
};
const char* to_string(RunOutcome o);
std::optional<RunOutcome> parse_run_outcome(std::string_view text);

// Prints the stored name (for tests' failure messages and logs).
std::ostream& operator<<(std::ostream& os, TaskStatus s);
std::ostream& operator<<(std::ostream& os, FailureClass c);
std::ostream& operator<<(std::ostream& os, RunOutcome o);

}  // namespace arc
