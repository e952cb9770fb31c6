// The dispatcher's composite writes: each runs inside one transaction (the
// persistence actor's batch, or in_transaction), so that what they change
// together is committed together or not at all.
#pragma once
#include <string>
#include <vector>

#include "core/gate.hpp"
#include "storage/task_store.hpp"

namespace arc {

// Records a run's outcome (TaskStore::finish) and applies it to the gate:
// a failure is counted, a rate limit or a systemic failure stops dispatch,
// with the task's new status. No claim — here or on another node — can slip
// in between, and a crash cannot keep one without the other. Returns the
// task's new status, or "" if the lease was lost (then the gate is not
// told: the result was refused).
std::string record_outcome(TaskStore& store, const GateConfig& cfg, const TaskOutcome& outcome);

// A run's outcome and the next claim, in one transaction: the slot the run
// frees is filled by the same commit that records it. The claim checks the
// gate row after the outcome was applied to it, so a result that stops the
// gate claims nothing.
struct FinishAndClaim {
  std::string status;          // as record_outcome
  std::vector<Task> claimed;   // up to `max`, as TaskStore::claim
  bool gate_open = true;       // the gate row after the outcome was applied: may claimed-ahead tasks start
};
FinishAndClaim finish_and_claim(TaskStore& store, const GateConfig& cfg, const TaskOutcome& outcome,
                                const std::string& owner, int max, millis lease_ms);

}  // namespace arc
