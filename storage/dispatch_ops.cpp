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
    std::string status, error;
    store.db().exec("SAVEPOINT outcome");
    try {
      status = record_outcome(store, cfg, o);
    } catch (const DbError& e) {
      if (is_connection_error(e.code())) throw;
      error = e.what();
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty()) store.db().exec("ROLLBACK TO outcome");
    store.db().exec("RELEASE outcome");
    r.statuses.push_back(std::move(status));
    r.errors.push_back(std::move(error));
  }
  r.gate_open = store.gate_running();
  if (!r.gate_open || max <= 0) return r;
  // The claim too in a savepoint of its own: a claim that fails keeps the
  // results recorded above.
  store.db().exec("SAVEPOINT claim");
  try {
    r.claimed = store.claim_gate_checked(owner, max, lease_ms);
  } catch (const DbError& e) {
    if (is_connection_error(e.code())) throw;
    r.claim_error = e.what();
  } catch (const std::exception& e) {
    r.claim_error = e.what();
  }
  if (!r.claim_error.empty()) {
    r.claimed.clear();
    store.db().exec("ROLLBACK TO claim");
  }
  store.db().exec("RELEASE claim");
  return r;
}

}  // namespace arc
