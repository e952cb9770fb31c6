// Every read and write of the tasks table, as single SQL statements over one
// connection. Methods do not open transactions themselves: the persistence
// actor runs a whole batch of them in one transaction (group commit) and the
// CLI wraps each call with in_transaction().
#pragma once
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/action_result.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/executor_launch.hpp"  // RunInfo
#include "core/executor_output.hpp"
#include "core/task.hpp"
#include "core/task_lifecycle.hpp"
#include "messages/payloads.hpp"  // CreateResult, TaskOutcome
#include "storage/db.hpp"

namespace arc {

// The lease a run holds, as an executor's `arc tasks close` reports it
// (ARC_TASK_ID and ARC_LEASE_EPOCH): a close under it is the agent closing
// its own task.
struct RunLease {
  int64_t task_id = 0;
  int64_t epoch = 0;
};

struct TaskFilter {
  std::optional<TaskStatus> status;  // nullopt = any
  int limit = 50;
  int64_t after_id = 0;  // paging: ids below this (list is newest first); 0 = from the top
};

// Fields `arc tasks update` may change on a pending task; unset = unchanged.
struct TaskUpdate {
  std::optional<std::string> subject, description, model;
  std::optional<int> priority, max_attempts;
  std::optional<millis> scheduled_for, expires_at;
};

struct StoreOptions {
  RetryPolicy retry;
  // A run whose agent closed its task may go on this long before its
  // lease counts as lost (and the dispatcher stops it).
  millis self_close_grace_ms = 45'000;
  BudgetConfig budget;  // daily_usd 0: no budget
};

class TaskStore {
 public:
  TaskStore(Db& db, const Clock& clock, StoreOptions opts = {});
  TaskStore(Db& db, const Clock& clock, RetryPolicy retry) : TaskStore(db, clock, with_retry(retry)) {}

  // Inserts a task, or returns the open task that has the same source.
  // Throws std::invalid_argument if the spec is invalid.
  CreateResult create(const TaskSpec& spec, const std::string& actor);

  // Claims up to `max` ready tasks for `owner` with a lease of lease_ms:
  // pending, due (scheduled_for <= now), not expired, and holding no lock
  // that an active task (or a task claimed earlier in this call) holds;
  // lowest priority number first, then oldest. Nothing while the gate row
  // says dispatch is stopped; with the day's budget spent, only tasks of
  // priority <= budget.max_priority.
  std::vector<Task> claim(const std::string& owner, int max, millis lease_ms);
  // The same, for a caller that has just read gate_running() in this
  // transaction (the gate row is not read again).
  std::vector<Task> claim_gate_checked(const std::string& owner, int max, millis lease_ms);
  // The gate row says dispatch runs (read in the caller's transaction).
  bool gate_running();

  // Records an outcome if `owner` still holds the task's lease under
  // `epoch` (fencing: a run whose lease lapsed and was claimed again, even
  // by the same owner, cannot record). Retryable failures with attempts left
  // go back to pending after a backoff; a rate-limited run goes back to
  // pending without consuming its attempt. Returns the task's new status, or
  // lease_lost: then the refused result is only recorded as an event of the
  // task, which is left as it is (a task that does not exist is lease_lost
  // too). The same result delivered again (its answer was lost) gets the
  // status it led to, and no write.
  // A systemic failure (o.result.systemic) goes back to pending with its
  // attempt refunded. A task its own agent closed while the run went on
  // (close() under the run's lease) keeps the agent's status and summary;
  // the run's cost, tokens and duration are added to it. Every call writes
  // one row of `runs`.
  FinishResult finish(const TaskOutcome& o);

  // Extends the leases of `ids` held by `owner`; returns the ids it no
  // longer holds (cancelled, requeued by someone else): their runs must stop.
  // A task whose agent closed it is held for self_close_grace_ms after the
  // close, so that its run can end by itself.
  std::vector<int64_t> renew(const std::string& owner, const std::vector<int64_t>& ids,
                             millis lease_ms);

  // Returns an active task of `owner` to pending without consuming its
  // attempt (the runtime stopped it, not the task's own fault).
  bool requeue(int64_t id, const std::string& owner, const std::string& reason);
  // Requeues (attempt refunded) the tasks `owner` holds that are not in
  // `running`: claims whose answer was lost (the dispatcher or the queue
  // crashed while it was on its way), which would otherwise wait out their
  // lease. Returns how many.
  int release_unheld(const std::string& owner, const std::vector<int64_t>& running);

