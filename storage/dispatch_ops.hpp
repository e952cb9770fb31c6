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
// task's new status, or lease_lost (then the gate is not told: the result
// was refused).
FinishResult record_outcome(TaskStore& store, const GateConfig& cfg, const TaskOutcome& outcome);

// The outcomes of runs that ended and the next claim, in one transaction:
// the slots the runs free are filled by the same commit that records them.
// The claim checks the gate row after the outcomes were applied to it, so
// a result that stops the gate claims nothing. Each outcome is recorded in
// a savepoint of its own: one that fails (other than on the connection,
// which is rethrown) is undone alone and answered not_recorded; the others and
// the claim go on. So is a claim that fails (`claim_error`).
// (FinishAndClaim is in messages/payloads.hpp.)
FinishAndClaim finish_and_claim(TaskStore& store, const GateConfig& cfg, const std::vector<TaskOutcome>& outcomes,
                                const std::string& owner, int max, millis lease_ms);

}  // namespace arc
