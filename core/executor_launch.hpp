// How a claimed task becomes a child process: the skill's argv (never a
// shell string built from task text), the task as JSON on stdin, and the
// ARC_TASK_* variables in the environment (docs/executor-protocol.md).
#pragma once
#include <string>

#include "core/config.hpp"
#include "core/process.hpp"
#include "core/task.hpp"

namespace arc {

// Fills `out` and returns "" or returns why the task cannot be run.
std::string build_process_spec(const Task& task, const SkillConfig& skill,
                               const std::string& incarnation, ProcessSpec& out);

}  // namespace arc
