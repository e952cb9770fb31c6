// How a task runs on the built-in Claude executor: which model (the
// task's own, else its skill's default, else its priority's, else the
// config's), with which timeout (longer in the night window) and spend
// cap, and the argv and environment arcd starts Claude Code with. Pure.
#pragma once
#include <string>
#include <vector>

#include "core/agent_config.hpp"
#include "core/task.hpp"

namespace arc {

struct ClaudePlan {
  const ModelConfig* model = nullptr;  // the settings used (a configured model)
  std::string model_id;                // what --model gets
  std::string why;                     // "task", "skill review", "priority 1", "default"
  bool night = false;
  millis timeout_ms = 0;
  std::vector<std::string> argv;       // binary first
};

// `now` and the agent's zone decide the night window.
ClaudePlan plan_claude_run(const Task& task, const ClaudeConfig& claude, const std::string& zone, millis now);

// The configured model a name or full model id stands for: by name, by id,
// then by tier word ("claude-opus-4-8" -> opus); nullptr if none.
const ModelConfig* find_model(const ClaudeConfig& claude, const std::string& name_or_id);

// API-equivalent cost of a run's tokens at the configured prices.
double api_cost_usd(const Pricing& p, int64_t input, int64_t output, int64_t cache_write, int64_t cache_read);

}  // namespace arc
