// A worker's link to its hub (docs/cluster.md). It connects through CAF's
// middleman (TLS unless insecure), says hello, and then serves the worker's
// dispatcher as its queue, gate and triage (it registers under those names)
// and the worker's sensors as their persistence, by relaying every request
// to the hub with the worker's name.
//
// Cut off (the hub's connection closed, or it never opened): the gate's
// answer is no, so the dispatcher claims nothing; other requests fail at
// once, so the dispatcher keeps results and retries them every second; the
// link reconnects with exponential backoff (100 ms doubling, capped at
// reconnect_max_ms, with jitter) and says hello again. Runs go on meanwhile
// and their results are accepted on reconnection only if their lease is
// still theirs (fencing on the hub).
#pragma once
#include "core/config.hpp"
#include "messages/cluster.hpp"

namespace arc {

struct HubLinkArgs {
  ClusterConfig cluster;
  NodeHello hello;
};

link_actor spawn_hub_link(caf::actor_system& sys, const HubLinkArgs& args);

}  // namespace arc
