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

FinishAndClaim finish_and_claim(TaskStore& store, const GateConfig& cfg, const TaskOutcome& outcome,
                                const std::string& owner, int max, millis lease_ms) {
  FinishAndClaim r;
  r.status = record_outcome(store, cfg, outcome);
  r.gate_open = store.gate_running();
  if (max > 0 && r.gate_open) r.claimed = store.claim(owner, max, lease_ms);
  return r;
}

}  // namespace arc
