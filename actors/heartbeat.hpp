// The heartbeat behind the systemd watchdog: every `every` it asks the
// persistence actor for its counters and, when the answer comes, records the
// time in RuntimeStats::heartbeat_ms. An answer proves that the scheduler
// runs actors and that persistence (which every task goes through) is not
// stuck; arcd pings the watchdog only while the heartbeat is fresh, so
// systemd restarts an arcd that hangs, not only one that exits.
#pragma once
#include <memory>

#include "core/clock.hpp"
#include "core/runtime_stats.hpp"
#include "messages/messages.hpp"

namespace arc {

// `target` is the registered actor asked (stats_atom): persistence, or on a
// cluster worker, which has none, its link to the hub.
caf::actor spawn_heartbeat(caf::actor_system& sys, std::shared_ptr<RuntimeStats> stats, millis every,
                           caf::atom_value target = persistence_name);

}  // namespace arc
