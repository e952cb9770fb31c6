#include "storage/triage.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "core/time_text.hpp"

namespace arc {
namespace {


struct Failure {
  int64_t id;
  millis at;
  bool tagged;  // tagged with an incident: a downtime orphan (outages tag nothing; they own a window)
  std::string summary;
};

// Marks the failures that lie in a window of `window` ms holding at least
// `threshold` failures. `f` is sorted by time. O(n).
std::vector<bool> dense(const std::vector<Failure>& f, millis window, int threshold) {
  std::vector<int> cover(f.size() + 1, 0);
  size_t k = 0;
  for (size_t j = 0; j < f.size(); ++j) {
    if (k < j) k = j;
    while (k < f.size() && f[k].at < f[j].at + window) ++k;
    if (static_cast<int>(k - j) >= threshold) {
      ++cover[j];
      --cover[k];
    }
  }
  std::vector<bool> out(f.size());
  int run = 0;
  for (size_t i = 0; i < f.size(); ++i) out[i] = (run += cover[i]) > 0;
  return out;
}

// The outage incident a dense failure at `at` belongs to: the open one if it
// is recent enough, else a new one.
int64_t outage_for(TaskStore& store, const TriageConfig& cfg, millis at, TriageReport& r) {
  Db& db = store.db();
  {
    auto q = db.prepare(
        "SELECT id FROM incidents WHERE kind = 'outage' AND closed_at IS NULL AND window_end >= ? "
        "ORDER BY id DESC LIMIT 1");
    q.bind(1, at - cfg.quiet_ms);
    if (q.step()) return q.col_int(0);
  }
  db.prepare("INSERT INTO incidents (kind, opened_at, window_start, window_end, summary) "
             "VALUES ('outage', ?, ?, ?, ?)")
      .bind(1, store.now())
      .bind(2, at)
      .bind(3, at)
      .bind(4, "at least " + std::to_string(cfg.outage_threshold) + " failures within " +
                   format_age(cfg.outage_window_ms) + ": one outage, not independent failures")
      .run();
  int64_t id = db.last_insert_id();
  ++r.incidents_opened;
  if (cfg.incident_summary_task) {
    TaskSpec s;
    s.subject = "Outage incident " + std::to_string(id) + ": burst of failures from " + format_iso_utc(at);
    s.description = "Triage opened outage incident " + std::to_string(id) +
                    ". `arc incidents` shows its window and count; every failure inside the window "
                    "belongs to it and is not investigated one by one.";
    s.source = "triage:incident:" + std::to_string(id);
    s.priority = cfg.investigation_priority;
    s.skills = cfg.investigation_skills;
    store.create(s, "triage");
  }
  return id;
}

void investigate(TaskStore& store, const TriageConfig& cfg, const std::string& fp, millis horizon,
                 TriageReport& r) {
  Db& db = store.db();
  std::string templ;
  int64_t inv = 0;
  {
    auto q = db.prepare("SELECT template, investigation_task_id FROM failure_patterns WHERE fingerprint = ?");
    q.bind(1, fp);
    if (!q.step()) return;
    templ = q.col_text(0);
    inv = q.col_int(1);
  }
  millis since = horizon - cfg.investigate_period_ms;
  if (inv) {
    auto t = store.get(inv);
    if (t && !is_terminal(t->status)) return;  // one open investigation at a time
    if (t) since = std::max(since, t->finished_at);   // reopened only by failures after it closed
  }
  int64_t failures = 0;
  {
    auto q = db.prepare(
        "SELECT count(*) FROM tasks INDEXED BY tasks_pattern WHERE pattern_fingerprint = ? AND "
        "finished_at > ? AND status = 'failed'");
    q.bind(1, fp).bind(2, since);
    if (q.step()) failures = q.col_int(0);
  }
  if (failures < cfg.investigate_after) return;
  std::vector<std::pair<int64_t, std::string>> recent;  // a few examples for the description
  {
    auto q = db.prepare(
        "SELECT id, summary FROM tasks INDEXED BY tasks_pattern WHERE pattern_fingerprint = ? AND "
        "finished_at > ? AND status = 'failed' ORDER BY finished_at DESC LIMIT 5");
    q.bind(1, fp).bind(2, since);
    while (q.step()) recent.emplace_back(q.col_int(0), q.col_text(1));
  }
  TaskSpec s;
  s.subject = sanitize_text("Investigate recurring failure: " + templ, 200);
  s.description = "Triage found " + std::to_string(failures) + " failures of pattern " + fp +
                  " within " + format_age(cfg.investigate_period_ms) + ".\n\nTemplate: " + templ +
                  "\n\nRecent examples:\n";
  for (size_t i = 0; i < recent.size(); ++i)
    s.description += "- task " + std::to_string(recent[i].first) + ": " + sanitize_text(recent[i].second, 300) + "\n";
  s.source = "triage:pattern:" + fp;
  s.priority = cfg.investigation_priority;
  s.skills = cfg.investigation_skills;
  auto created = store.create(s, "triage");
  if (created.created) ++r.investigations;
  db.prepare("UPDATE failure_patterns SET investigation_task_id = ? WHERE fingerprint = ?")
      .bind(1, created.id)
      .bind(2, fp)
      .run();
}

}  // namespace

TemplateMiner load_miner(Db& db, const TriageConfig& cfg) {
  TemplateMiner m(cfg.similarity);
  auto q = db.prepare("SELECT fingerprint, template FROM failure_patterns ORDER BY first_seen, fingerprint");
  while (q.step()) m.add_pattern(q.col_text(0), q.col_text(1));
  return m;
}

namespace {

// The failures a scan from `cursor` looks at, and up to when they are
// settled (older ones are known not to be in a later burst).
struct ScanWindow {
  std::vector<Failure> f;
  millis settled = 0;
  bool more = false;  // truncated: the next scan goes on
};

// Context for the density test: one window before the cursor, up to now.
// Read in bounded chunks, so that one scan never holds the persistence
// thread for long (a first scan over a long history takes several).
ScanWindow read_failures(Db& db, const TriageConfig& cfg, millis cursor, millis now) {
  ScanWindow sw;
  std::vector<Failure>& f = sw.f;
  millis& settled = sw.settled;
  for (int64_t limit = cfg.scan_chunk;; limit *= 2) {
    f.clear();
    auto q = db.prepare(
        "SELECT id, finished_at, incident_id IS NOT NULL, summary FROM tasks INDEXED BY tasks_failed "
        "WHERE status = 'failed' AND finished_at > ? ORDER BY finished_at, id LIMIT ?");
    q.bind(1, cursor - cfg.outage_window_ms).bind(2, limit);
    while (q.step()) f.push_back({q.col_int(0), q.col_int(1), q.col_int(2) != 0, q.col_text(3)});
    q.reset();
    settled = now - cfg.outage_window_ms;
    sw.more = f.size() == static_cast<size_t>(limit);
    if (!sw.more) break;
    // Truncated: only what has a full window of context after it is decided.
    settled = std::min(settled, f.back().at - cfg.outage_window_ms);
    // The next scan reads from its cursor less a window: unless that passes
    // the first row read here, it would read this same chunk again. So a
    // flood (a chunk within two windows) is read whole, in one scan: the
    // chunk limit is for long histories, where it always makes progress.
    if (settled - cfg.outage_window_ms > f.front().at) break;
  }
  return sw;
}

// Membership of an outage is by time: every failure inside an outage's
// window [window_start, window_end] belongs to it. Nothing is written per
// failure, so an outage of 1M failures costs a few statements (the count
// is an index-only range count), and a re-scan cannot count one twice.
// The known outages ending after `cursor`, by start.
std::vector<std::pair<millis, millis>> outage_windows(Db& db, millis cursor) {
  std::vector<std::pair<millis, millis>> windows;
  auto q = db.prepare("SELECT window_start, window_end FROM incidents WHERE kind = 'outage' AND window_end > ? "
                      "ORDER BY window_start");
  q.bind(1, cursor);
  while (q.step()) windows.emplace_back(q.col_int(0), q.col_int(1));
  return windows;
}

// What one scan saw of a pattern: written once per scan, not per failure.
struct Seen {
  int64_t count = 0;
  millis first = INT64_MAX, last = 0;
};

void save_patterns(Db& db, const TemplateMiner& miner, const std::map<size_t, Seen>& seen) {
  for (auto& [idx, s] : seen) {
    const Pattern& p = miner.pattern(idx);
    db.prepare("INSERT INTO failure_patterns (fingerprint, template, count, first_seen, last_seen) "
               "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (fingerprint) DO UPDATE SET "
               "template = ?2, count = count + ?3, last_seen = max(last_seen, ?5)")
        .bind(1, p.fingerprint)
        .bind(2, p.text())
        .bind(3, s.count)
        .bind(4, s.first)
        .bind(5, s.last)
        .run();
  }
}

// Outages with no failure for the quiet period are over. Returns how many closed.
int close_quiet_outages(Db& db, const TriageConfig& cfg, millis now) {
  db.prepare("UPDATE incidents SET closed_at = ? WHERE kind = 'outage' AND closed_at IS NULL AND "
             "window_end < ?")
      .bind(1, now)
      .bind(2, now - cfg.quiet_ms)
      .run();
  return db.changes();
}

}  // namespace

TriageReport run_triage(TaskStore& store, const TriageConfig& cfg) {
  TriageReport r;
  Db& db = store.db();
  millis now = store.now();
  millis cursor = db.scalar_int("SELECT scanned_until FROM triage_state WHERE id = 1");
  ScanWindow scan = read_failures(db, cfg, cursor, now);
  const std::vector<Failure>& f = scan.f;
  const millis settled = scan.settled;
  r.more = scan.more;
  auto is_dense = dense(f, cfg.outage_window_ms, cfg.outage_threshold);
  TemplateMiner miner = load_miner(db, cfg);
  std::map<size_t, Seen> seen;  // per pattern index
  auto windows = outage_windows(db, cursor);
  size_t w = 0;
  auto in_known_outage = [&](millis at) {
    while (w < windows.size() && windows[w].second < at) ++w;
    return w < windows.size() && windows[w].first <= at;
  };
  struct Burst { int64_t incident = 0; millis last = 0; };
  std::optional<Burst> burst;
  std::vector<size_t> between;  // sparse failures after the burst's last dense one
  auto set_pattern = db.prepare("UPDATE tasks SET pattern_fingerprint = ? WHERE id = ?");
  auto classify = [&](size_t i) {
    if (f[i].at > settled) return;  // not settled yet: decided by a later scan
    size_t idx = miner.add(f[i].summary);
    auto& s = seen[idx];
    ++s.count;
    s.first = std::min(s.first, f[i].at);
    s.last = std::max(s.last, f[i].at);
    set_pattern.reset();
    set_pattern.bind(1, miner.pattern(idx).fingerprint).bind(2, f[i].id).run();
    ++r.classified;
  };
  auto end_burst = [&] {
    if (!burst) return;
    db.prepare("UPDATE incidents SET window_end = max(window_end, ?1), failure_count = (SELECT count(*) FROM "
               "tasks INDEXED BY tasks_failed WHERE status = 'failed' AND finished_at BETWEEN "
               "incidents.window_start AND max(incidents.window_end, ?1) AND incident_id IS NULL) WHERE id = ?2")
        .bind(1, burst->last).bind(2, burst->incident)
        .run();
    for (size_t i : between) classify(i);  // after its last dense failure: not part of it
    between.clear();
    burst.reset();
  };
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i].at <= cursor || f[i].tagged || in_known_outage(f[i].at)) continue;
    ++r.scanned;
    if (burst && f[i].at - burst->last > cfg.quiet_ms) end_burst();
    if (is_dense[i]) {
      if (!burst) burst = Burst{outage_for(store, cfg, f[i].at, r), f[i].at};
      burst->last = f[i].at;
      r.tagged += 1 + static_cast<int>(between.size());  // a gap inside an outage is part of it
      between.clear();
    } else if (burst) {
      between.push_back(i);
    } else {
      classify(i);
    }
  }
  end_burst();
  save_patterns(db, miner, seen);
  for (auto& [idx, s] : seen) investigate(store, cfg, miner.pattern(idx).fingerprint, std::max(settled, cursor), r);
  r.incidents_closed = close_quiet_outages(db, cfg, now);
  db.prepare("UPDATE triage_state SET scanned_until = ? WHERE id = 1").bind(1, std::max(cursor, settled)).run();
  return r;
}

