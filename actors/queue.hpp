// The queue actor: hands ready tasks to the dispatcher under leases owned by
// this incarnation, records outcomes, and every few seconds recovers tasks
// whose lease ran out (a runner that vanished), ages out expired pending
// tasks and heartbeats the nodes row. It keeps no state a restart would lose:
// the queue itself is the tasks table.
#pragma once
#include "core/config.hpp"
#include "messages/messages.hpp"

namespace arc {

struct QueueArgs {
  std::string incarnation;  // lease owner for claims
  millis lease_ms = 60'000;
  millis housekeeping_ms = 2'000;
  int recent_runs = 10;  // in a claimed task's prompt context
};

queue_actor spawn_queue(caf::actor_system& sys, const QueueArgs& args);

}  // namespace arc
