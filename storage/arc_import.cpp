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

namespace {

// What one import carries through its steps.
struct Import {
  std::string arc_db;  // its path, for the events' reasons
  Db& arc;
  Db& target;
  TaskStore store;
  millis now = 0;
  ImportReport rep;
  std::map<std::string, int64_t> notes;  // what was not carried over as it was, counted
  std::set<std::string> open_sources;    // one open task per source, the target's counted too
  void note(const std::string& what) { ++notes[what]; }
};

// Arc's status (and source) as arc-runtime keeps it, with the reason for the event.
TaskStatus imported_status(Import& im, const std::string& arc_status, const std::string& source, std::string& reason) {
  reason = "imported from Arc (" + im.arc_db + ") as " + arc_status;
  std::optional<TaskStatus> known = parse_task_status(arc_status);
  TaskStatus status = known.value_or(TaskStatus::failed);
  if (status == TaskStatus::active) {
    status = TaskStatus::pending;  // its cycle died with Arc: run it again
    ++im.rep.requeued_active;
    reason += "; its cycle was in flight, so it is pending again";
  } else if (!known || (status != TaskStatus::pending && status != TaskStatus::completed &&
                        status != TaskStatus::failed && status != TaskStatus::blocked)) {
    im.note("tasks with status \"" + arc_status + "\" (imported as failed)");
    status = TaskStatus::failed;
  }
  if (status == TaskStatus::pending && !source.empty() && !im.open_sources.insert(source).second) {
    im.note("open tasks whose source another open task has (imported as cancelled: arc-runtime keeps one open "
            "task per source)");
    status = TaskStatus::cancelled;
  }
  return status;
}

// The columns of Arc's tasks table read, in this order (NULL where this
// Arc database is older than the column).
std::string task_select(const std::set<std::string>& have) {
  std::string cols = "id, subject";
  for (const char* c : {"description", "skills"}) cols += ", " + col(have, c);
  cols += ", priority, status";
  for (const char* c : {"source", "parent_id", "scheduled_for"}) cols += ", " + col(have, c);
  cols += ", created_at";
  for (const char* c : {"started_at", "completed_at", "result_summary", "cost_usd", "api_cost_usd", "tokens_in",
                        "tokens_out", "attempt_count", "max_retries", "model", "script", "result_detail",
                        "stop_condition", "assigned_to"})
    cols += ", " + col(have, c);
  return "SELECT " + cols + " FROM tasks ORDER BY id";
}
enum TaskCol { kId, kSubject, kDescription, kSkills, kPriority, kStatus, kSource, kParent, kScheduled, kCreated,
               kStarted, kCompleted, kSummary, kCost, kApiCost, kTokensIn, kTokensOut, kAttempts, kMaxRetries,
               kModel, kScript, kResultDetail, kStopCondition, kAssignedTo };

// The description, with what Arc kept beside it that arc-runtime has no column for.
std::string imported_description(Import& im, const Stmt& q) {
  auto has = [&](int c) { return !q.col_null(c) && !q.col_text(c).empty(); };
  if (has(kScript)) im.note("script tasks (Arc ran their script with bash -c; the script is kept in the description)");
  if (has(kResultDetail)) im.note("result_detail texts (not kept)");
  if (has(kStopCondition)) im.note("stop conditions (kept in the description)");
  if (has(kAssignedTo)) im.note("assigned_to values (not kept)");
  std::string description = q.col_text(kDescription);
  if (has(kStopCondition)) description += "\n\nStop condition: " + q.col_text(kStopCondition);
  if (has(kScript)) description += "\n\nArc script: " + q.col_text(kScript);
  return sanitize_text(description, 1'000'000);
}

// A model name, or "" (noted) for what is not one (it would reach an argv).
std::string imported_model(Import& im, std::string model) {
  TaskSpec check;
  check.subject = "x";
  check.model = model;
  if (validate(check).empty()) return model;
  im.note("models that are not a model name (left empty)");
  return {};
}

void import_task(Import& im, const Stmt& q) {
  int64_t id = q.col_int(kId) + im.rep.id_offset;
  std::string source = q.col_text(kSource), reason;
  TaskStatus status = imported_status(im, q.col_text(kStatus), source, reason);
  bool open = status == TaskStatus::pending;
  int priority = q.col_null(kPriority) ? 5 : static_cast<int>(q.col_int(kPriority));  // Arc's default when it has none
  if (priority < 1 || priority > 10) {
    im.note("priorities outside 1..10 (clamped)");
    priority = std::clamp(priority, 1, 10);
  }
  millis created = arc_time(q.col_text(kCreated)), started = arc_time(q.col_text(kStarted)),
         completed = arc_time(q.col_text(kCompleted)), scheduled = arc_time(q.col_text(kScheduled));
  for (millis* t : {&created, &started, &completed, &scheduled})
    if (*t < 0) {
      im.note("times that could not be read (left empty)");
      *t = 0;
    }
  if (!created) created = im.now;
  millis finished = open ? 0 : completed ? completed : started ? started : created;
  int max_attempts = static_cast<int>(q.col_null(kMaxRetries) ? 3 : std::clamp<int64_t>(q.col_int(kMaxRetries), 1, 100));
  int64_t parent = q.col_int(kParent);
  im.target
      .prepare("INSERT INTO tasks (id, subject, description, priority, status, source, skills, parent_id, model, "
               "scheduled_for, attempts, max_attempts, created_at, started_at, finished_at, summary, "
               "failure_class, cost_usd, api_cost_usd, tokens_in, tokens_out) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, id)
      .bind(2, q.col_text(kSubject).empty() ? std::string("(no subject)") : sanitize_text(q.col_text(kSubject), 1000))
      .bind(3, imported_description(im, q))
      .bind(4, priority)
      .bind(5, to_string(status))
      .bind_text_or_null(6, source)
      .bind(7, names_to_json(arc_skills(q.col_text(kSkills))))
      .bind_int_or_null(8, parent ? parent + im.rep.id_offset : 0)
      .bind_text_or_null(9, imported_model(im, q.col_text(kModel)))
      .bind_int_or_null(10, scheduled)
      .bind(11, open ? 0 : std::clamp<int64_t>(q.col_int(kAttempts), 0, max_attempts))
      .bind(12, max_attempts)
      .bind(13, created)
      .bind_int_or_null(14, open ? 0 : started)
      .bind_int_or_null(15, finished)
      .bind_text_or_null(16, sanitize_text(q.col_text(kSummary), 4000))
      .bind_text_or_null(17, to_string(status == TaskStatus::failed    ? FailureClass::imported
                                       : status == TaskStatus::blocked ? FailureClass::blocked
                                                                       : FailureClass::none))
      .bind(18, q.col_double(kCost))
      .bind(19, q.col_double(kApiCost))
      .bind(20, q.col_int(kTokensIn))
      .bind(21, q.col_int(kTokensOut))
      .run();
  im.store.add_event(id, "import", std::nullopt, status, reason);
  ++im.rep.tasks;
  ++im.rep.tasks_by_status[to_string(status)];
}

// Arc's cycle_log rows become runs of the imported tasks.
void import_cycles(Import& im, const std::set<std::string>& have) {
  auto q = im.arc.prepare("SELECT task_id, started_at, " + col(have, "completed_at") + ", " + col(have, "duration_ms") +
                          ", " + col(have, "cost_usd") + ", " + col(have, "api_cost_usd") + ", " +
                          col(have, "tokens_in") + ", " + col(have, "tokens_out") + ", " + col(have, "model") + ", " +
                          col(have, "skill_hashes") + ", " + col(have, "skills_loaded") + " FROM cycle_log ORDER BY id");
  while (q.step()) {
    RunRow r;
    r.task_id = q.col_null(0) ? 0 : q.col_int(0) + im.rep.id_offset;
    r.started_at = arc_time(q.col_text(1));
    millis done = arc_time(q.col_text(2));
    if (r.started_at <= 0) {
      im.note("cycles without a readable start (skipped)");
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
    insert_run(im.target, r);
    ++im.rep.runs;
  }
}

}  // namespace

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
  int64_t existing = target.scalar_int("SELECT count(*) FROM tasks");
  if (existing > 0 && !into_non_empty)
    throw std::runtime_error("the target database already has " + std::to_string(existing) +
                             " tasks; import into a new database, or pass --into-non-empty (Arc's ids are then shifted)");
  Transaction tx(target);
  Import im{arc_db, arc, target, TaskStore(target, clock), clock.now_ms(), {}, {}, {}};
  im.rep.id_offset = existing > 0 ? target.scalar_int("SELECT coalesce(max(id), 0) FROM tasks") : 0;
  {
    auto q = target.prepare("SELECT source FROM tasks WHERE source IS NOT NULL AND status IN ('pending','active')");
    while (q.step()) im.open_sources.insert(q.col_text(0));
  }
  auto q = arc.prepare(task_select(task_cols));
  while (q.step()) import_task(im, q);
  if (!cycle_cols.empty()) import_cycles(im, cycle_cols);
  else im.rep.unmapped.push_back("no cycle_log table: no runs imported");
  for (auto& [what, n] : im.notes) im.rep.unmapped.push_back(std::to_string(n) + " " + what);
  tx.commit();
  return im.rep;
}

}  // namespace arc
