#include "core/executor_launch.hpp"

#include <nlohmann/json.hpp>

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

std::string build_process_spec(const Task& task, const SkillConfig& skill,
                               const std::string& incarnation, ProcessSpec& out) {
  out = ProcessSpec{};
  if (skill.builtin_shell) {
    if (auto why = shell_argv(task.description, out.argv); !why.empty()) return why;
  } else if (skill.command.empty()) {
    return "skill " + skill.name + " is disabled (no command)";
  } else {
    out.argv = skill.command;
  }
  std::string skills;
  for (size_t i = 0; i < task.skills.size(); ++i) skills += (i ? "," : "") + task.skills[i];
  out.env = {
      "ARC_TASK_ID=" + std::to_string(task.id),
      "ARC_TASK_SUBJECT=" + task.subject,
      "ARC_TASK_PRIORITY=" + std::to_string(task.priority),
      "ARC_TASK_SKILLS=" + skills,
      "ARC_TASK_ATTEMPT=" + std::to_string(task.attempts),
      "ARC_TASK_MODEL=" + task.model,
      std::string(kIncarnationEnv) + "=" + incarnation,
  };
  // Task text may hold invalid UTF-8 (it comes from anywhere): replaced, not thrown on.
  out.stdin_data = to_json(task).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  out.cwd = skill.cwd;
  out.timeout_ms = skill.timeout_ms;
  out.kill_grace_ms = skill.kill_grace_ms;
  out.output_cap_bytes = skill.output_cap_bytes;
  return {};
}

}  // namespace arc
