// The operator's notify command ([gate] notify): run with the event in its
// environment (ARC_EVENT and the event's own variables, docs/config.md), on
// a thread of its own, so that the actor that tells never waits for it. A
// command that fails or hangs (30 s) is logged and stopped, never retried.
#pragma once
#include <string>
#include <vector>

namespace arc {

void run_notify_command(const std::vector<std::string>& argv, std::vector<std::string> env);

}  // namespace arc
