// CAF's network layer for multi-node mode (docs/cluster.md): which
// middleman a hub publishes on and a worker connects through (the openssl
// module's, unless insecure), and the message types that cross nodes.
#pragma once
#include <caf/io/middleman_actor.hpp>

#include "core/config.hpp"
#include "messages/cluster.hpp"

namespace arc {

// Loads the middleman (and the openssl module with the node's TLS files
// unless `insecure`) and announces every type of messages/cluster.hpp.
// Call before the actor system starts, with the paths load_tls_files()
// returned (core/tls_files.hpp).
void configure_cluster(caf::actor_system_config& cfg, const ClusterConfig& c);

// The middleman actor to publish on / connect through.
caf::io::middleman_actor network(caf::actor_system& sys, bool insecure);

}  // namespace arc
