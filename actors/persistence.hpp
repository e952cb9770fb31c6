// The persistence actor: the only runtime code that touches SQLite.
// Spawned detached (its own thread). Requests that arrive together are run
// in one BEGIN IMMEDIATE ... COMMIT (group commit) and answered only after
// COMMIT, so an acknowledged write is durable. A batch that fails is rolled
// back and every request in it gets the error; nothing half-written stays.
#pragma once
#include <memory>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/runtime_stats.hpp"
#include "messages/messages.hpp"
#include "storage/task_store.hpp"

namespace arc {

struct PersistenceArgs {
  std::string database;
  std::string synchronous = "full";
  int busy_timeout_ms = 5000;
  StoreOptions store;  // retry backoff, self-close grace, budget
  const Clock* clock = nullptr;
  std::string incarnation;  // for the heartbeat in reap
  GateConfig gate;      // also its notify command, told of storage faults
  TriageConfig triage;
  std::shared_ptr<RuntimeStats> stats;  // where a storage fault is shown outside the actors; may be null
};

persistence_actor spawn_persistence(caf::actor_system& sys, const PersistenceArgs& args);

}  // namespace arc
