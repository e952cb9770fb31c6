// What happens to a task when its run ends, is lost, or its time runs out:
// pure decisions, one per cause, each a Transition that storage/task_store
// writes in one place (TaskStore::apply) with its event. The rules of
// docs/executor-protocol.md's outcome table, from the task's side, and of
// docs/reliability.md's recovery promises live here and only here.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/executor_output.hpp"
#include "core/gate.hpp"

namespace arc {

struct Transition {
  TaskStatus from = TaskStatus::active;  // the status it must have (the write is skipped otherwise)
  TaskStatus to = TaskStatus::pending;    // its new status
  int attempt_delta = 0;       // -1: the run's attempt is given back (not the task's fault)
  millis retry_at = 0;         // pending again, but not before this (0: at once)
  std::optional<std::string> summary;        // nullopt: kept; "": cleared
  std::optional<FailureClass> failure_class;  // likewise
  std::string reason;          // the event's reason
  bool terminal() const { return is_terminal(to); }  // finished_at is set
};

// A run of an active task ended and its lease still holds. `attempts`
// counts this run; `now` is the wall clock. Completed; a rate limit or a
// systemic failure back to pending with the attempt given back (the gate
// stops dispatch); a retryable failure with attempts left back to pending
// after the retry backoff; anything else failed.
Transition after_run(const ExecOutcome& o, int attempts, int max_attempts, const RetryPolicy& retry, millis now);

// The delay before the retry that follows attempt `attempts` (1-based):
// base doubled per attempt after the first, capped (doubling_delay).
millis retry_delay(const RetryPolicy& retry, int attempts);

// Why a run was lost, for lost_run().
enum class LostRun {
  lease_expired,  // its runner stopped renewing (a hung or dead dispatcher, a worker cut off)
  arcd_died,      // found active under a dead arcd's lease at start-up
};

// An active task whose run was lost: pending again while attempts remain
// (the lost run spent one), else failed as orphaned.
Transition lost_run(LostRun why, bool attempts_left);

// A pending task whose expires_at passed before it could run.
Transition expired_unrun();

// A pending task found too old before the first claim after a gap of
// `gap_ms` (prepare_resume): the skill or source rule it is past, "" if none.
// A skill's max_age counts; else the longest matching source prefix's.
std::string past_max_age(const std::vector<std::string>& skills, const std::string& source, millis age,
                         const GateConfig& cfg);
// ... and what that does to it.
Transition expired_stale(const std::string& rule, millis age, millis gap_ms);

}  // namespace arc
