// The hub's endpoint in multi-node mode (docs/cluster.md): the one actor a
// hub publishes. Workers say hello, then claim, renew, finish, requeue and
// release under the lease owner "worker:NAME", ask the hub's gate, tell it
// and triage their outcomes, and record their sensors' runs. It relays each request to the hub's own
// persistence, gate and triage (looked up by name, so their restarts do not
// matter) and keeps only the table of connected workers, which their next
// hello rebuilds. It notices a lost worker by the down message of its
// connection; the worker's leases then run out on time (the queue's
// housekeeping requeues them), so a worker that reconnects in time keeps
// its runs.
//
// It is not restarted in place: the published actor is the cluster's
// address. If it dies, `escalated` is set and arcd exits for systemd to
// restart it (workers reconnect).
#pragma once
#include <atomic>
#include <memory>

#include "messages/cluster.hpp"

namespace arc {

struct HubArgs {
  std::string name;      // the hub's node name (its row in cluster_nodes)
  std::string address;   // where it listens, for `arc nodes`
  int slots = 0;         // tasks it runs itself
  millis lease_ms = 60'000;
  int recent_runs = 10;  // in a claimed task's prompt context
  std::shared_ptr<std::atomic<int>> escalated;
};

hub_actor spawn_hub(caf::actor_system& sys, const HubArgs& args);

}  // namespace arc
