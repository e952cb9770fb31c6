#include "storage/arc_import.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "core/task.hpp"
#include "core/time_text.hpp"
#include "storage/runs.hpp"
#include "storage/task_store.hpp"

namespace arc {
namespace {

std::set<std::string> columns_of(Db& db, const std::string& table) {
  std::set<std::string> out;
  auto q = db.prepare("SELECT name FROM pragma_table_info(?)");
  q.bind(1, table);
  while (q.step()) out.insert(q.col_text(0));
  return out;
}

// A column, or NULL when this Arc database is older than the column.
std::string col(const std::set<std::string>& have, const std::string& name) {
  return have.count(name) ? name : "NULL";
}

// Arc's skills: a JSON array, or (hand-written rows) "a,b".
std::vector<std::string> arc_skills(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array()) {
    for (auto& e : j)
      if (e.is_string() && !e.get<std::string>().empty()) out.push_back(e.get<std::string>());
    return out;
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string s = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t") + 1);
    if (!s.empty()) out.push_back(s);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

millis arc_time(const std::string& text) {
  if (text.empty()) return 0;
  std::string t = text;
  if (t.size() == 19 && t[10] == ' ') t[10] = 'T';
  if (t.size() == 10) t += "T00:00:00";
  auto v = parse_iso_instant(t);
  return v ? *v : -1;
}

ImportReport import_arc_starter(const std::string& arc_db, Db& target, const Clock& clock, bool into_non_empty) {
  Db::Options ro;
  ro.read_only = true;
  ro.create = false;
  Db arc(arc_db, ro);
  auto task_cols = columns_of(arc, "tasks");
  auto cycle_cols = columns_of(arc, "cycle_log");
  for (const char* needed : {"id", "subject", "status", "priority", "created_at"})
    if (!task_cols.count(needed))
      throw std::runtime_error(arc_db + ": no Arc tasks table (it lacks tasks." + std::string(needed) +
                               "); give the db/arc.sqlite of an arc-starter agent");
  ImportReport rep;
  int64_t existing = target.scalar_int("SELECT count(*) FROM tasks");
  if (existing > 0 && !into_non_empty)
    throw std::runtime_error("the target database already has " + std::to_string(existing) +
                             " tasks; import into a new database, or pass --into-non-empty (Arc's ids are then shifted)");
  rep.id_offset = existing > 0 ? target.scalar_int("SELECT coalesce(max(id), 0) FROM tasks") : 0;
  millis now = clock.now_ms();
  std::map<std::string, int64_t> unmapped_counts;
  auto note = [&](const std::string& what) { ++unmapped_counts[what]; };
  Transaction tx(target);
  TaskStore store(target, clock);
  // One open task per source: the target's open tasks count too.
  std::set<std::string> open_sources;
  {
    auto q = target.prepare("SELECT source FROM tasks WHERE source IS NOT NULL AND status IN ('pending','active')");
    while (q.step()) open_sources.insert(q.col_text(0));
  }
  {
    auto q = arc.prepare("SELECT id, subject, " + col(task_cols, "description") + ", " + col(task_cols, "skills") +
                         ", priority, status, " + col(task_cols, "source") + ", " + col(task_cols, "parent_id") + ", " +
                         col(task_cols, "scheduled_for") + ", created_at, " + col(task_cols, "started_at") + ", " +
                         col(task_cols, "completed_at") + ", " + col(task_cols, "result_summary") + ", " +
                         col(task_cols, "cost_usd") + ", " + col(task_cols, "api_cost_usd") + ", " +
                         col(task_cols, "tokens_in") + ", " + col(task_cols, "tokens_out") + ", " +
                         col(task_cols, "attempt_count") + ", " + col(task_cols, "max_retries") + ", " +
                         col(task_cols, "model") + ", " + col(task_cols, "script") + ", " +
                         col(task_cols, "result_detail") + ", " + col(task_cols, "stop_condition") + ", " +
                         col(task_cols, "assigned_to") + " FROM tasks ORDER BY id");
    while (q.step()) {
      int64_t arc_id = q.col_int(0);
      std::string arc_status = q.col_text(5);
      std::string reason = "imported from Arc (" + arc_db + ") as " + arc_status;
      std::optional<TaskStatus> known = parse_task_status(arc_status);
      TaskStatus status = known.value_or(TaskStatus::failed);
      if (status == TaskStatus::active) {
        status = TaskStatus::pending;  // its cycle died with Arc: run it again
        ++rep.requeued_active;
        reason += "; its cycle was in flight, so it is pending again";
      } else if (!known || (status != TaskStatus::pending && status != TaskStatus::completed &&
                            status != TaskStatus::failed && status != TaskStatus::blocked)) {
        note("tasks with status \"" + arc_status + "\" (imported as failed)");
        status = TaskStatus::failed;
      }
      std::string source = q.col_text(6);
      bool open = status == TaskStatus::pending;
      if (open && !source.empty() && !open_sources.insert(source).second) {
        note("open tasks whose source another open task has (imported as cancelled: arc-runtime keeps one open "
             "task per source)");
        status = TaskStatus::cancelled;
        open = false;
      }
      int priority = q.col_null(4) ? 5 : static_cast<int>(q.col_int(4));  // Arc's default when it has none
      if (priority < 1 || priority > 10) {
        note("priorities outside 1..10 (clamped)");
        priority = std::clamp(priority, 1, 10);
      }
      millis created = arc_time(q.col_text(9)), started = arc_time(q.col_text(10)),
             completed = arc_time(q.col_text(11)), scheduled = arc_time(q.col_text(8));
      for (millis* t : {&created, &started, &completed, &scheduled})
        if (*t < 0) {
          note("times that could not be read (left empty)");
          *t = 0;
        }
      if (!created) created = now;
      millis finished = open ? 0 : completed ? completed : started ? started : created;
      int max_attempts = static_cast<int>(q.col_null(18) ? 3 : std::clamp<int64_t>(q.col_int(18), 1, 100));
      if (!q.col_null(20) && !q.col_text(20).empty()) note("script tasks (Arc ran their script with bash -c; the script is kept in the description)");
      if (!q.col_null(21) && !q.col_text(21).empty()) note("result_detail texts (not kept)");
      if (!q.col_null(22) && !q.col_text(22).empty()) note("stop conditions (kept in the description)");
      if (!q.col_null(23) && !q.col_text(23).empty()) note("assigned_to values (not kept)");
      std::string description = q.col_text(2);
      if (!q.col_null(22) && !q.col_text(22).empty()) description += "\n\nStop condition: " + q.col_text(22);
      if (!q.col_null(20) && !q.col_text(20).empty()) description += "\n\nArc script: " + q.col_text(20);
      int64_t parent = q.col_int(7);
      std::string model = q.col_text(19);
      TaskSpec model_check;
      model_check.subject = "x";
      model_check.model = model;
      if (!validate(model_check).empty()) {
        note("models that are not a model name (left empty)");
        model.clear();
      }
      target.prepare("INSERT INTO tasks (id, subject, description, priority, status, source, skills, parent_id, model, "
                     "scheduled_for, attempts, max_attempts, created_at, started_at, finished_at, summary, "
                     "failure_class, cost_usd, api_cost_usd, tokens_in, tokens_out) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
          .bind(1, arc_id + rep.id_offset)
          .bind(2, q.col_text(1).empty() ? std::string("(no subject)") : sanitize_text(q.col_text(1), 1000))
          .bind(3, sanitize_text(description, 1'000'000))
          .bind(4, priority)
          .bind(5, to_string(status))
          .bind_text_or_null(6, source)
          .bind(7, names_to_json(arc_skills(q.col_text(3))))
          .bind_int_or_null(8, parent ? parent + rep.id_offset : 0)
          .bind_text_or_null(9, model)
          .bind_int_or_null(10, scheduled)
          .bind(11, open ? 0 : std::clamp<int64_t>(q.col_int(17), 0, max_attempts))
          .bind(12, max_attempts)
          .bind(13, created)
          .bind_int_or_null(14, open ? 0 : started)
          .bind_int_or_null(15, finished)
          .bind_text_or_null(16, sanitize_text(q.col_text(12), 4000))
          .bind_text_or_null(17, to_string(status == TaskStatus::failed    ? FailureClass::imported
                                           : status == TaskStatus::blocked ? FailureClass::blocked
                                                                           : FailureClass::none))
          .bind(18, q.col_double(13))
          .bind(19, q.col_double(14))
          .bind(20, q.col_int(15))
          .bind(21, q.col_int(16))
          .run();
      store.add_event(arc_id + rep.id_offset, "import", std::nullopt, status, reason);
      ++rep.tasks;
      ++rep.tasks_by_status[to_string(status)];
    }
  }
  if (!cycle_cols.empty()) {
    auto q = arc.prepare("SELECT task_id, started_at, " + col(cycle_cols, "completed_at") + ", " +
                         col(cycle_cols, "duration_ms") + ", " + col(cycle_cols, "cost_usd") + ", " +
                         col(cycle_cols, "api_cost_usd") + ", " + col(cycle_cols, "tokens_in") + ", " +
                         col(cycle_cols, "tokens_out") + ", " + col(cycle_cols, "model") + ", " +
                         col(cycle_cols, "skill_hashes") + ", " + col(cycle_cols, "skills_loaded") +
                         " FROM cycle_log ORDER BY id");
    while (q.step()) {
      RunRow r;
      r.task_id = q.col_null(0) ? 0 : q.col_int(0) + rep.id_offset;
      r.started_at = arc_time(q.col_text(1));
      millis done = arc_time(q.col_text(2));
      if (r.started_at <= 0) {
        note("cycles without a readable start (skipped)");
        continue;
      }
      r.duration_ms = q.col_int(3);
      r.finished_at = done > 0 ? done : r.started_at + r.duration_ms;
      if (!r.duration_ms && done > 0) r.duration_ms = done - r.started_at;
      r.cost_usd = q.col_double(4);
      r.api_cost_usd = q.col_double(5);
      r.tokens_in = q.col_int(6);
      r.tokens_out = q.col_int(7);
      r.model = q.col_text(8);
      r.executor = "arc-starter";
      r.outcome = done > 0 ? "imported" : "imported (unfinished)";
      auto skills = nlohmann::json::array();
      auto hashes = nlohmann::json::parse(q.col_text(9), nullptr, false);
      if (hashes.is_object()) {
        for (auto& [name, hash] : hashes.items())
          skills.push_back({{"name", name}, {"sha256", hash.is_string() ? hash.get<std::string>() : ""}});
      } else {
        for (auto& name : arc_skills(q.col_text(10))) skills.push_back({{"name", name}});
      }
      r.skills = skills.dump();
      insert_run(target, r);
      ++rep.runs;
    }
  } else {
    rep.unmapped.push_back("no cycle_log table: no runs imported");
  }
  for (auto& [what, n] : unmapped_counts) rep.unmapped.push_back(std::to_string(n) + " " + what);
  tx.commit();
  return rep;
}

}  // namespace arc
