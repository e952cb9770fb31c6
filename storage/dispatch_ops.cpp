#include "storage/dispatch_ops.hpp"

#include "storage/gate_store.hpp"

namespace arc {

FinishResult record_outcome(TaskStore& store, const GateConfig& cfg, const TaskOutcome& o) {
  FinishResult done = store.finish(o);
  if (!done.recorded()) return done;
  const ExecOutcome& x = o.result;
  apply_gate(store.db(), store, cfg,
             GateCommand{GateOp::outcome, gate_word(x.outcome(), done.status),
                         x.stop_reason.empty() ? x.summary : x.stop_reason});
  return done;
}

FinishAndClaim finish_and_claim(TaskStore& store, const GateConfig& cfg, const std::vector<TaskOutcome>& outcomes,
                                const std::string& owner, int max, millis lease_ms) {
  FinishAndClaim r;
  for (const TaskOutcome& o : outcomes) {
    FinishResult done;
    std::string error = in_savepoint(store.db(), "outcome", [&] { done = record_outcome(store, cfg, o); });
    r.results.push_back(error.empty() ? done : FinishResult::failed(error));
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
