// The hub's table of cluster nodes (docs/cluster.md), read by `arc nodes`:
// one row per node name, written by the hub when a worker says hello, at
// each of its pings and when its connection is lost.
#pragma once
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "messages/payloads.hpp"  // NodeRow
#include "storage/db.hpp"

namespace arc {

// Inserts or replaces the row of `row.name` (running is not stored).
void upsert_node(Db& db, const NodeRow& row);
// Only the heartbeat of a known node; false if there is no such row.
bool touch_node(Db& db, const std::string& name, millis at);
// Every node, hub first, then by name; `running` counted from the tasks.
std::vector<NodeRow> list_nodes(Db& db);

}  // namespace arc
