// arc tasks add|list|show|update|close|cancel
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <iostream>
#include <optional>

#include "apps/arc/cli.hpp"
#include "core/task_flags.hpp"
#include "core/time_text.hpp"
#include "storage/task_store.hpp"
#include "storage/views.hpp"

namespace arc::cli {

void add_prompt_command(CLI::App* tasks, Context& ctx);  // agent_cmd.cpp

namespace {

const char* const kActor = "cli";

// A time flag of `arc tasks update`, read as `arc tasks add` reads its own.
millis parse_time_flag(const std::string& flag, const std::string& text, millis now) {
  try {
    return time_flag(flag, text, now);
  } catch (const TaskFlagError& e) {
    throw UsageError(e.what());
  }
}

std::string short_time(millis t) { return t ? format_iso_utc(t).substr(0, 19) : "-"; }

void print_table(const std::vector<Task>& tasks) {
  std::printf("%-7s %-9s %-3s %-5s %-19s  %s\n", "ID", "STATUS", "PRI", "TRIES", "CREATED", "SUBJECT");
  for (auto& t : tasks) {
    std::string tries = std::to_string(t.attempts) + "/" + std::to_string(t.max_attempts);
    std::printf("%-7lld %-9s %-3d %-5s %-19s  %s\n", static_cast<long long>(t.id), to_string(t.status),
                t.priority, tries.c_str(), short_time(t.created_at).c_str(),
                t.subject.substr(0, 80).c_str());
  }
}

void print_task(const Task& t, const std::vector<TaskEvent>& events) {
  auto line = [](const char* k, const std::string& v) {
    if (!v.empty()) std::printf("%-15s %s\n", k, v.c_str());
  };
  line("id", std::to_string(t.id));
  line("subject", t.subject);
  line("status", to_string(t.status));
  line("priority", std::to_string(t.priority));
  line("attempts", std::to_string(t.attempts) + "/" + std::to_string(t.max_attempts));
  line("source", t.source);
  line("skills", nlohmann::json(t.skills).dump());
  line("locks", t.locks.empty() ? "" : nlohmann::json(t.locks).dump());
  line("model", t.model);
  line("created", short_time(t.created_at));
  if (t.scheduled_for) line("scheduled for", short_time(t.scheduled_for));
  if (t.expires_at) line("expires", short_time(t.expires_at));
  if (t.started_at) line("started", short_time(t.started_at));
  if (t.finished_at) line("finished", short_time(t.finished_at));
  if (!t.lease_owner.empty())
    line("lease", t.lease_owner + " until " + short_time(t.lease_expires_at));
  line("failure class", to_string(t.failure_class));
  line("summary", t.summary);
  if (t.cost_usd > 0 || t.tokens_in > 0) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "$%.4f (api $%.4f), tokens %lld in / %lld out", t.cost_usd,
                  t.api_cost_usd, static_cast<long long>(t.tokens_in),
                  static_cast<long long>(t.tokens_out));
    line("cost", buf);
  }
  if (t.duration_ms) line("duration", format_age(t.duration_ms));
  if (!t.description.empty()) std::printf("\n%s\n", t.description.c_str());
  std::printf("\nhistory:\n");
  for (auto& e : events)
    std::printf("  %s  %-10s %-9s -> %-9s %s\n", short_time(e.at).c_str(), e.actor.substr(0, 10).c_str(),
                e.from_status.empty() ? "-" : e.from_status.c_str(), e.to_status.c_str(),
                e.reason.c_str());
}

// A task id, positional (`arc tasks close 12`) or as Arc's CLI takes it (`--id 12`).
struct IdArg {
  int64_t positional = 0, flag = 0;
  int64_t get() const {
    if (!positional && !flag) throw UsageError("give the task id: `12` or `--id 12`");
    if (positional && flag && positional != flag)
      throw UsageError("two different task ids: " + std::to_string(positional) + " and --id " + std::to_string(flag));
    return positional ? positional : flag;
  }
};

std::shared_ptr<IdArg> add_id(CLI::App* cmd) {
  auto id = std::make_shared<IdArg>();
  cmd->add_option("id", id->positional, "task id")->check(CLI::PositiveNumber);
  cmd->add_option("--id", id->flag, "task id (Arc's form)")->check(CLI::PositiveNumber);
  return id;
}

// The run that holds task `id`, when this `arc` runs inside it: arcd gives
// every executor ARC_TASK_ID and ARC_LEASE_EPOCH.
std::optional<RunLease> own_run_lease(int64_t id) {
  const char* task = std::getenv("ARC_TASK_ID");
  const char* epoch = std::getenv("ARC_LEASE_EPOCH");
  if (!task || !epoch || std::strtoll(task, nullptr, 10) != id) return std::nullopt;
  return RunLease{id, std::strtoll(epoch, nullptr, 10)};
}