std::vector<PatternRow> list_patterns(Db& db, int limit) {
  std::vector<PatternRow> out;
  auto q = db.prepare(
      "SELECT p.fingerprint, p.template, p.count, p.first_seen, p.last_seen, "
      "p.investigation_task_id, t.status FROM failure_patterns p LEFT JOIN tasks t ON "
      "t.id = p.investigation_task_id ORDER BY p.count DESC, p.last_seen DESC LIMIT ?");
  q.bind(1, limit);
  while (q.step())
    out.push_back({q.col_text(0), q.col_text(1), q.col_int(2), q.col_int(3), q.col_int(4), q.col_int(5),
                   q.col_text(6)});
  return out;
}

std::vector<IncidentRow> list_incidents(Db& db, bool open_only, millis since) {
  std::vector<IncidentRow> out;
  auto q = db.prepare(
      "SELECT id, kind, opened_at, closed_at, window_start, window_end, failure_count, summary "
      "FROM incidents WHERE (?1 = 0 OR closed_at IS NULL) AND window_end >= ?2 ORDER BY id DESC");
  q.bind(1, open_only ? 1 : 0).bind(2, since);
  while (q.step())
    out.push_back({q.col_int(0), q.col_text(1), q.col_int(2), q.col_int(3), q.col_int(4), q.col_int(5),
                   q.col_int(6), q.col_text(7)});
  return out;
}

int64_t record_downtime(Db& db, millis from, millis to, const std::vector<int64_t>& orphans) {
  db.prepare("INSERT INTO incidents (kind, opened_at, closed_at, window_start, window_end, "
             "failure_count, summary) VALUES ('downtime', ?2, ?2, ?1, ?2, ?3, ?4)")
      .bind(1, from)
      .bind(2, to)
      .bind(3, static_cast<int64_t>(orphans.size()))
      .bind(4, "arcd was down for " + format_age(to - from) + " (its previous run died without a clean stop); " +
                   std::to_string(orphans.size()) + " tasks it left active were recovered")
      .run();
  int64_t id = db.last_insert_id();
  for (int64_t t : orphans) db.prepare("UPDATE tasks SET incident_id = ? WHERE id = ?").bind(1, id).bind(2, t).run();
  return id;
}

}  // namespace arc
