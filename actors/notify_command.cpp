#include "actors/notify_command.hpp"

#include <spdlog/spdlog.h>

#include <thread>

#include "core/process.hpp"

namespace arc {

void run_notify_command(const std::vector<std::string>& argv, std::vector<std::string> env) {
  if (argv.empty()) return;
  ProcessSpec spec;
  spec.argv = argv;
  spec.env = std::move(env);
  spec.timeout_ms = 30'000;
  spec.kill_grace_ms = 2'000;
  std::thread([spec] {
    auto r = run_process(spec);
    if (r.spawn_failed || r.exit_code != 0)
      spdlog::warn("notify command failed: {}",
                   r.spawn_failed ? r.spawn_error : "exit " + std::to_string(r.exit_code) + ": " + r.err.substr(0, 200));
  }).detach();
}

}  // namespace arc
