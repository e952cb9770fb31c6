// The dispatcher actor: N slots. While it has a free slot it claims ready
// tasks from the queue (at once after every completion, else every poll
// interval so that tasks added by the CLI start within a second), runs each
// through the RunnerTable as a child process, renews the leases of its runs,
// and reports each outcome to the queue. On drain (graceful stop) it claims
// no more, lets runs finish up to a grace period, then stops them and
// requeues their tasks.
#pragma once
#include <memory>

#include "actors/runner_table.hpp"
#include "core/config.hpp"
#include "core/executor_launch.hpp"
#include "messages/messages.hpp"

namespace arc {

struct DispatcherArgs {
  std::shared_ptr<const Config> config;
  std::string incarnation;
  std::shared_ptr<RunnerTable> runners;
  // Poll PRAGMA data_version every 5 ms to notice other processes' writes.
  // False when a FileWatch sends version_atom on each write to the database
  // (core/file_watch.hpp), and on a cluster worker, which has no database.
  bool poll_data_version = true;
  ExecutorEnv env;  // what every executor is told (ARC_DB, ARC_CONFIG, PATH)
};

dispatcher_actor spawn_dispatcher(caf::actor_system& sys, const DispatcherArgs& args);

}  // namespace arc
