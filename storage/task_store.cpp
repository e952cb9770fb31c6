#include "storage/task_store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

#include "core/budget.hpp"
#include "storage/runs.hpp"

namespace arc {
namespace {

const char* const kTaskColumns =
    "id, subject, description, priority, status, source, skills, parent_id, model, locks, "
    "scheduled_for, expires_at, attempts, max_attempts, lease_owner, lease_expires_at, "
    "created_at, started_at, finished_at, summary, failure_class, cost_usd, api_cost_usd, "
    "tokens_in, tokens_out, duration_ms, incident_id, lease_epoch";

// tasks.status as read: its CHECK admits only the known ones, so anything
// else is a database written by something newer, and said so.
TaskStatus stored_status(const std::string& text, int64_t id) {
  if (auto s = parse_task_status(text)) return *s;
  throw std::runtime_error("task " + std::to_string(id) + " has status \"" + text + "\", which this arc-runtime does "
                           "not know (" + status_list() + "); was the database written by a newer version?");
}

Task read_task(const Stmt& s) {
  Task t;
  t.id = s.col_int(0);
  t.subject = s.col_text(1);
  t.description = s.col_text(2);
  t.priority = static_cast<int>(s.col_int(3));
  t.status = stored_status(s.col_text(4), t.id);
  t.source = s.col_text(5);
  t.skills = names_from_json(s.col_text(6));
  t.parent_id = s.col_int(7);
  t.model = s.col_text(8);
  t.locks = names_from_json(s.col_text(9));
  t.scheduled_for = s.col_int(10);
  t.expires_at = s.col_int(11);
  t.attempts = static_cast<int>(s.col_int(12));
  t.max_attempts = static_cast<int>(s.col_int(13));
  t.lease_owner = s.col_text(14);
  t.lease_expires_at = s.col_int(15);
  t.created_at = s.col_int(16);
  t.started_at = s.col_int(17);
  t.finished_at = s.col_int(18);
  t.summary = s.col_text(19);
  t.failure_class = parse_failure_class(s.col_text(20));
  t.cost_usd = s.col_double(21);
  t.api_cost_usd = s.col_double(22);
  t.tokens_in = s.col_int(23);
  t.tokens_out = s.col_int(24);
  t.duration_ms = s.col_int(25);
  t.incident_id = s.col_int(26);
  t.lease_epoch = s.col_int(27);
  return t;
}

std::string sql(const std::string& head, const std::string& tail) {
  return head + kTaskColumns + tail;
}

}  // namespace

namespace hot_sql {
const char* const kHeldLocks =
    "SELECT locks FROM tasks INDEXED BY tasks_active WHERE status = 'active' AND locks != '[]'";
const char* const kNextReady =
    "SELECT id, locks, priority FROM tasks INDEXED BY tasks_ready WHERE status = 'pending' "
    "AND (scheduled_for IS NULL OR scheduled_for <= ?1) "
    "AND (expires_at IS NULL OR expires_at > ?1) "
    "ORDER BY priority, created_at, id";
const char* const kExpiredLeases =
    "SELECT id, attempts < max_attempts, lease_owner FROM tasks INDEXED BY tasks_active "
    "WHERE status = 'active' AND lease_expires_at < ?";
const char* const kExpiring =
    "SELECT id FROM tasks INDEXED BY tasks_expiring WHERE status = 'pending' AND "
    "expires_at IS NOT NULL AND expires_at <= ?";
}  // namespace hot_sql

std::string names_to_json(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }

std::vector<std::string> names_from_json(const std::string& text) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (auto& e : j)
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

TaskStore::TaskStore(Db& db, const Clock& clock, StoreOptions opts) : db_(db), clock_(clock), opts_(std::move(opts)) {}

double TaskStore::spent_today() {
  if (opts_.budget.daily_usd <= 0) return 0;
  millis day_start = budget_day(now(), opts_.budget.zone).start;
  if (day_start != spend_.day_start) spend_ = Spend{day_start, 0, 0};
  // Only the runs added since the last look: a claim stays an index probe.
  // (A batch rolled back after this read leaves the sum a little high until
  // the day ends: it errs on the side of the budget.)
  auto q = db_.prepare("SELECT coalesce(sum(cost_usd), 0), coalesce(max(id), ?1) FROM runs WHERE id > ?1 AND finished_at >= ?2");
  q.bind(1, spend_.last_run_id).bind(2, day_start);
  if (q.step()) {
    spend_.usd += q.col_double(0);
    spend_.last_run_id = q.col_int(1);
  }
  return spend_.usd;
}

void TaskStore::add_event(int64_t task_id, const std::string& actor, std::optional<TaskStatus> from, TaskStatus to,
                          const std::string& reason) {
  add_event_text(task_id, actor, from ? to_string(*from) : "", to_string(to), reason);
}

void TaskStore::add_event_text(int64_t task_id, const std::string& actor, const std::string& from,
                               const std::string& to, const std::string& reason) {
  db_.prepare("INSERT INTO task_events (task_id, at, actor, from_status, to_status, reason) "
              "VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, task_id)
      .bind(2, now())
      .bind(3, actor)
      .bind_text_or_null(4, from)
      .bind(5, to)
      .bind_text_or_null(6, reason)
      .run();
}

CreateResult TaskStore::create(const TaskSpec& spec, const std::string& actor) {
  if (auto why = validate(spec); !why.empty()) throw std::invalid_argument(why);
  if (!spec.source.empty()) {
    auto q = db_.prepare(
        "SELECT id FROM tasks WHERE source = ? AND status IN ('pending','active')");
    q.bind(1, spec.source);
    if (q.step()) return {q.col_int(0), false};
  }
  millis t = now();
  db_.prepare("INSERT INTO tasks (subject, description, priority, source, skills, parent_id, "
              "model, locks, scheduled_for, expires_at, max_attempts, created_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, spec.subject)
      .bind(2, spec.description)
      .bind(3, spec.priority)
      .bind_text_or_null(4, spec.source)
      .bind(5, names_to_json(spec.skills))
      .bind_int_or_null(6, spec.parent_id)
      .bind_text_or_null(7, spec.model)
      .bind(8, names_to_json(spec.locks))
      .bind_int_or_null(9, spec.scheduled_for)
      .bind_int_or_null(10, spec.expires_at)
      .bind(11, spec.max_attempts)
      .bind(12, t)
      .run();
  int64_t id = db_.last_insert_id();
  add_event(id, actor, std::nullopt, TaskStatus::pending, spec.source.empty() ? "" : "source " + spec.source);
  return {id, true};
}

bool TaskStore::gate_running() { return db_.scalar_int("SELECT state = 'running' FROM gate WHERE id = 1") != 0; }

std::vector<Task> TaskStore::claim(const std::string& owner, int max, millis lease_ms) {
  // The gate row is checked in the claim's own transaction too, so that
  // `arc dispatch pause` from another process stops claims at once, before
  // the gate actor's next read of the row.
  if (max <= 0 || !gate_running()) return {};
  return claim_gate_checked(owner, max, lease_ms);
}

std::vector<Task> TaskStore::claim_gate_checked(const std::string& owner, int max, millis lease_ms) {
  std::vector<Task> out;
  if (max <= 0) return out;
  millis t = now();
  // Locks held by running tasks (few rows: served by the tasks_active index).
  std::set<std::string> held;
  {
    auto q = db_.prepare(hot_sql::kHeldLocks);
    while (q.step())
      for (auto& l : names_from_json(q.col_text(0))) held.insert(l);
  }
  // Over the day's budget only the most urgent run (Arc: priority 1-2).
  int max_priority = opts_.budget.daily_usd > 0 ? claimable_priority(opts_.budget, spent_today()) : 10;
  // Walk the ready index in order and pick the first `max` runnable tasks.
  std::vector<int64_t> picked;
  {
    auto q = db_.prepare(hot_sql::kNextReady);
    q.bind(1, t);
    while (static_cast<int>(picked.size()) < max && q.step()) {
      if (q.col_int(2) > max_priority) break;  // in priority order: the rest wait for tomorrow's budget
      std::string locks_text = q.col_text(1);
      if (locks_text != "[]") {
        auto locks = names_from_json(locks_text);
        bool blocked = std::any_of(locks.begin(), locks.end(),
                                   [&](const std::string& l) { return held.count(l) > 0; });
        if (blocked) continue;  // waits for the lock; never failed for it
        held.insert(locks.begin(), locks.end());
      }
      picked.push_back(q.col_int(0));
    }
    q.reset();
  }
  // An UPDATE, then a read by rowid: UPDATE … RETURNING would build a
  // temporary b-tree (and allocate and free its page cache) for every task.
  static const std::string read_back = sql("SELECT ", " FROM tasks WHERE id = ?");
  for (int64_t id : picked) {
    db_.prepare("UPDATE tasks SET status = 'active', attempts = attempts + 1, lease_epoch = lease_epoch + 1, "
                "lease_owner = ?, lease_expires_at = ?, started_at = ?, "
                "finished_at = NULL WHERE id = ? AND status = 'pending'")
        .bind(1, owner)
        .bind(2, t + lease_ms)
        .bind(3, t)
        .bind(4, id)
        .run();
    if (db_.changes() == 0) continue;
    auto u = db_.prepare(read_back);
    u.bind(1, id);
    if (!u.step()) continue;
    Task task = read_task(u);
    u.reset();
    add_event(id, owner, TaskStatus::pending, TaskStatus::active,
              "claimed, attempt " + std::to_string(task.attempts) + "/" +
                  std::to_string(task.max_attempts));
    out.push_back(std::move(task));
  }
  return out;
}

bool TaskStore::last_move_was_by(int64_t id, const std::string& owner) {
  auto q = db_.prepare(
      "SELECT actor = ? AND from_status = 'active' FROM task_events INDEXED BY task_events_task WHERE task_id = ? "
      "AND to_status != 'refused' ORDER BY id DESC LIMIT 1");
  q.bind(1, owner).bind(2, id);
  return q.step() && q.col_int(0) != 0;
}

void TaskStore::record_run(const TaskOutcome& o, int attempt, const std::string& outcome) {
  const ExecOutcome& x = o.result;
  RunRow r;
  r.task_id = o.id;
  r.attempt = attempt;
  r.lease_epoch = o.epoch;
  r.owner = o.owner;
  r.executor = o.run.executor;
  r.model = x.model.empty() ? o.run.model : x.model;
  r.skills = o.run.skills.empty() ? "[]" : o.run.skills;
  r.finished_at = now();
  r.started_at = o.run.started_at ? o.run.started_at : r.finished_at - o.duration_ms;
  r.duration_ms = o.duration_ms;
  r.outcome = outcome;
  r.failure_class = to_string(x.failure_class);
  r.summary = x.summary;
  r.cost_usd = x.cost_usd;
  r.api_cost_usd = x.api_cost_usd;
  r.tokens_in = x.tokens_in;
  r.tokens_out = x.tokens_out;
  r.cache_read_tokens = x.cache_read_tokens;
  r.cache_write_tokens = x.cache_write_tokens;
  r.turns = x.turns;
  r.rate_limit = x.rate_limit;
  insert_run(db_, r);
}

FinishResult TaskStore::finish(const TaskOutcome& outcome) {
  const ExecOutcome& o = outcome.result;
  int attempts = 0, max_attempts = 0;
  {
    auto q = db_.prepare("SELECT attempts, max_attempts, status, lease_owner, lease_epoch FROM tasks WHERE id = ?");
    q.bind(1, outcome.id);
    if (!q.step()) return FinishResult::refused();
    attempts = static_cast<int>(q.col_int(0));
    max_attempts = static_cast<int>(q.col_int(1));
    TaskStatus now_status = stored_status(q.col_text(2), outcome.id);
    std::string now_owner = q.col_text(3);
    int64_t now_epoch = q.col_int(4);
    q.reset();
    bool same_lease = outcome.epoch == 0 || outcome.epoch == now_epoch;
    if (now_status != TaskStatus::active && outcome.epoch != 0 && outcome.epoch == now_epoch &&
        last_move_was_by(outcome.id, outcome.owner)) {
      // This very result was recorded already and its answer was lost on
      // the way (a cluster worker's connection dropped): the same answer
      // again, and nothing written twice.
      return FinishResult::recorded_as(now_status);
    }
    if (now_status != TaskStatus::active && now_owner == outcome.owner && same_lease) {
      // The agent closed its own task while its run went on (close() under
      // the run's lease kept the lease): its status and summary stand; the
      // run adds what it cost.
      add_run_to_closed_task(outcome, now_status, attempts);
      return FinishResult::recorded_as(now_status);
    }
    if (now_status != TaskStatus::active || now_owner != outcome.owner || !same_lease) {
      // Fencing: the lease this run held is gone. Keep the refused result in
      // the task's history; never let it overwrite a re-run. The same refused
      // result delivered again (its answer was lost) is not written twice.
      refuse_late_result(outcome, now_status, now_owner, now_epoch, attempts);
      return FinishResult::refused();
    }
  }
  Transition t = after_run(o, attempts, max_attempts, opts_.retry, now());
  RunTally tally{o.cost_usd, o.api_cost_usd, o.tokens_in, o.tokens_out, outcome.duration_ms};
  apply(outcome.id, t, outcome.owner, &tally);
  record_run(outcome, attempts, to_string(o.outcome()));
  return FinishResult::recorded_as(t.to);
}

void TaskStore::add_run_to_closed_task(const TaskOutcome& outcome, TaskStatus closed_as, int attempts) {
  const ExecOutcome& o = outcome.result;
  db_.prepare("UPDATE tasks SET lease_owner = NULL, lease_expires_at = NULL, cost_usd = cost_usd + ?, "
              "api_cost_usd = api_cost_usd + ?, tokens_in = tokens_in + ?, tokens_out = tokens_out + ?, "
              "duration_ms = ? WHERE id = ?")
      .bind(1, o.cost_usd)
      .bind(2, o.api_cost_usd)
      .bind(3, o.tokens_in)
      .bind(4, o.tokens_out)
      .bind(5, outcome.duration_ms)
      .bind(6, outcome.id)
      .run();
  char cost[32];
  std::snprintf(cost, sizeof cost, "$%.4f", o.cost_usd);
  add_event(outcome.id, outcome.owner, TaskStatus::active, closed_as,
            "run ended after its agent closed the task (run: " + std::string(to_string(o.outcome())) + ", " + cost + ", " +
                std::to_string(outcome.duration_ms / 1000) + " s)");
  record_run(outcome, attempts, to_string(o.outcome()));
}

void TaskStore::refuse_late_result(const TaskOutcome& outcome, TaskStatus now_status,
                                   const std::string& now_owner, int64_t now_epoch, int attempts) {
  auto seen = db_.prepare("SELECT 1 FROM runs INDEXED BY runs_task WHERE task_id = ? AND lease_epoch = ? AND "
                          "owner = ? AND outcome = 'refused'");
  seen.bind(1, outcome.id).bind(2, outcome.epoch).bind(3, outcome.owner);
  if (seen.step()) return;
  seen.reset();
  // to_status "refused" is an event, not a status the task takes.
  add_event_text(outcome.id, outcome.owner, to_string(now_status), "refused",
            "late result refused (" + std::string(to_string(outcome.result.outcome())) + ", lease epoch " +
                std::to_string(outcome.epoch) + "): the task is " + to_string(now_status) + (now_owner.empty() ? std::string() : " under " + now_owner) +
                " at epoch " + std::to_string(now_epoch));
  record_run(outcome, attempts, "refused");
}

bool TaskStore::apply(int64_t id, const Transition& t, const std::string& actor, const RunTally* run) {
  RunTally none;
  const RunTally& r = run ? *run : none;
  auto q = db_.prepare(
      "UPDATE tasks SET status = ?1, lease_owner = NULL, lease_expires_at = NULL, finished_at = ?2, "
      "summary = CASE WHEN ?3 THEN ?4 ELSE summary END, failure_class = CASE WHEN ?5 THEN ?6 ELSE failure_class END, "
      "attempts = attempts + ?7, scheduled_for = COALESCE(?8, scheduled_for), cost_usd = cost_usd + ?9, "
      "api_cost_usd = api_cost_usd + ?10, tokens_in = tokens_in + ?11, tokens_out = tokens_out + ?12, "
      "duration_ms = CASE WHEN ?13 THEN ?14 ELSE duration_ms END WHERE id = ?15 AND status = ?16");
  q.bind(1, to_string(t.to))
      .bind_int_or_null(2, t.terminal() ? now() : 0)
      .bind(3, t.summary.has_value() ? 1 : 0)
      .bind_text_or_null(4, t.summary.value_or(""))
      .bind(5, t.failure_class.has_value() ? 1 : 0)
      .bind_text_or_null(6, to_string(t.failure_class.value_or(FailureClass::none)))
      .bind(7, t.attempt_delta)
      .bind_int_or_null(8, t.retry_at)
      .bind(9, r.cost_usd)
      .bind(10, r.api_cost_usd)
      .bind(11, r.tokens_in)
      .bind(12, r.tokens_out)
      .bind(13, run ? 1 : 0)
      .bind(14, r.duration_ms)
      .bind(15, id)
      .bind(16, to_string(t.from));
  q.run();
  if (db_.changes() != 1) return false;
  add_event(id, actor, t.from, t.to, t.reason);
  return true;
}

// Closed by its own agent (close() under its lease) less than the grace ago:
// the run may still be ending by itself.
bool TaskStore::held_after_self_close(int64_t id, const std::string& owner) {
  auto q = db_.prepare("SELECT 1 FROM tasks WHERE id = ? AND status != 'active' AND lease_owner = ? AND finished_at > ?");
  q.bind(1, id).bind(2, owner).bind(3, now() - opts_.self_close_grace_ms);
  return q.step();
}

std::vector<int64_t> TaskStore::renew(const std::string& owner, const std::vector<int64_t>& ids,
                                      millis lease_ms) {
  std::vector<int64_t> lost;
  millis until = now() + lease_ms;
  for (int64_t id : ids) {
    db_.prepare("UPDATE tasks SET lease_expires_at = ? WHERE id = ? AND status = 'active' AND "
                "lease_owner = ?")
        .bind(1, until)
        .bind(2, id)
        .bind(3, owner)
        .run();
    if (db_.changes() == 0 && !held_after_self_close(id, owner)) lost.push_back(id);
  }
  return lost;
}

bool TaskStore::requeue(int64_t id, const std::string& owner, const std::string& reason) {
  db_.prepare("UPDATE tasks SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, "
              "attempts = max(attempts - 1, 0) WHERE id = ? AND status = 'active' AND "
              "lease_owner = ?")
      .bind(1, id)
      .bind(2, owner)
      .run();
  if (db_.changes() == 0) return false;
  add_event(id, owner, TaskStatus::active, TaskStatus::pending, reason);
  return true;
}

int TaskStore::release_unheld(const std::string& owner, const std::vector<int64_t>& running) {
  std::vector<int64_t> held;
  {
    auto q = db_.prepare("SELECT id FROM tasks INDEXED BY tasks_active WHERE status = 'active' AND lease_owner = ?");
    q.bind(1, owner);
    while (q.step()) held.push_back(q.col_int(0));
  }
  int n = 0;
  for (int64_t id : held)
    if (std::find(running.begin(), running.end(), id) == running.end())
      n += requeue(id, owner, "claimed, but the claim's answer was lost in a crash; requeued, attempt not spent");
  return n;
}

int TaskStore::recover_expired_leases(const std::string& actor) {
  std::vector<std::pair<int64_t, bool>> found;  // id, attempts left
  {
    auto q = db_.prepare(hot_sql::kExpiredLeases);
    q.bind(1, now());
    while (q.step()) found.emplace_back(q.col_int(0), q.col_int(1) != 0);
  }
  for (auto& [id, retry] : found) apply(id, lost_run(LostRun::lease_expired, retry), actor);
  return static_cast<int>(found.size());
}

int TaskStore::expire_stale(const std::string& actor) {
  std::vector<int64_t> ids;
  millis t = now();
  {
    auto q = db_.prepare(hot_sql::kExpiring);
    q.bind(1, t);
    while (q.step()) ids.push_back(q.col_int(0));
  }
  for (int64_t id : ids) apply(id, expired_unrun(), actor);
  return static_cast<int>(ids.size());
}

std::optional<Task> TaskStore::get(int64_t id) {
  auto q = db_.prepare(sql("SELECT ", " FROM tasks WHERE id = ?"));
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  Task t = read_task(q);
  q.reset();
  if (t.status == TaskStatus::failed && t.incident_id == 0) {  // in an outage's window?
    auto w = db_.prepare("SELECT id FROM incidents WHERE kind = 'outage' AND window_start <= ?1 AND "
                         "window_end >= ?1 LIMIT 1");
    w.bind(1, t.finished_at);
    if (w.step()) t.incident_id = w.col_int(0);
  }
  return t;
}

std::vector<TaskEvent> TaskStore::events(int64_t task_id) {
  std::vector<TaskEvent> out;
  auto q = db_.prepare(
      "SELECT id, task_id, at, actor, from_status, to_status, reason FROM task_events "
      "WHERE task_id = ? ORDER BY id");
  q.bind(1, task_id);
  while (q.step())
    out.push_back({q.col_int(0), q.col_int(1), q.col_int(2), q.col_text(3), q.col_text(4),
                   q.col_text(5), q.col_text(6)});
  return out;
}

std::vector<Task> TaskStore::list(const TaskFilter& f) {
  std::vector<Task> out;
  int64_t after = f.after_id > 0 ? f.after_id : INT64_MAX;
  auto q = !f.status
                ? db_.prepare(sql("SELECT ", " FROM tasks WHERE id < ?1 ORDER BY id DESC LIMIT ?2"))
                : db_.prepare(sql("SELECT ", " FROM tasks WHERE id < ?1 AND status = ?3 "
                                             "ORDER BY id DESC LIMIT ?2"));
  q.bind(1, after).bind(2, f.limit);
  if (f.status) q.bind(3, to_string(*f.status));
  while (q.step()) out.push_back(read_task(q));
  return out;
}

std::vector<Task> TaskStore::active() {
  std::vector<Task> out;
  auto q = db_.prepare(sql("SELECT ", " FROM tasks INDEXED BY tasks_active WHERE status = 'active' ORDER BY started_at"));
  while (q.step()) out.push_back(read_task(q));
  return out;
}

ActionResult TaskStore::set_terminal(int64_t id, TaskStatus to, const std::string& summary,
                                     FailureClass failure_class, const std::string& actor) {
  auto t = get(id);
  if (!t) return ActionResult::refused("no task with id " + std::to_string(id));
  // A blocked task waits for a person, who may close or cancel it.
  if (is_terminal(t->status) && t->status != TaskStatus::blocked)
    return ActionResult::refused("task " + std::to_string(id) + " is already " + to_string(t->status));
  // An active task's lease is dropped: its runner learns at the next lease
  // renewal that it lost the task, and stops it.
  db_.prepare("UPDATE tasks SET status = ?, finished_at = ?, summary = COALESCE(?, summary), "
              "failure_class = ?, lease_owner = NULL, lease_expires_at = NULL WHERE id = ?")
      .bind(1, to_string(to))
      .bind(2, now())
      .bind_text_or_null(3, summary)
      .bind_text_or_null(4, to_string(failure_class))
      .bind(5, id)
      .run();
  add_event(id, actor, t->status, to, summary);
  return ActionResult::done();
}

ActionResult TaskStore::cancel(int64_t id, const std::string& reason, const std::string& actor) {
  return set_terminal(id, TaskStatus::cancelled, reason.empty() ? "cancelled" : reason, FailureClass::none, actor);
}

ActionResult TaskStore::close(int64_t id, TaskStatus new_status, const std::string& summary, const std::string& actor,
                              const RunLease* lease) {
  if (new_status != TaskStatus::completed && new_status != TaskStatus::failed && new_status != TaskStatus::blocked)
    return ActionResult::refused(std::string("status must be completed, failed or blocked, got \"") +
                                 to_string(new_status) + "\"");
  FailureClass failure_class = new_status == TaskStatus::failed    ? FailureClass::closed_by_operator
                               : new_status == TaskStatus::blocked ? FailureClass::blocked
                                                                   : FailureClass::none;
  if (!lease || lease->task_id != id) return set_terminal(id, new_status, summary, failure_class, actor);
  // The run that holds the task closes it: its lease is kept, so that the
  // run's end is still recorded against it (finish) and its renewals still
  // hold for the grace.
  auto t = get(id);
  if (!t) return ActionResult::refused("no task with id " + std::to_string(id));
  if (t->status != TaskStatus::active || t->lease_epoch != lease->epoch)
    return ActionResult::refused("task " + std::to_string(id) + " is " + to_string(t->status) +
                                 (t->status == TaskStatus::active ? " under another run" : "") +
                                 ": this run (lease epoch " + std::to_string(lease->epoch) +
                                 ") no longer holds it, so it cannot close it");
  if (new_status == TaskStatus::failed) failure_class = FailureClass::task_failed;
  db_.prepare("UPDATE tasks SET status = ?, finished_at = ?, summary = COALESCE(?, summary), failure_class = ? "
              "WHERE id = ? AND status = 'active' AND lease_epoch = ?")
      .bind(1, to_string(new_status))
      .bind(2, now())
      .bind_text_or_null(3, summary)
      .bind_text_or_null(4, to_string(failure_class))
      .bind(5, id)
      .bind(6, lease->epoch)
      .run();
  add_event(id, "agent", TaskStatus::active, new_status, summary.empty() ? "closed by its agent" : summary);
  return ActionResult::done();
}

ActionResult TaskStore::reopen(int64_t id, const std::string& reason, const std::string& actor) {
  auto t = get(id);
  if (!t) return ActionResult::refused("no task with id " + std::to_string(id));
  if (t->status == TaskStatus::completed)
    return ActionResult::refused("task " + std::to_string(id) +
                                 " is completed: its work was done, so it is not run again (add a new task)");
  if (!is_terminal(t->status))
    return ActionResult::refused("task " + std::to_string(id) + " is " + to_string(t->status) +
                                 "; only failed, blocked, cancelled or expired tasks go back to pending");
  if (!t->source.empty()) {
    auto q = db_.prepare("SELECT id FROM tasks WHERE source = ? AND status IN ('pending','active') AND id != ?");
    q.bind(1, t->source).bind(2, id);
    if (q.step())
      return ActionResult::refused("task " + std::to_string(q.col_int(0)) + " is already open for source " +
                                   t->source + "; close it first or leave this one closed");
  }
  db_.prepare("UPDATE tasks SET status = 'pending', attempts = 0, finished_at = NULL, failure_class = NULL, "
              "lease_owner = NULL, lease_expires_at = NULL, scheduled_for = NULL, expires_at = NULL WHERE id = ?")
      .bind(1, id)
      .run();
  add_event(id, actor, t->status, TaskStatus::pending, reason.empty() ? "requeued by operator" : reason);
  return ActionResult::done();
}

ActionResult TaskStore::update(int64_t id, const TaskUpdate& u, const std::string& actor) {
  auto t = get(id);
  if (!t) return ActionResult::refused("no task with id " + std::to_string(id));
  if (t->status != TaskStatus::pending)
    return ActionResult::refused("task " + std::to_string(id) + " is " + to_string(t->status) +
                                 "; only pending tasks can be updated");
  TaskSpec spec;
  spec.subject = u.subject.value_or(t->subject);
  spec.description = u.description.value_or(t->description);
  spec.model = u.model.value_or(t->model);
  spec.priority = u.priority.value_or(t->priority);
  spec.max_attempts = u.max_attempts.value_or(t->max_attempts);
  spec.scheduled_for = u.scheduled_for.value_or(t->scheduled_for);
  spec.expires_at = u.expires_at.value_or(t->expires_at);
  if (auto why = validate(spec); !why.empty()) return ActionResult::refused(why);
  db_.prepare("UPDATE tasks SET subject = ?, description = ?, model = ?, priority = ?, "
              "max_attempts = ?, scheduled_for = ?, expires_at = ? WHERE id = ? AND status = "
              "'pending'")
      .bind(1, spec.subject)
      .bind(2, spec.description)
      .bind_text_or_null(3, spec.model)
      .bind(4, spec.priority)
      .bind(5, spec.max_attempts)
      .bind_int_or_null(6, spec.scheduled_for)
      .bind_int_or_null(7, spec.expires_at)
      .bind(8, id)
      .run();
  add_event(id, actor, TaskStatus::pending, TaskStatus::pending, "updated by operator");
  return ActionResult::done();
}

}  // namespace arc
