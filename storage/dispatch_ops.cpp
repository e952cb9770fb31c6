#include "storage/dispatch_ops.hpp"

#include "storage/gate_store.hpp"

namespace arc {

std::string record_outcome(TaskStore& store, const GateConfig& cfg, const TaskOutcome& o) {
  std::string now = store.finish(o);
  if (now.empty()) return now;
  const ExecOutcome& x = o.result;
  apply_gate(store.db(), store, cfg,
             GateCommand{"outcome", gate_word(x.status, x.systemic, now), x.stop_reason.empty() ? x.summary : x.stop_reason});
  return now;
}

FinishAndClaim finish_and_claim(TaskStore& store, const GateConfig& cfg, const std::vector<TaskOutcome>& outcomes,
                                const std::string& owner, int max, millis lease_ms) {
  FinishAndClaim r;
  for (const TaskOutcome& o : outcomes) {
    std::string status;
    r.errors.push_back(in_savepoint(store.db(), "outcome", [&] { status = record_outcome(store, cfg, o); }));
    r.statuses.push_back(std::move(status));
  }
  r.gate_open = store.gate_running();
  if (!r.gate_open || max <= 0) return r;
  // The claim too in a savepoint of its own: a claim that fails keeps the
  // results recorded above.
  r.claim_error = in_savepoint(store.db(), "claim", [&] { r.claimed = store.claim_gate_checked(owner, max, lease_ms); });
  if (!r.claim_error.empty()) r.claimed.clear();
  return r;
}

}  // namespace arc
