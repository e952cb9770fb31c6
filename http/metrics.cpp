#include "http/metrics.hpp"

#include "storage/runs.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>
#include <tuple>

#include "core/disk_space.hpp"
#include "core/storage_health.hpp"
#include "core/version.hpp"
#include "storage/gate_store.hpp"

namespace arc::http {
namespace {

std::string num(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);  // the shortest text that reads back as v
  return std::string(buf, r.ptr);
}

// Label values: backslash, double quote and newline escaped.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void head(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const std::string& name, const std::string& labels, double v) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += num(v);
  out += '\n';
}

// Process figures from /proc (Linux), as the Prometheus client libraries name them.
void process_metrics(std::string& out) {
  long ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), {});
  auto close_paren = stat.rfind(')');
  if (close_paren != std::string::npos && ticks > 0) {
    std::istringstream in(stat.substr(close_paren + 2));
    std::vector<std::string> f((std::istream_iterator<std::string>(in)), {});
    // after "pid (comm) ": field 3 is f[0]; utime 14, stime 15, starttime 22, vsize 23, rss 24
    if (f.size() > 21) {
      double cpu = (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(ticks);
      head(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
      sample(out, "process_cpu_seconds_total", "", cpu);
      head(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
      sample(out, "process_virtual_memory_bytes", "", std::stod(f[20]));
      head(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
      sample(out, "process_resident_memory_bytes", "", std::stod(f[21]) * static_cast<double>(page));
      std::ifstream up("/proc/uptime");
      double uptime = 0;
      up >> uptime;
      std::time_t now = std::time(nullptr);
      double boot = static_cast<double>(now) - uptime;
      head(out, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.");
      sample(out, "process_start_time_seconds", "", std::floor(boot + std::stod(f[19]) / static_cast<double>(ticks)));
    }
  }
  std::error_code ec;
  int64_t fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec))
    ++fds;
  head(out, "process_open_fds", "gauge", "Number of open file descriptors.");
  sample(out, "process_open_fds", "", static_cast<double>(fds));
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    head(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
    sample(out, "process_max_fds", "", static_cast<double>(rl.rlim_cur));
  }
}

int64_t file_size(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += v;
  ++count_;
}

void Histogram::render(std::string& out, const std::string& name) const {
  int64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i];
    std::string le = i < bounds_.size() ? num(bounds_[i]) : "+Inf";
    sample(out, name + "_bucket", "le=\"" + le + "\"", static_cast<double>(cumulative));
  }
  sample(out, name + "_sum", "", sum_);
  sample(out, name + "_count", "", static_cast<double>(count_));
}

struct Metrics::Finished {
  std::string status, failure_class;
  double duration_s = -1, wait_s = -1, cost = 0, api_cost = 0;
  int64_t tokens_in = 0, tokens_out = 0;
};

Metrics::Metrics(std::shared_ptr<const RuntimeStats> stats, BudgetConfig budget)
    : stats_(std::move(stats)),
      budget_(std::move(budget)),
      duration_({0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 1800, 3600}),
      queue_wait_({0.1, 1, 5, 30, 60, 300, 900, 3600, 14400, 86400}) {}

void Metrics::add(const Finished& f) {
  if (f.status == "completed") ++completed_;
  else ++failed_by_class_[f.failure_class.empty() ? "unknown" : f.failure_class];
  if (f.duration_s >= 0) duration_.observe(f.duration_s);
  if (f.wait_s >= 0) queue_wait_.observe(f.wait_s);
  cost_ += f.cost;
  api_cost_ += f.api_cost;
  tokens_in_ += f.tokens_in;
  tokens_out_ += f.tokens_out;
}

// The columns of a finished task the totals need; wait is from due (created
// or scheduled_for) to the start of its last run.
#define ARC_FINISHED_COLUMNS                                                                          \
  "t.status, coalesce(t.failure_class, ''), t.duration_ms, "                                          \
  "CASE WHEN t.started_at IS NULL THEN NULL ELSE max(0, t.started_at - max(t.created_at, "           \
  "coalesce(t.scheduled_for, 0))) END, t.cost_usd, t.api_cost_usd, t.tokens_in, t.tokens_out"

