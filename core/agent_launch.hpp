// A task's run on the built-in Claude executor: the prompt (core/prompt.hpp)
// from the agent's home and the database's context, the argv, timeout and
// spend cap (core/claude_plan.hpp), the environment (core/executor_launch.hpp
// plus [claude] env) and the working folder (the agent's home, where Claude
// Code finds its CLAUDE.md and .claude/settings.json). The dispatcher starts
// it; `arc tasks prompt ID` prints its stdin: the same function, the same text.
#pragma once
#include <string>

#include "core/config.hpp"
#include "core/executor_launch.hpp"
#include "core/prompt.hpp"

namespace arc {

// Fills `out` and `run` and returns "", or returns why no run can start (the
// agent's home is not a folder: every task would fail alike).
std::string build_claude_spec(const Task& task, const Config& cfg, const ExecutorEnv& env,
                              const PromptContext& context, millis now, ProcessSpec& out, RunInfo& run);

// Where `binary` runs from: itself when it holds a '/', else the first
// executable of that name on PATH; "" when there is none.
std::string find_binary(const std::string& binary);

}  // namespace arc
