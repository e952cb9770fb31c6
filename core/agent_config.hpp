// The agent's part of the config (docs/config.md): where its home is
// ([agent]), how Claude Code is run ([claude], [claude.models.NAME]) and
// what a day may cost ([budget]). Plain data with Arc's defaults; the
// decisions that use it are in core/claude_plan.hpp.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace arc {

// USD per million tokens.
struct Pricing {
  double input = 0, output = 0, cache_write = 0, cache_read = 0;
};

// A model a task may name: opus, sonnet, haiku (Arc's tiers) or any other
// the config adds.
struct ModelConfig {
  std::string name;            // what a task names: "opus"
  std::string id;              // what --model gets; default the name (Claude Code resolves aliases)
  millis timeout_ms = 0;
  millis night_timeout_ms = 0;  // inside the night window; 0 = as by day
  double max_budget_usd = 0;   // --max-budget-usd; 0 = no cap passed
  std::string fallback;        // --fallback-model; "" = none
  Pricing pricing;
};

struct ClaudeConfig {
  bool enabled = false;                 // an [agent] or [claude] table is present
  std::string binary = "claude";        // a path, or a name looked up on PATH
  std::vector<std::string> args;        // appended to the argv arcd builds
  std::map<std::string, std::string> env;  // added to the executor's environment
  std::string default_model = "sonnet";
  std::map<std::string, std::string> model_by_skill;  // the task's first skill with an entry
  std::map<int, std::string> model_by_priority;       // then its priority
  std::map<std::string, ModelConfig> models;          // by name
  int night_from_minute = 0;            // the night window, in the agent's zone:
  int night_to_minute = 0;              // [from, to); equal = no night
  millis self_close_grace_ms = 45'000;  // a run that closed its task may finish for this long
  millis kill_grace_ms = 10'000;        // SIGTERM, then this, then SIGKILL
  size_t output_cap_bytes = 32u << 20;  // stream-json of a long session is large
};

struct AgentConfig {
  std::string root;            // SOUL.md, memory/MEMORY.md, skills/NAME/SKILL.md; "" = none
  std::string timezone = "UTC";  // the agent's local clock (prompt, night window, budget day)
  int recent_runs = 10;        // in the prompt
};

struct BudgetConfig {
  double daily_usd = 0;        // 0 = no budget
  int max_priority = 2;        // once today's spend reaches it, only tasks this urgent are claimed
  std::string zone = "UTC";    // whose day: the agent's time zone
};

// Arc's three tiers with its timeouts, caps and prices (arc-starter src/dispatch.ts, src/models.ts).
std::map<std::string, ModelConfig> default_models();

}  // namespace arc
