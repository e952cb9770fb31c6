// The root supervisor: spawns its children in order, registers each under
// its name, and restarts one that dies (one_for_one) after a backoff that
// doubles per restart, with jitter, under the child's own policy. Past a
// child's restart intensity (more than max_restarts within period) it
// restarts the whole tree (every child stopped in reverse order, started in
// order: all state comes back from the database), up to tree_restarts times
// within the period; past that it gives up: it logs why, stops every child
// and reports exit code 70 so that systemd restarts the process.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/runtime_stats.hpp"
#include "messages/messages.hpp"

namespace arc {

struct ChildSpec {
  std::string name;
  caf::atom_value registry_name;
  std::function<caf::actor(caf::actor_system&)> spawn;
  SupervisorPolicy policy;  // this child's restart intensity and backoff
};

struct SupervisorArgs {
  std::vector<ChildSpec> children;  // started in this order, stopped in reverse
  SupervisorPolicy policy;  // tree_restarts and period_ms apply to the whole tree
  // Set to a non-zero exit code when the supervisor gives up.
  std::shared_ptr<std::atomic<int>> escalated;
  // Counts each child's deaths (arc_actor_restarts_total); may be null.
  std::shared_ptr<RuntimeStats> stats;
};

// Answers ready_atom (true) once its children run, and shutdown_atom by
// stopping its children (reverse order) and itself.
caf::actor spawn_supervisor(caf::actor_system& sys, SupervisorArgs args);

}  // namespace arc
