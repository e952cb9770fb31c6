#include "actors/agent_run.hpp"

#include <spdlog/spdlog.h>

#include "core/agent_launch.hpp"

namespace arc {

RunnerTable::Prepare prepare_claude_run(caf::actor_system& sys, std::shared_ptr<const Config> config, Task task,
                                        ExecutorEnv env) {
  return [&sys, config = std::move(config), task = std::move(task), env = std::move(env)](ProcessSpec& spec,
                                                                                        RunInfo& run) {
    // A runner thread may block: a scoped actor asks and waits. Without the
    // context the prompt lacks its parents and recent runs, but the task runs.
    PromptContext context;
    if (auto q = lookup<queue_actor>(sys, queue_name)) {
      caf::scoped_actor asker{sys};
      asker->request(q, std::chrono::seconds(10), context_atom::value, task.id)
          .receive([&](PromptContext& c) { context = std::move(c); },
                   [&](caf::error& e) {
                     spdlog::warn("dispatcher: task {}: its prompt goes without its parents and recent runs ({})",
                                  task.id, caf::to_string(e));
                   });
    }
    return build_claude_spec(task, *config, env, context, system_clock().now_ms(), spec, run);
  };
}

}  // namespace arc
