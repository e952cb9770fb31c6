// A sensor actor: one per configured sensor, a child of the supervisor.
// Every second it reads its row (so `arc sensors run|pause|resume` from the
// CLI take effect) and, when its run is due and no guard window holds it,
// runs: a script sensor's command on a thread of its own (timeout, own
// process group, output cap), the built-in health and stale-tasks checks in
// the persistence actor. Runs go on whatever dispatch does. Its cadence is
// persisted: a restart neither re-fires it early nor replays missed runs.
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "core/config.hpp"
#include "messages/messages.hpp"

namespace arc {

// The sensors' script threads, owned by the runtime: stopped and joined
// before the actor system goes away.
struct SensorThreads {
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::condition_variable cv;
  int running = 0;
  void wait_all();
};

// `store` is the registered actor that reads the sensor's row and records its
// runs: persistence, or on a cluster worker its link to the hub, which
// relays both to the hub's persistence (docs/cluster.md).
sensor_actor spawn_sensor(caf::actor_system& sys, const SensorConfig& cfg, std::shared_ptr<SensorThreads> threads,
                          caf::atom_value store = persistence_name);

}  // namespace arc