void Metrics::catch_up(Db& db) {
  auto read = [](Stmt& q, int c) {  // the columns from c on
    Finished f;
    f.status = q.col_text(c);
    f.failure_class = q.col_text(c + 1);
    if (!q.col_null(c + 2)) f.duration_s = static_cast<double>(q.col_int(c + 2)) / 1000.0;
    if (!q.col_null(c + 3)) f.wait_s = static_cast<double>(q.col_int(c + 3)) / 1000.0;
    f.cost = q.col_double(c + 4);
    f.api_cost = q.col_double(c + 5);
    f.tokens_in = q.col_int(c + 6);
    f.tokens_out = q.col_int(c + 7);
    return f;
  };
  // All or nothing: a scrape that fails half-way must neither leave a
  // partial history behind nor count the same events again next time.
  auto saved = std::make_tuple(cursor_, completed_, failed_by_class_, cost_, api_cost_, tokens_in_, tokens_out_,
                               duration_, queue_wait_);
  db.exec("BEGIN");  // one snapshot: the scan and the cursor agree
  try {
    if (cursor_ < 0) {
      cursor_ = db.scalar_int("SELECT coalesce(max(id), 0) FROM task_events");
      auto q = db.prepare("SELECT " ARC_FINISHED_COLUMNS " FROM tasks t WHERE t.status IN ('completed', 'failed')");
      while (q.step()) add(read(q, 0));
    } else {
      // Each task reaches completed or failed once: its event is the one to count.
      auto q = db.prepare("SELECT e.id, " ARC_FINISHED_COLUMNS " FROM task_events e JOIN tasks t ON t.id = e.task_id "
                          "WHERE e.id > ? AND e.to_status IN ('completed', 'failed') ORDER BY e.id");
      q.bind(1, cursor_);
      int64_t last = cursor_;
      while (q.step()) {
        add(read(q, 1));
        last = q.col_int(0);
      }
      cursor_ = std::max(last, db.scalar_int("SELECT coalesce(max(id), 0) FROM task_events"));
    }
    db.exec("COMMIT");
  } catch (...) {
    std::tie(cursor_, completed_, failed_by_class_, cost_, api_cost_, tokens_in_, tokens_out_, duration_, queue_wait_) =
        saved;
    try {
      db.exec("ROLLBACK");
    } catch (...) {  // the connection is unusable; the scrape fails with the first error
    }
    throw;
  }
}
#undef ARC_FINISHED_COLUMNS

