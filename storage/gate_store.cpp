#include "storage/gate_store.hpp"

#include "core/enum_text.hpp"
#include "core/task_lifecycle.hpp"
#include "core/time_text.hpp"

namespace arc {

GateState load_gate(Db& db) {
  GateState g;
  auto q = db.prepare(
      "SELECT state, reason, error_class, since, resume_at, consecutive_failures FROM gate WHERE id = 1");
  if (q.step()) {
    std::string state = q.col_text(0);
    auto mode = parse_gate_mode(state);
    // The schema's CHECK allows only the four; another value is a database
    // written by something else.
    if (!mode)
      throw std::runtime_error("the gate row's state \"" + state + "\" is not one this arcd knows (" +
                               "running, paused, stopped_rate_limited, stopped_failures); was the database "
                               "written by a newer arc-runtime?");
    g.state = *mode;
    g.reason = q.col_text(1);
    g.error_class = parse_gate_cause(q.col_text(2));
    g.since = q.col_int(3);
    g.resume_at = q.col_int(4);
    g.consecutive_failures = static_cast<int>(q.col_int(5));
  }
  return g;
}

namespace {

void save_gate(Db& db, const GateState& g, millis now) {
  db.prepare("UPDATE gate SET state = ?, reason = ?, error_class = ?, since = ?, resume_at = ?, "
             "consecutive_failures = ?, updated_at = ? WHERE id = 1")
      .bind(1, to_string(g.state))
      .bind_text_or_null(2, g.reason)
      .bind_text_or_null(3, to_string(g.error_class))
      .bind_int_or_null(4, g.since)
      .bind_int_or_null(5, g.resume_at)
      .bind(6, g.consecutive_failures)
      .bind(7, now)
      .run();
}

// A rate-limit stop is an incident (kind rate_limit), closed on resume.
void track_incident(Db& db, const GateState& g, const GateChange& c, millis now) {
  if (c.to == GateMode::stopped_rate_limited) {
    db.prepare("INSERT INTO incidents (kind, opened_at, window_start, window_end, summary) "
               "VALUES ('rate_limit', ?1, ?1, ?2, ?3)")
        .bind(1, now)
        .bind(2, g.resume_at)
        .bind(3, c.why)
        .run();
  } else if (c.from == GateMode::stopped_rate_limited) {
    db.prepare("UPDATE incidents SET closed_at = ?1, window_end = ?1 WHERE kind = 'rate_limit' AND "
               "closed_at IS NULL")
        .bind(1, now)
        .run();
  }
}

}  // namespace

int prepare_resume(TaskStore& store, const GateConfig& cfg, millis gap_ms) {
  int expired = store.expire_stale("resume");
  if (cfg.max_age_by_skill.empty() && cfg.max_age_by_source.empty()) return expired;
  millis now = store.now();
  std::vector<std::pair<int64_t, Transition>> stale;
  {
    auto q = store.db().prepare(
        "SELECT id, skills, source, created_at FROM tasks INDEXED BY tasks_ready WHERE status = 'pending'");
    while (q.step()) {
      millis age = now - q.col_int(3);
      std::string rule = past_max_age(names_from_json(q.col_text(1)), q.col_text(2), age, cfg);
      if (!rule.empty()) stale.emplace_back(q.col_int(0), expired_stale(rule, age, gap_ms));
    }
  }
  for (auto& [id, t] : stale) store.apply(id, t, "resume");
  return expired + static_cast<int>(stale.size());
}

GateResult apply_gate(Db& db, TaskStore& store, const GateConfig& cfg, const GateCommand& cmd) {
  millis now = store.now();
  GateResult r;
  r.state = load_gate(db);
  GateState before = r.state;
  switch (cmd.op) {
    case GateOp::tick: r.change = gate_tick(r.state, now); break;
    case GateOp::outcome: r.change = gate_on_outcome(r.state, cfg, cmd.outcome, cmd.text, now); break;
    case GateOp::pause: r.change = gate_pause(r.state, cmd.text, now); break;
    case GateOp::resume: r.change = gate_resume(r.state, cmd.text, now); break;
    case GateOp::reset: r.change = gate_reset(r.state, cmd.text, now); break;
    default: throw std::invalid_argument("unknown gate command " + std::to_string(static_cast<int>(cmd.op)));
  }
  bool dirty = r.change.changed || before.consecutive_failures != r.state.consecutive_failures ||
               before.resume_at != r.state.resume_at || before.reason != r.state.reason;
  if (!dirty) return r;
  save_gate(db, r.state, now);
  if (!r.change.changed) return r;
  db.prepare("INSERT INTO gate_events (at, from_state, to_state, reason) VALUES (?, ?, ?, ?)")
      .bind(1, now)
      .bind(2, to_string(r.change.from))
      .bind(3, to_string(r.change.to))
      .bind_text_or_null(4, r.change.why)
      .run();
  track_incident(db, r.state, r.change, now);
  // Resuming after a long stop: clear out stale work before the first claim,
  // in the same transaction, so no claim can see it.
  if (r.change.to == GateMode::running && r.change.stopped_for_ms >= cfg.long_gap_ms)
    r.expired = prepare_resume(store, cfg, r.change.stopped_for_ms);
  return r;
}

std::vector<GateEvent> gate_events(Db& db, int limit) {
  std::vector<GateEvent> out;
  auto q = db.prepare("SELECT at, from_state, to_state, reason FROM gate_events ORDER BY id DESC LIMIT ?");
  q.bind(1, limit);
  while (q.step()) out.push_back({q.col_int(0), q.col_text(1), q.col_text(2), q.col_text(3)});
  return out;
}

GateResult operator_gate(Db& db, const GateConfig& cfg, const std::string& kind, const std::string& reason,
                         const std::string& via) {
  std::optional<GateOp> op = from_text(kind, {GateOp::pause, GateOp::resume, GateOp::reset});
  if (!op) throw std::invalid_argument("unknown gate command \"" + kind + "\" (pause, resume or reset)");
  TaskStore store(db, system_clock());
  return in_transaction(db, [&] {
    GateState before = load_gate(db);
    if (op == GateOp::resume && before.state == GateMode::stopped_failures)
      throw GateRefused("the gate stopped after repeated failures (" + before.reason +
                        "); look at the failed tasks, then reset it (arc dispatch reset)");
    std::string text = reason.empty() ? "" : reason + " (" + via + ")";
    return apply_gate(db, store, cfg, GateCommand{*op, RunOutcome::completed, text});
  });
}

}  // namespace arc