  // Active tasks whose lease ran out: pending again while attempts remain,
  // else failed with failure_class=orphaned. Returns how many were recovered.
  int recover_expired_leases(const std::string& actor);

  // Pending tasks past expires_at become expired, with a reason.
  int expire_stale(const std::string& actor);

  std::optional<Task> get(int64_t id);
  std::vector<TaskEvent> events(int64_t task_id);
  std::vector<Task> list(const TaskFilter& f);
  std::vector<Task> active();

  // Operator actions: done, or refused with why.
  ActionResult cancel(int64_t id, const std::string& reason, const std::string& actor);
  // completed, failed or blocked. Under `lease` (the run that holds the
  // task closing it, with the lease's epoch) the lease is kept until the run
  // reports; a lease that is not the task's current one is refused.
  ActionResult close(int64_t id, TaskStatus new_status, const std::string& summary, const std::string& actor,
                     const RunLease* lease = nullptr);
  // A failed, blocked, cancelled or expired task back to pending with all
  // its attempts (never a completed one: its effects happened).
  ActionResult reopen(int64_t id, const std::string& reason, const std::string& actor);
  ActionResult update(int64_t id, const TaskUpdate& u, const std::string& actor);

  // A line of the task's history; `from` nullopt for its creation.
  void add_event(int64_t task_id, const std::string& actor, std::optional<TaskStatus> from, TaskStatus to,
                 const std::string& reason);

  // What a run adds to its task's totals as a transition is written.
  struct RunTally {
    double cost_usd = 0, api_cost_usd = 0;
    int64_t tokens_in = 0, tokens_out = 0;
    millis duration_ms = 0;
  };
  // Writes a transition (core/task_lifecycle.hpp) and its event: the one
  // place a task changes status because of a run, a lost run or its age.
  // Clears the lease; sets finished_at when it ends the task. False (and
  // nothing written) if the task is no longer in t.from.
  bool apply(int64_t id, const Transition& t, const std::string& actor, const RunTally* run = nullptr);

  millis now() const { return clock_.now_ms(); }
  Db& db() { return db_; }
  // What runs finished today (the budget's zone) cost; 0 without a budget.
  double spent_today();

 private:
  static StoreOptions with_retry(RetryPolicy r) {
    StoreOptions o;
    o.retry = r;
    return o;
  }
  // Whether the task's latest status change was `owner` finishing its run.
  bool last_move_was_by(int64_t id, const std::string& owner);
  void add_event_text(int64_t task_id, const std::string& actor, const std::string& from, const std::string& to,
                      const std::string& reason);
  ActionResult set_terminal(int64_t id, TaskStatus to, const std::string& summary, FailureClass failure_class,
                            const std::string& actor);
  // `outcome`: to_string(RunOutcome), or "refused" for a late result.
  void record_run(const TaskOutcome& o, int attempt, const std::string& outcome);
  // finish() of a run whose agent closed its task: the close stands, the run adds its cost.
  void add_run_to_closed_task(const TaskOutcome& o, TaskStatus closed_as, int attempts);
  // finish() of a run whose lease is gone: an event and a refused run, once.
  void refuse_late_result(const TaskOutcome& o, TaskStatus now_status, const std::string& now_owner,
                          int64_t now_epoch, int attempts);
  bool held_after_self_close(int64_t id, const std::string& owner);
  Db& db_;
  const Clock& clock_;
  StoreOptions opts_;
  // spent_today(), kept up by reading only the runs added since (by id).
  struct Spend {
    millis day_start = -1;
    double usd = 0;
    int64_t last_run_id = 0;
  } spend_;
};

// Runs fn inside BEGIN IMMEDIATE ... COMMIT.
template <class Fn>
auto in_transaction(Db& db, Fn&& fn) -> decltype(fn()) {
  Transaction tx(db);
  if constexpr (std::is_void_v<decltype(fn())>) {
    fn();
    tx.commit();
  } else {
    auto r = fn();
    tx.commit();
    return r;
  }
}

// The statements on the hot paths, exposed so that tests check their query
// plans. They name their index (INDEXED BY): without statistics SQLite's
// planner would pick tasks_status and sort.
namespace hot_sql {
extern const char* const kHeldLocks;
extern const char* const kNextReady;
extern const char* const kExpiredLeases;
extern const char* const kExpiring;
}  // namespace hot_sql

// JSON array text <-> list of names (skills, locks).
std::string names_to_json(const std::vector<std::string>& v);
std::vector<std::string> names_from_json(const std::string& text);

}  // namespace arc
