// The plain structs that messages carry between actors: no CAF, no SQLite.
// storage/ fills and reads them (its stores return them), the actors pass
// them on, and messages/messages.hpp makes them CAF message types (inspect).
// Structs that are whole domain values (Task, TaskSpec, ExecOutcome,
// GateState, TraceCtx, PromptContext) stay in core/ beside their logic.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/executor_launch.hpp"  // RunInfo
#include "core/executor_output.hpp"  // ExecOutcome
#include "core/gate.hpp"             // GateState, GateChange
#include "core/task.hpp"
#include "core/trace_event.hpp"      // TraceCtx

namespace arc {

// ---- tasks ---------------------------------------------------------------

struct CreateResult {
  int64_t id = 0;
  bool created = false;  // false: a pending/active task with this source exists; id is it
};

// What the dispatcher learned from running a task.
struct TaskOutcome {
  int64_t id = 0;
  std::string owner;    // the lease owner that ran it; checked (fencing)
  ExecOutcome result;   // status, failure class, summary, cost, tokens
  int64_t duration_ms = 0;
  int64_t epoch = 0;    // the claim's lease_epoch; checked too (0: the owner only)
  RunInfo run;
};

// What became of one run's result (TaskStore::finish, record_outcome).
struct FinishResult {
  enum class Kind : uint8_t {
    recorded,      // `status` is the task's status after it
    lease_lost,    // the run's lease was gone: refused, kept only in the task's history
    not_recorded,  // a storage error (`error` says which): nothing written, send it again
  };
  Kind kind = Kind::not_recorded;
  TaskStatus status = TaskStatus::pending;
  std::string error;

  static FinishResult recorded_as(TaskStatus s) { return {Kind::recorded, s, {}}; }
  static FinishResult refused() { return {Kind::lease_lost, TaskStatus::pending, {}}; }
  static FinishResult failed(std::string why) { return {Kind::not_recorded, TaskStatus::pending, std::move(why)}; }
  bool recorded() const { return kind == Kind::recorded; }
  // Not recorded, or a kind off the enum (a corrupt answer): send it again.
  bool to_retry() const { return kind != Kind::recorded && kind != Kind::lease_lost; }
};
// "completed", "lease lost", "not recorded: <why>": for logs and traces.
inline std::string describe(const FinishResult& r) {
  switch (r.kind) {
    case FinishResult::Kind::recorded: return to_string(r.status);
    case FinishResult::Kind::lease_lost: return "lease lost";
    case FinishResult::Kind::not_recorded: break;
  }
  return "not recorded: " + r.error;
}

// The answer to a batch of outcomes with the next claim
// (storage/dispatch_ops.hpp finish_and_claim).
struct FinishAndClaim {
  std::vector<FinishResult> results;  // one per outcome, in order
  std::vector<Task> claimed;          // up to `max`, as TaskStore::claim
  std::string claim_error;            // "" or why the claim failed (undone; the results stand)
  bool gate_open = true;              // the gate row after the outcomes: may claimed-ahead tasks start
};

// A finished executor run, sent by a runner thread to the dispatcher.
struct ExecDone {
  int64_t task_id = 0;
  bool cancelled = false;  // stopped by us (shutdown or lost lease), not by itself
  millis duration_ms = 0;
  ExecOutcome outcome;
  TraceCtx trace;  // the run's exec.start event
  RunInfo run;     // how it was run (executor, model, skills), for its row in `runs`
};

// ---- the gate (storage/gate_store.hpp apply_gate) -------------------------

struct GateCommand {
  GateOp op = GateOp::tick;
  RunOutcome outcome = RunOutcome::completed;  // op outcome: how the run ended (gate_word)
  std::string text;  // outcome: stop reason / summary; pause/resume/reset: the reason
};

struct GateResult {
  GateState state;
  GateChange change;
  int expired = 0;          // pending tasks expired by resume preparation
};

// ---- triage (storage/triage.hpp run_triage) -------------------------------

struct TriageReport {
  int scanned = 0;             // failures looked at
  int tagged = 0;              // put into an outage incident
  int classified = 0;          // given a pattern
  int incidents_opened = 0;
  int incidents_closed = 0;
  int investigations = 0;      // tasks created
  bool more = false;           // a chunk limit was hit: scan again at once
};

// ---- sensors (storage/sensor_store.hpp) -----------------------------------

struct SensorRow {
  std::string name;
  millis last_run_at = 0;
  millis next_run_at = 0;
  std::string last_result;
  int64_t streak = 0;        // failures in a row
  int64_t runs = 0;
  int64_t failures = 0;
  int64_t deduplicated = 0;  // tasks not created because one was open under their source
  millis paused_until = 0;
  std::string paused_reason;
};

// A finished run, as the sensor actor reports it.
struct SensorRun {
  std::string name;
  std::string kind;            // script | health | stale-tasks | guard (skipped) | schedule (planned)
  bool ok = true;              // exit 0, no timeout
  std::string result;          // one line for `arc sensors list`
  std::vector<TaskSpec> specs; // script: the tasks it printed
  int malformed = 0;           // lines skipped
  millis next_run_at = 0;
  millis paused_until = 0;     // guard: the window's end (0 = not paused by a guard)
  int failure_threshold = 3;
  // health thresholds
  millis gate_stopped_alert_ms = 0;
  int queue_depth_alert = 0;
  int disk_free_percent_alert = 0;
};

struct SensorRunSummary {
  int created = 0;
  int deduplicated = 0;
  int expired = 0;  // stale-tasks
  int64_t streak = 0;
  std::vector<int64_t> created_ids;  // for the trace
};

// ---- cluster nodes (storage/node_store.hpp) -------------------------------

struct NodeRow {
  std::string name;
  std::string role;     // hub | worker
  std::string address;  // as the node reports it (host:pid, or the hub's listen address)
  int slots = 0;
  std::string state;    // connected | lost | stopped
  millis connected_at = 0;
  millis last_heartbeat = 0;
  std::string detail;   // why lost, the version, ...
  int running = 0;      // read only: its active tasks in the tasks table
};

}  // namespace arc
