// The actor-side part of a Claude run: on the runner's thread, ask the
// queue (or, on a cluster worker, the hub) for the task's prompt context —
// its parent chain and the recent runs — then build the run with
// core/agent_launch.hpp. Kept apart from the dispatcher, which only starts it.
#pragma once
#include <memory>

#include "actors/runner_table.hpp"
#include "core/config.hpp"
#include "core/executor_launch.hpp"

namespace arc {

RunnerTable::Prepare prepare_claude_run(caf::actor_system& sys, std::shared_ptr<const Config> config, Task task,
                                        ExecutorEnv env);

}  // namespace arc
