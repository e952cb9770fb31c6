// The running actor system of one arcd: the supervisor and its children
// (persistence, queue, gate, triage, dispatcher), wired up from the config. The start-up
// sequence on the database (storage/recovery.hpp) must have run before.
// config->cluster.role picks the set (docs/cluster.md): a hub adds the
// published cluster endpoint (actors/hub.hpp) and runs a dispatcher only
// with slots > 0; a worker runs the link to its hub in place of
// persistence, queue, gate and triage, and no sensors.
#pragma once
#include <atomic>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/runtime_stats.hpp"

namespace caf {
class actor_system;
class actor_system_config;
}  // namespace caf

namespace arc {

class RunnerTable;

class Runtime {
 public:
  Runtime(std::shared_ptr<const Config> config, const Clock& clock, std::string incarnation);
  ~Runtime();  // stops everything still running (no drain)

  // The heartbeat (actors/heartbeat.hpp) runs every `every` ms; call before
  // start(). Default 1000.
  void set_heartbeat_interval(millis every);
  void start();
  // Graceful stop: no new claims, running tasks get `grace` to finish and are
  // then stopped and requeued; then every actor stops. Blocks.
  void stop(millis grace);

  // Non-zero when the supervisor gave up (restart intensity exceeded).
  int escalated() const;
  // The actor id of a running child ("queue", "sensor0", ...), 0 if it is
  // down: a test sees a restart as a new id.
  uint64_t child_id(const std::string& name);
  // Kills the named child ("persistence", "queue", "gate", "triage", "dispatcher", or
  // "sensorN" for the N-th configured sensor in name order), as a crash would.
  void crash_child(const std::string& name);
  // Restarts per child and the heartbeat, for /metrics and the watchdog.
  std::shared_ptr<RuntimeStats> stats() const;
  // The port a hub accepts workers on (its listen port, or the one chosen
  // for port 0); 0 for other roles.
  uint16_t cluster_port() const;

 private:
  void publish_hub();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arc
