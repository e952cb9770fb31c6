// The hub's table of cluster nodes (docs/cluster.md), read by `arc nodes`:
// one row per node name, written by the hub when a worker says hello, at
// each of its pings and when its connection is lost.
#pragma once
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "storage/db.hpp"

namespace arc {

// The lease owner under which a worker's claims are recorded. Start-up
// recovery on the hub leaves these leases alone: they run out on time.
inline constexpr const char* kWorkerOwnerPrefix = "worker:";
inline std::string worker_owner(const std::string& node) { return kWorkerOwnerPrefix + node; }

struct NodeRow {
  std::string name;
  std::string role;     // hub | worker
  std::string address;  // as the node reports it (host:pid, or the hub's listen address)
  int slots = 0;
  std::string state;    // connected | lost | stopped
  millis connected_at = 0;
  millis last_heartbeat = 0;
  std::string detail;   // why lost, the version, ...
  int running = 0;      // read only: its active tasks in the tasks table
};

// Inserts or replaces the row of `row.name` (running is not stored).
void upsert_node(Db& db, const NodeRow& row);
// Only the heartbeat of a known node; false if there is no such row.
bool touch_node(Db& db, const std::string& name, millis at);
// Every node, hub first, then by name; `running` counted from the tasks.
std::vector<NodeRow> list_nodes(Db& db);

}  // namespace arc