Task must_get(TaskStore& store, int64_t id) {
  auto t = store.get(id);
  if (!t) throw UsageError("no task with id " + std::to_string(id) + " (see `arc tasks list`)");
  return *t;
}

// Runs an operator action; its "why not" becomes a usage error.
void apply(Context& ctx, int64_t id, const std::function<ActionResult(TaskStore&)>& fn,
           const std::string& done) {
  auto db = ctx.open();
  TaskStore store(*db, system_clock());
  Transaction tx(*db);
  ActionResult r = fn(store);
  if (!r.ok()) throw UsageError(r.why());  // rolled back: nothing half-done
  tx.commit();
  if (ctx.json) std::cout << to_json(must_get(store, id)).dump() << "\n";
  else std::cout << done << "\n";
}

}  // namespace

void add_tasks_commands(CLI::App& app, Context& ctx) {
  auto* tasks = app.add_subcommand("tasks", "add, list, show, update, close or cancel tasks");
  tasks->require_subcommand(1);

  // --- add
  auto* add = tasks->add_subcommand("add", "queue a new task");
  auto flags = std::make_shared<TaskFlags>();
  TaskSpec* spec = &flags->spec;
  add->add_option("--subject", spec->subject, "one-line subject")->required();
  add->add_option("--description", spec->description, "what to do (given to the executor)");
  add->add_option("--priority", spec->priority, "1 (most urgent) .. 10, default 5")
      ->check(CLI::Range(1, 10));
  add->add_option_function<std::string>("--skills", [flags](const std::string& s) { flags->skills = s; },
                                        "comma-separated skills (pick the executor)");
  add->add_option_function<std::string>("--locks", [flags](const std::string& s) { flags->locks = s; },
                                        "comma-separated resource locks: tasks sharing one never run together");
  add->add_option("--source", spec->source, "dedup key: no second open task with the same source");
  add->add_option("--model", spec->model, "model hint for the executor");
  add->add_option("--parent", spec->parent_id, "parent task id")->check(CLI::PositiveNumber);
  add->add_option("--max-attempts", spec->max_attempts, "runs allowed (retries on timeout/crash)")
      ->check(CLI::Range(1, 100));
  add->add_option("--scheduled-for", flags->scheduled_for, "not before: ISO-8601 or +DURATION");
  add->add_option("--expires-at", flags->expires_at, "expire if not started by: ISO-8601 or +DURATION");
  add->add_option("--max-age", flags->max_age, "expire if not started within DURATION (e.g. 2h)");
  add->add_option("--defer", flags->defer, "not before now + DURATION (e.g. 30m; Arc's form)");
  add->add_flag("--json", ctx.json, "print JSON");
  add->callback([&ctx, flags] {
    TaskSpec spec;
    try {
      spec = task_spec_from_flags(*flags, system_clock().now_ms());
    } catch (const TaskFlagError& e) {
      throw UsageError(e.what());
    }
    auto db = ctx.open();
    TaskStore store(*db, system_clock());
    auto r = in_transaction(*db, [&] { return store.create(spec, kActor); });
    if (ctx.json) {
      std::cout << nlohmann::json{{"id", r.id}, {"created", r.created}}.dump() << "\n";
    } else if (r.created) {
      std::cout << "created task " << r.id << "\n";
    } else {
      std::cout << "task " << r.id << " is already open for source " << spec.source
                << " (not created again)\n";
    }
  });

  // --- list
  auto* list = tasks->add_subcommand("list", "list tasks, newest first");
  auto filter = std::make_shared<TaskFilter>();
  auto fstatus = std::make_shared<std::string>();
  std::vector<std::string> statuses;
  for (TaskStatus st : kAllStatuses) statuses.push_back(to_string(st));
  list->add_option("--status", *fstatus, status_list())->check(CLI::IsMember(statuses));
  list->add_option("--limit", filter->limit, "at most N (default 50)")->check(CLI::Range(1, 100000));
  list->add_option("--after", filter->after_id, "page: ids below this one")->check(CLI::PositiveNumber);
  list->add_flag("--json", ctx.json, "print JSON");
  list->callback([&ctx, filter, fstatus] {
    if (!fstatus->empty()) filter->status = parse_task_status(*fstatus);
    auto db = ctx.open();
    TaskStore store(*db, system_clock());
    auto tasks = store.list(*filter);
    if (ctx.json) {
      auto arr = nlohmann::json::array();
      for (auto& t : tasks) arr.push_back(to_json(t));
      std::cout << arr.dump() << "\n";
    } else {
      print_table(tasks);
    }
  });

  // --- show
  auto* show = tasks->add_subcommand("show", "a task with its history");
  auto sid = add_id(show);
  show->add_flag("--json", ctx.json, "print JSON");
  show->callback([&ctx, sid] {
    int64_t id = sid->get();
    auto db = ctx.open();
    TaskStore store(*db, system_clock());
    Task t = must_get(store, id);
    if (ctx.json) std::cout << task_view(*db, id).dump() << "\n";
    else print_task(t, store.events(id));
  });

  // --- update
  auto* update = tasks->add_subcommand("update", "change a pending task, or requeue a failed or blocked one (--status pending)");
  auto uid = add_id(update);
  auto u = std::make_shared<TaskUpdate>();
  auto utimes = std::make_shared<std::map<std::string, std::string>>();
  auto ustatus = std::make_shared<std::string>();
  update->add_option("--status", *ustatus, "pending: back to the queue with all its attempts (failed, blocked, "
                                           "cancelled or expired tasks)")
      ->check(CLI::IsMember({"pending"}));
  update->add_option_function<std::string>("--subject", [u](const std::string& v) { u->subject = v; });
  update->add_option_function<std::string>("--description", [u](const std::string& v) { u->description = v; });
  update->add_option_function<std::string>("--model", [u](const std::string& v) { u->model = v; });
  update->add_option_function<int>("--priority", [u](int v) { u->priority = v; })->check(CLI::Range(1, 10));
  update->add_option_function<int>("--max-attempts", [u](int v) { u->max_attempts = v; })->check(CLI::Range(1, 100));
  update->add_option("--scheduled-for", (*utimes)["scheduled"], "ISO-8601 or +DURATION");
  update->add_option("--expires-at", (*utimes)["expires"], "ISO-8601 or +DURATION");
  update->add_flag("--json", ctx.json, "print JSON");
  update->callback([&ctx, uid, u, utimes, ustatus] {
    millis now = system_clock().now_ms();
    if (!(*utimes)["scheduled"].empty())
      u->scheduled_for = parse_time_flag("--scheduled-for", (*utimes)["scheduled"], now);
    if (!(*utimes)["expires"].empty())
      u->expires_at = parse_time_flag("--expires-at", (*utimes)["expires"], now);
    int64_t id = uid->get();
    bool fields = u->subject || u->description || u->model || u->priority || u->max_attempts || u->scheduled_for ||
                  u->expires_at;
    apply(ctx, id,
          [&](TaskStore& s) {
            ActionResult r = ustatus->empty() ? ActionResult::done() : s.reopen(id, "requeued by operator", kActor);
            return r.ok() && (fields || ustatus->empty()) ? s.update(id, *u, kActor) : r;
          },
          ustatus->empty() ? "updated task " + std::to_string(id) : "task " + std::to_string(id) + " is pending again");
  });

  // --- close
  auto* close = tasks->add_subcommand("close", "close a task: completed, failed or blocked (needs a person); "
                                                "inside a run, the run's own task");
  auto cid = add_id(close);
  auto cstatus = std::make_shared<std::string>();
  auto csummary = std::make_shared<std::string>();
  close->add_option("--status", *cstatus, "completed|failed|blocked")
      ->required()
      ->check(CLI::IsMember({"completed", "failed", "blocked"}));
  close->add_option("--summary", *csummary, "what was done, or why not");
  close->add_flag("--json", ctx.json, "print JSON");
  close->callback([&ctx, cid, cstatus, csummary] {
    int64_t id = cid->get();
    auto lease = own_run_lease(id);
    apply(ctx, id,
          [&](TaskStore& s) {
            // --status is checked to be one of the three.
            return s.close(id, parse_task_status(*cstatus).value_or(TaskStatus::failed), *csummary, kActor,
                           lease ? &*lease : nullptr);
          },
          "task " + std::to_string(id) + " closed as " + *cstatus);
  });

  // --- cancel
  auto* cancel = tasks->add_subcommand("cancel", "cancel a pending or active task");
  auto xid = add_id(cancel);
  auto reason = std::make_shared<std::string>();
  cancel->add_option("--reason", *reason, "why");
  cancel->add_flag("--json", ctx.json, "print JSON");
  cancel->callback([&ctx, xid, reason] {
    int64_t id = xid->get();
    apply(ctx, id, [&](TaskStore& s) { return s.cancel(id, *reason, kActor); }, "task " + std::to_string(id) + " cancelled");
  });

  add_prompt_command(tasks, ctx);
}

}  // namespace arc::cli
