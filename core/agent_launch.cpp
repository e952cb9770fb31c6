#include "core/agent_launch.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "core/claude_plan.hpp"

namespace arc {

std::string build_claude_spec(const Task& task, const Config& cfg, const ExecutorEnv& env,
                              const PromptContext& context, millis now, ProcessSpec& out, RunInfo& run) {
  out = ProcessSpec{};
  AgentHome home(cfg.agent.root);
  if (!cfg.agent.root.empty())
    if (auto why = home.check(); !why.empty()) return why;
  ClaudePlan plan = plan_claude_run(task, cfg.claude, cfg.agent.timezone, now);
  PromptInput input = prompt_input(home, task, context, now, cfg.agent.timezone);
  out.argv = plan.argv;
  // The run starts in the agent's home: a relative path to the binary is arcd's.
  if (out.argv[0].find('/') != std::string::npos && out.argv[0][0] != '/') {
    std::error_code ec;
    out.argv[0] = std::filesystem::absolute(out.argv[0], ec).string();
  }
  out.stdin_data = build_prompt(input);
  out.env = executor_env(task, env);
  for (auto& [k, v] : cfg.claude.env) out.env.push_back(k + "=" + v);
  out.cwd = cfg.agent.root;
  out.timeout_ms = plan.timeout_ms;
  out.kill_grace_ms = cfg.claude.kill_grace_ms;
  out.output_cap_bytes = cfg.claude.output_cap_bytes;
  run.executor = "claude";
  run.model = plan.model_id;
  auto skills = nlohmann::json::array();
  for (auto& s : input.skills) skills.push_back({{"name", s.dir}, {"sha256", s.sha256}});
  run.skills = skills.dump();
  return {};
}

std::string find_binary(const std::string& binary) {
  std::error_code ec;
  auto runnable = [&](const std::filesystem::path& p) {
    return std::filesystem::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
  };
  if (binary.find('/') != std::string::npos) return runnable(binary) ? binary : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    size_t colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / binary;
    if (runnable(candidate)) return candidate.string();
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "";
}

}  // namespace arc
