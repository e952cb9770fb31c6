// The agent's commands: arc skills list|show, arc runs, arc tasks prompt.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>

#include "apps/arc/cli.hpp"
#include "core/agent_launch.hpp"
#include "core/claude_plan.hpp"
#include "core/time_text.hpp"
#include "storage/runs.hpp"
#include "storage/task_store.hpp"

namespace arc::cli {
namespace {

AgentHome home_of(const Config& cfg) {
  if (cfg.agent.root.empty())
    throw UsageError("no agent home: set [agent] root in the config (--config FILE, or $ARC_CONFIG)");
  AgentHome home(cfg.agent.root);
  if (auto why = home.check(); !why.empty()) throw UsageError(why);
  return home;
}

nlohmann::json skill_json(const SkillDoc& s, bool with_text) {
  nlohmann::json j = {{"name", s.name},          {"dir", s.dir},          {"description", s.description},
                      {"tags", s.tags},          {"sha256", s.sha256},    {"has_sensor", s.has_sensor},
                      {"has_cli", s.has_cli},    {"has_agent", s.has_agent}};
  if (with_text) j["text"] = s.text;
  return j;
}

std::string money(double usd) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.4f", usd);
  return buf;
}

}  // namespace

void add_prompt_command(CLI::App* tasks, Context& ctx) {
  auto* prompt = tasks->add_subcommand("prompt", "the prompt the agent would get for a task now (stdin of its Claude run)");
  auto id = std::make_shared<int64_t>(0);
  prompt->add_option("id", *id, "task id")->required()->check(CLI::PositiveNumber);
  prompt->add_flag("--json", ctx.json, "print the prompt with the argv, model, timeout and folder of the run");
  prompt->callback([&ctx, id] {
    Config cfg = ctx.load();
    auto db = ctx.open();
    TaskStore store(*db, system_clock());
    auto task = store.get(*id);
    if (!task) throw UsageError("no task with id " + std::to_string(*id) + " (see `arc tasks list`)");
    ExecutorChoice exec = pick_executor(cfg, task->skills);
    if (!exec.claude)
      throw UsageError("task " + std::to_string(*id) + " does not run on the Claude executor (" +
                       (exec.skill ? "its skill " + exec.skill->name + " has a command" : exec.why) +
                       "); configure [agent] or [claude]");
    millis now = system_clock().now_ms();
    ProcessSpec spec;
    RunInfo run;
    ExecutorEnv env;
    auto context = load_prompt_context(*db, *id, cfg.agent.recent_runs);
    if (auto why = build_claude_spec(*task, cfg, env, context, now, spec, run); !why.empty()) throw UsageError(why);
    if (!ctx.json) {
      std::cout << spec.stdin_data << "\n";
      return;
    }
    // The plan again for why this model (cheap and pure); the skills the run
    // got are in its record: those it lacks had no SKILL.md.
    auto plan = plan_claude_run(*task, cfg.claude, cfg.agent.timezone, now);
    auto skills = nlohmann::json::parse(run.skills);
    std::vector<std::string> missing;
    for (auto& s : task->skills)
      if (std::none_of(skills.begin(), skills.end(), [&](const nlohmann::json& k) { return k["name"] == s; }))
        missing.push_back(s);
    std::cout << nlohmann::json{{"task_id", *id},
                                {"prompt", spec.stdin_data},
                                {"argv", spec.argv},
                                {"cwd", spec.cwd},
                                {"model", plan.model_id},
                                {"model_from", plan.why},
                                {"timeout_ms", spec.timeout_ms},
                                {"night", plan.night},
                                {"skills", skills},
                                {"skills_missing", missing}}
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  });
}

