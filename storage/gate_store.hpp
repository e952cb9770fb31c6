// The gate row, its history, and resume preparation. Every change of the
// gate — by the gate actor or by `arc dispatch …` from another process — is
// one read-modify-write through apply_gate inside a transaction, so the two
// never overwrite each other.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "core/gate.hpp"
#include "messages/payloads.hpp"  // GateCommand, GateResult
#include "storage/db.hpp"
#include "storage/task_store.hpp"

namespace arc {

struct GateEvent {
  millis at = 0;
  std::string from, to, reason;
};

GateState load_gate(Db& db);
GateResult apply_gate(Db& db, TaskStore& store, const GateConfig& cfg, const GateCommand& cmd);
std::vector<GateEvent> gate_events(Db& db, int limit);

// An operator's pause | resume | reset (`arc dispatch …`, POST
// /api/dispatch/…) in its own transaction; `via` names the caller in the
// recorded reason. Throws std::invalid_argument for an unknown kind, and
// GateRefused for a resume of a gate stopped by repeated failures (that takes
// a reset, after a look at the failures).
struct GateRefused : std::runtime_error {
  using std::runtime_error::runtime_error;
};
GateResult operator_gate(Db& db, const GateConfig& cfg, const std::string& kind, const std::string& reason,
                         const std::string& via);

// Before the first claim after a long stop or downtime: expire pending tasks
// past expires_at or older than their skill's / source's max_age, with a
// reason. (Duplicates cannot pile up under one source: the unique index on
// open sources refuses them at creation.) Returns how many were expired.
int prepare_resume(TaskStore& store, const GateConfig& cfg, millis gap_ms);

}  // namespace arc
