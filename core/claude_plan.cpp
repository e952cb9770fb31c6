#include "core/claude_plan.hpp"

#include <cstdio>

#include "core/time_zone.hpp"

namespace arc {
namespace {

bool in_night(const ClaudeConfig& c, const std::string& zone, millis now) {
  if (c.night_from_minute == c.night_to_minute) return false;
  auto local = local_clock(now, zone);
  if (!local) return false;
  int m = local->hour * 60 + local->minute;
  return c.night_from_minute < c.night_to_minute ? (m >= c.night_from_minute && m < c.night_to_minute)
                                                 : (m >= c.night_from_minute || m < c.night_to_minute);
}

std::string money(double usd) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", usd);
  return buf;
}

}  // namespace

const ModelConfig* find_model(const ClaudeConfig& claude, const std::string& name) {
  if (auto it = claude.models.find(name); it != claude.models.end()) return &it->second;
  for (auto& [n, m] : claude.models)
    if (m.id == name) return &m;
  for (const char* tier : {"opus", "sonnet", "haiku"})
    if (name.find(tier) != std::string::npos)
      if (auto it = claude.models.find(tier); it != claude.models.end()) return &it->second;
  return nullptr;
}

ClaudePlan plan_claude_run(const Task& task, const ClaudeConfig& claude, const std::string& zone, millis now) {
  ClaudePlan p;
  std::string name;
  if (!task.model.empty()) {
    name = task.model;
    p.why = "task";
  }
  for (size_t i = 0; name.empty() && i < task.skills.size(); ++i)
    if (auto it = claude.model_by_skill.find(task.skills[i]); it != claude.model_by_skill.end()) {
      name = it->second;
      p.why = "skill " + task.skills[i];
    }
  if (name.empty())
    if (auto it = claude.model_by_priority.find(task.priority); it != claude.model_by_priority.end()) {
      name = it->second;
      p.why = "priority " + std::to_string(task.priority);
    }
  if (name.empty()) {
    name = claude.default_model;
    p.why = "default";
  }
  p.model = find_model(claude, name);
  // A full model name the config does not know runs with the default model's limits.
  if (!p.model) p.model = find_model(claude, claude.default_model);
  p.model_id = claude.models.count(name) ? p.model->id : name;
  p.night = in_night(claude, zone, now);
  p.timeout_ms = p.night && p.model->night_timeout_ms > 0 ? p.model->night_timeout_ms : p.model->timeout_ms;
  p.argv = {claude.binary, "--print", "--output-format", "stream-json", "--verbose", "--no-session-persistence",
            "--exclude-dynamic-system-prompt-sections", "--model", p.model_id};
  if (p.model->max_budget_usd > 0) {
    p.argv.push_back("--max-budget-usd");
    p.argv.push_back(money(p.model->max_budget_usd));
  }
  if (!p.model->fallback.empty()) {
    const ModelConfig* f = find_model(claude, p.model->fallback);
    std::string fallback = f && claude.models.count(p.model->fallback) ? f->id : p.model->fallback;
    if (fallback != p.model_id) {
      p.argv.push_back("--fallback-model");
      p.argv.push_back(fallback);
    }
  }
  p.argv.insert(p.argv.end(), claude.args.begin(), claude.args.end());
  return p;
}

double api_cost_usd(const Pricing& p, int64_t input, int64_t output, int64_t cache_write, int64_t cache_read) {
  auto per = [](int64_t tokens, double usd_per_million) { return static_cast<double>(tokens) * usd_per_million / 1e6; };
  return per(input, p.input) + per(output, p.output) + per(cache_write, p.cache_write) + per(cache_read, p.cache_read);
}

}  // namespace arc