void add_agent_commands(CLI::App& app, Context& ctx) {
  auto* skills = app.add_subcommand("skills", "the agent's skills: skills/NAME/SKILL.md under [agent] root");
  skills->require_subcommand(1);
  auto* list = skills->add_subcommand("list", "every skill with its description");
  list->add_flag("--json", ctx.json, "print JSON");
  list->callback([&ctx] {
    auto all = home_of(ctx.load()).skills();
    if (ctx.json) {
      auto arr = nlohmann::json::array();
      for (auto& s : all) arr.push_back(skill_json(s, false));
      std::cout << arr.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      return;
    }
    std::printf("%-24s %-6s %s\n", "NAME", "PARTS", "DESCRIPTION");
    for (auto& s : all) {
      std::string parts = std::string(s.has_sensor ? "S" : "-") + (s.has_cli ? "C" : "-") + (s.has_agent ? "A" : "-");
      std::printf("%-24s %-6s %s\n", s.name.c_str(), parts.c_str(), s.description.substr(0, 90).c_str());
    }
  });
  auto* show = skills->add_subcommand("show", "one skill's SKILL.md and what it has");
  auto name = std::make_shared<std::string>(), flag_name = std::make_shared<std::string>();
  show->add_option("name", *name, "skill name (its folder, or the name in its front matter)");
  show->add_option("--name", *flag_name, "the same (Arc's form)");
  show->add_flag("--json", ctx.json, "print JSON");
  show->callback([&ctx, name, flag_name] {
    std::string want = name->empty() ? *flag_name : *name;
    if (want.empty()) throw UsageError("give the skill's name: `arc skills show NAME`");
    AgentHome home = home_of(ctx.load());
    std::optional<SkillDoc> found = home.skill(want);
    if (!found)
      for (auto& s : home.skills())
        if (s.name == want) found = s;
    if (!found) throw UsageError("no skill " + want + " in " + home.root() + "/skills (see `arc skills list`)");
    if (ctx.json) {
      std::cout << skill_json(*found, true).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      return;
    }
    std::printf("name:        %s\nfolder:      %s/skills/%s\ndescription: %s\nsha256:      %s\nparts:       %s%s%s\n\n%s",
                found->name.c_str(), home.root().c_str(), found->dir.c_str(), found->description.c_str(),
                found->sha256.c_str(), found->has_sensor ? "sensor " : "", found->has_cli ? "cli " : "",
                found->has_agent ? "AGENT.md" : "", found->text.c_str());
  });

  auto* runs = app.add_subcommand("runs", "executor runs, newest first: model, skills, cost, tokens, outcome");
  auto filter = std::make_shared<RunFilter>();
  runs->add_option("--task", filter->task_id, "only this task's runs")->check(CLI::PositiveNumber);
  runs->add_option("--limit", filter->limit, "at most N (default 50)")->check(CLI::Range(1, 100000));
  runs->add_option("--before", filter->before_id, "page: runs older than this run id")->check(CLI::PositiveNumber);
  runs->add_flag("--json", ctx.json, "print JSON");
  runs->callback([&ctx, filter] {
    auto db = ctx.open();
    auto rows = list_runs(*db, *filter);
    if (ctx.json) {
      auto arr = nlohmann::json::array();
      for (auto& r : rows) arr.push_back(to_json(r));
      std::cout << arr.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      return;
    }
    std::printf("%-6s %-6s %-19s %-8s %-12s %-18s %-9s %-9s %-13s %s\n", "RUN", "TASK", "STARTED", "TOOK", "OUTCOME",
                "MODEL", "COST", "API COST", "TOKENS IN/OUT", "SUBJECT");
    for (auto& r : rows) {
      std::string tokens = std::to_string(r.tokens_in) + "/" + std::to_string(r.tokens_out);
      std::printf("%-6lld %-6lld %-19s %-8s %-12s %-18s %-9s %-9s %-13s %s\n", static_cast<long long>(r.id),
                  static_cast<long long>(r.task_id), format_iso_utc(r.started_at).substr(0, 19).c_str(),
                  format_age(r.duration_ms).c_str(), r.outcome.substr(0, 12).c_str(),
                  (r.model.empty() ? r.executor : r.model).substr(0, 18).c_str(), money(r.cost_usd).c_str(),
                  money(r.api_cost_usd).c_str(), tokens.c_str(), r.subject.substr(0, 50).c_str());
    }
  });
}

}  // namespace arc::cli