std::string Metrics::render(Db& db, millis now) {
  std::lock_guard<std::mutex> lock(mu_);
  catch_up(db);
  std::string out;
  out.reserve(8192);

  head(out, "arc_build_info", "gauge", "The running arc-runtime's version and git revision (always 1).");
  sample(out, "arc_build_info", "version=\"" + label(version()) + "\",revision=\"" + label(git_revision()) + "\"", 1);

  head(out, "arc_tasks", "gauge", "Tasks in the database by status.");
  {
    std::map<std::string, int64_t> by_status;
    for (TaskStatus s : kAllStatuses) by_status[to_string(s)] = 0;
    auto q = db.prepare("SELECT status, count(*) FROM tasks INDEXED BY tasks_status GROUP BY status");
    while (q.step()) by_status[q.col_text(0)] = q.col_int(1);
    for (auto& [s, n] : by_status) sample(out, "arc_tasks", "status=\"" + s + "\"", static_cast<double>(n));
  }
  head(out, "arc_tasks_completed_total", "counter", "Tasks that completed.");
  sample(out, "arc_tasks_completed_total", "", static_cast<double>(completed_));
  head(out, "arc_tasks_failed_total", "counter", "Tasks that failed for good, by failure class.");
  for (auto& [c, n] : failed_by_class_) sample(out, "arc_tasks_failed_total", "class=\"" + label(c) + "\"", static_cast<double>(n));
  head(out, "arc_task_duration_seconds", "histogram", "Run time of finished tasks' last run, in seconds.");
  duration_.render(out, "arc_task_duration_seconds");
  head(out, "arc_task_queue_wait_seconds", "histogram",
       "Time from due (created or scheduled) to the start of finished tasks' last run, in seconds.");
  queue_wait_.render(out, "arc_task_queue_wait_seconds");
  head(out, "arc_cost_usd_total", "counter", "Cost of finished tasks as the executors reported it, in US dollars.");
  sample(out, "arc_cost_usd_total", "", cost_);
  head(out, "arc_api_cost_usd_total", "counter", "API-equivalent cost of finished tasks, in US dollars.");
  sample(out, "arc_api_cost_usd_total", "", api_cost_);
  head(out, "arc_tokens_total", "counter", "Tokens used by finished tasks, by direction.");
  sample(out, "arc_tokens_total", "direction=\"in\"", static_cast<double>(tokens_in_));
  sample(out, "arc_tokens_total", "direction=\"out\"", static_cast<double>(tokens_out_));

  GateState g = load_gate(db);
  head(out, "arc_gate_state", "gauge", "The dispatch gate's state (1 for the current one).");
  for (GateMode m : kAllGateModes)
    sample(out, "arc_gate_state", std::string("state=\"") + to_string(m) + "\"", g.state == m ? 1 : 0);
  head(out, "arc_gate_resume_timestamp_seconds", "gauge",
       "When a stopped gate resumes by itself, since the Unix epoch, in seconds (0: not set).");
  sample(out, "arc_gate_resume_timestamp_seconds", "", static_cast<double>(g.resume_at) / 1000.0);
  head(out, "arc_gate_consecutive_failures", "gauge", "Task failures in a row as the gate counts them.");
  sample(out, "arc_gate_consecutive_failures", "", g.consecutive_failures);
  if (budget_.daily_usd > 0) {
    BudgetStatus b = budget_status(db, budget_, now);
    head(out, "arc_budget_daily_usd", "gauge", "The daily budget ([budget] daily_usd), in US dollars.");
    sample(out, "arc_budget_daily_usd", "", b.daily_usd);
    head(out, "arc_budget_spent_today_usd", "gauge", "What today's runs cost (the budget's day), in US dollars.");
    sample(out, "arc_budget_spent_today_usd", "", b.spent_usd);
    head(out, "arc_budget_reached", "gauge", "1 while today's spend has reached the budget: only urgent tasks run.");
    sample(out, "arc_budget_reached", "", b.reached ? 1 : 0);
  }

  head(out, "arc_sensor_runs_total", "counter", "Sensor runs by sensor and result.");
  {
    std::string paused;
    auto q = db.prepare("SELECT name, runs, failures, coalesce(paused_until, 0) FROM sensor_state ORDER BY name");
    while (q.step()) {
      std::string l = "sensor=\"" + label(q.col_text(0)) + "\"";
      sample(out, "arc_sensor_runs_total", l + ",result=\"ok\"", static_cast<double>(q.col_int(1) - q.col_int(2)));
      sample(out, "arc_sensor_runs_total", l + ",result=\"failed\"", static_cast<double>(q.col_int(2)));
      sample(paused, "arc_sensor_paused", l, q.col_int(3) > now ? 1 : 0);
    }
    head(out, "arc_sensor_paused", "gauge", "1 while a sensor is paused.");  // each family one group
    out += paused;
  }

  head(out, "arc_incidents_open", "gauge", "Open incidents (outages, downtime, rate-limit stops).");
  sample(out, "arc_incidents_open", "",
         static_cast<double>(db.scalar_int("SELECT count(*) FROM incidents WHERE closed_at IS NULL")));
  head(out, "arc_triage_patterns", "gauge", "Failure patterns triage has seen.");
  sample(out, "arc_triage_patterns", "", static_cast<double>(db.scalar_int("SELECT count(*) FROM failure_patterns")));
  head(out, "arc_database_size_bytes", "gauge", "Size of the SQLite database and its WAL, in bytes.");
  sample(out, "arc_database_size_bytes", "", static_cast<double>(file_size(db.path()) + file_size(db.path() + "-wal")));
  auto told = stats_ ? stats_->storage_fault() : std::nullopt;
  auto disk = disk_space_of(db.path());
  if (disk) {
    head(out, "arc_database_disk_free_bytes", "gauge", "Bytes free on the filesystem that holds the database.");
    sample(out, "arc_database_disk_free_bytes", "", static_cast<double>(disk->free_bytes));
  }
  head(out, "arc_storage_held", "gauge",
       "1 while storage holds dispatch (arcd's commits fail); why: /api/gate storage.held.");
  sample(out, "arc_storage_held", "", told ? 1 : 0);
  if (told) {
    head(out, "arc_storage_failed_commits", "gauge", "Failed commits of the storage fault arcd is telling, by its kind.");
    sample(out, "arc_storage_failed_commits", "kind=\"" + label(told->kind) + "\"", static_cast<double>(told->failures));
  }

  if (stats_) {
    head(out, "arc_actor_restarts_total", "counter", "Restarts of a runtime actor by its supervisor, by actor.");
    for (auto& [a, n] : stats_->restarts()) sample(out, "arc_actor_restarts_total", "actor=\"" + label(a) + "\"", static_cast<double>(n));
    int64_t hb = stats_->heartbeat_ms.load();
    head(out, "arc_heartbeat_age_seconds", "gauge",
         "Seconds since the actors last answered the heartbeat (what the systemd watchdog goes by).");
    sample(out, "arc_heartbeat_age_seconds", "", hb ? static_cast<double>(steady_now_ms() - hb) / 1000.0 : -1);
  }
  process_metrics(out);
  return out;
}

}  // namespace arc::http
