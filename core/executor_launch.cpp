#include "core/executor_launch.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <sstream>

#include "core/proc_scan.hpp"

namespace arc {
namespace {

// The shell skill's argv: a JSON array of strings, or whitespace-separated words.
std::string shell_argv(const std::string& description, std::vector<std::string>& argv) {
  auto j = nlohmann::json::parse(description, nullptr, false);
  if (j.is_array()) {
    for (auto& e : j) {
      if (!e.is_string()) return "shell skill: the description's JSON array must hold only strings";
      argv.push_back(e.get<std::string>());
    }
  } else {
    std::istringstream in(description);
    for (std::string w; in >> w;) argv.push_back(w);
  }
  if (argv.empty()) return "shell skill: the description is empty; it must be the command to run";
  return {};
}

}  // namespace

ExecutorChoice pick_executor(const Config& cfg, const std::vector<std::string>& task_skills) {
  ExecutorChoice c;
  for (auto& name : task_skills) {
    auto it = cfg.skills.find(name);
    if (it != cfg.skills.end() && (it->second.builtin_shell || !it->second.command.empty())) {
      c.skill = &it->second;
      return c;
    }
  }
  if (cfg.claude.enabled) {
    c.claude = true;
    return c;
  }
  c.skill = pick_skill(cfg, task_skills, c.why);
  return c;
}

std::vector<std::string> executor_env(const Task& task, const ExecutorEnv& env) {
  std::string skills;
  for (size_t i = 0; i < task.skills.size(); ++i) skills += (i ? "," : "") + task.skills[i];
  std::vector<std::string> out = {
      "ARC_TASK_ID=" + std::to_string(task.id),
      "ARC_TASK_SUBJECT=" + task.subject,
      "ARC_TASK_PRIORITY=" + std::to_string(task.priority),
      "ARC_TASK_SKILLS=" + skills,
      "ARC_TASK_ATTEMPT=" + std::to_string(task.attempts),
      "ARC_TASK_MODEL=" + task.model,
      "ARC_LEASE_EPOCH=" + std::to_string(task.lease_epoch),
      std::string(kIncarnationEnv) + "=" + env.incarnation,
  };
  if (!env.database.empty()) {
    out.push_back("ARC_DB=" + env.database);
    if (!env.config.empty()) out.push_back("ARC_CONFIG=" + env.config);
  } else {
    // A cluster worker: the database is the hub's. `arc` inside the run
    // refuses instead of opening a stray one in the run's folder.
    out.push_back("ARC_NO_DATABASE=this run is on a cluster worker; its tasks are in the hub's database");
  }
  if (!env.bin_dir.empty()) {
    const char* path = std::getenv("PATH");
    out.push_back("PATH=" + env.bin_dir + (path && *path ? ":" + std::string(path) : std::string(":/usr/bin:/bin")));
  }
  return out;
}

std::string build_process_spec(const Task& task, const SkillConfig& skill, const ExecutorEnv& env,
                               ProcessSpec& out) {
  out = ProcessSpec{};
  if (skill.builtin_shell) {
    if (auto why = shell_argv(task.description, out.argv); !why.empty()) return why;
  } else if (skill.command.empty()) {
    return "skill " + skill.name + " is disabled (no command)";
  } else {
    out.argv = skill.command;
  }
  out.env = executor_env(task, env);
  // Task text may hold invalid UTF-8 (it comes from anywhere): replaced, not thrown on.
  out.stdin_data = to_json(task).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  out.cwd = skill.cwd;
  out.timeout_ms = skill.timeout_ms;
  out.kill_grace_ms = skill.kill_grace_ms;
  out.output_cap_bytes = skill.output_cap_bytes;
  return {};
}

}  // namespace arc
