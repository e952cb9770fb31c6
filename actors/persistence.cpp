#include "actors/persistence.hpp"

#include "actors/crash_reply.hpp"

#include <spdlog/spdlog.h>

#include "actors/notify_command.hpp"
#include "actors/trace.hpp"
#include "core/fault.hpp"
#include "core/log_throttle.hpp"
#include "core/runtime_stats.hpp"
#include "core/storage_health.hpp"
#include "core/time_text.hpp"
#include "actors/trace_describe.hpp"
#include "storage/dispatch_ops.hpp"
#include "storage/gate_store.hpp"
#include "storage/node_store.hpp"
#include "storage/recovery.hpp"
#include "storage/runs.hpp"
#include "storage/schema.hpp"
#include "storage/sensor_store.hpp"
#include "storage/settings.hpp"
#include "storage/triage.hpp"

namespace arc {
namespace {

// One queued request: run inside the batch's transaction, then answer.
struct Op {
  std::function<void(TaskStore&)> run;  // stores its own result
  std::function<void()> reply;          // after COMMIT
  std::function<void(const caf::error&)> fail;
};

struct PersistenceState {
  PersistenceArgs args;
  std::unique_ptr<Db> db;
  std::unique_ptr<TaskStore> store;
  std::vector<Op> batch;
  bool flush_scheduled = false;
  bool notify_dispatcher = false;  // the batch creates tasks: tell the dispatcher after COMMIT
  int64_t transactions = 0;  // committed batches
  int64_t requests = 0;      // requests answered from them
  LogThrottle log;           // a full disk fails every batch: say it once per 5 s
  StorageHealth health;      // a fault that holds dispatch: told once as it begins and once as it ends
  // Dying with requests queued (a crash): answer them with an error, so that
  // their senders retry now instead of waiting for their request timeout.
  ~PersistenceState() {
    auto err = caf::make_error(caf::sec::request_receiver_down, "persistence restarted before running the request");
    for (auto& op : batch) op.fail(err);
  }
  static inline const char* name = "persistence";
};

using self_ptr = persistence_actor::stateful_pointer<PersistenceState>;

// Queues fn(store) -> T for the next group commit and returns the promise.
// `traced(result)`, if given, runs after COMMIT, before the answer.
template <class T, class Fn>
caf::typed_response_promise<T> enqueue(self_ptr self, Fn fn, std::function<void(const T&)> traced = nullptr) {
  auto rp = self->template make_response_promise<T>();
  auto result = std::make_shared<T>();
  auto why = std::make_shared<std::string>();
  self->state.batch.push_back(Op{
      [fn, result, why](TaskStore& s) {
        // Each request runs in a savepoint: one that fails is undone alone,
        // with nothing half-written, and the rest of the batch goes on.
        // Errors of the connection itself end the whole batch (rethrown).
        *why = in_savepoint(s.db(), "request", [&] { *result = fn(s); });
      },
      [rp, result, why, traced]() mutable {
        try {
          if (why->empty() && traced) traced(*result);
        } catch (const std::exception& e) {  // tracing never costs an answer
          spdlog::warn("persistence: tracing a reply failed: {}", e.what());
        }
        if (why->empty()) rp.deliver(std::move(*result));
        else rp.deliver(caf::make_error(caf::sec::invalid_argument, *why));
      },
      [rp](const caf::error& e) mutable { rp.deliver(e); }});
  if (!self->state.flush_scheduled) {
    self->state.flush_scheduled = true;
    // Goes behind every request already in the mailbox: they join this batch.
    self->send(self, flush_atom::value);
  }
  return rp;
}

// Carries out what the storage health decided: its state goes to
// RuntimeStats (/api/gate, /metrics; and it outlives a restart of this
// actor), a fault's start and end to the log and the notify command.
// Never throws: it runs after the batch's answers, whatever happens here.
// Called on a failed commit, and on a commit while troubled (not on every
// commit: the hot path does not take RuntimeStats' lock).
void tell(self_ptr self, const std::optional<StorageNews>& news) noexcept {
  auto& st = self->state;
  try {
    if (st.args.stats) st.args.stats->set_storage_health(st.health);
    if (!news) return;
    if (news->event == "storage.failing")
      spdlog::error("persistence: dispatch held: {}", held_reason(news->fault, news->at));
    else
      spdlog::info("persistence: storage recovered after {}, dispatch resumes: it was {}",
                   format_age(news->at - news->fault.since), describe(news->fault));
    run_notify_command(st.args.gate.notify, notify_env(*news));
  } catch (const std::exception& e) {  // no thread for the notify command, say
    spdlog::warn("persistence: telling of a storage fault failed: {}", e.what());
  }
}

// A commit (or the opening of the database) failed with `e`.
void storage_failed(self_ptr self, const DbError& e) {
  tell(self, self->state.health.failed(storage_fault_kind(e.code()), e.what(), self->state.args.clock->now_ms()));
}

void flush(self_ptr self) {
  fault::crash_point("actor.persistence");  // the batch's requesters get errors and retry
  fault::hang_point("hang.persistence");
  auto& st = self->state;
  st.flush_scheduled = false;
  if (st.batch.empty()) return;
  std::vector<Op> ops;
  ops.swap(st.batch);
  try {
    Transaction tx(*st.db);
    for (auto& op : ops) op.run(*st.store);
    tx.commit();
  } catch (const std::exception& e) {
    if (!dynamic_cast<const DbError*>(&e)) {  // a bug, or an injected fault: rolled back, then crash
      auto err = caf::make_error(caf::sec::runtime_error, std::string(e.what()));
      for (auto& op : ops) op.fail(err);
      throw;
    }
    if (auto held = st.log.admit("batch", steady_now_ms()))
      spdlog::error("persistence: batch of {} requests rolled back: {}{}", ops.size(), e.what(), held_back_note(*held));
    auto err = caf::make_error(caf::sec::runtime_error, std::string(e.what()));
    for (auto& op : ops) op.fail(err);
    storage_failed(self, static_cast<const DbError&>(e));
    // A broken connection or file is not fixed by retrying on it: crash, and
    // let the supervisor restart us with a fresh connection.
    if (needs_fresh_connection(static_cast<const DbError&>(e).code())) throw;
    return;
  }
  st.transactions += 1;
  st.requests += static_cast<int64_t>(ops.size());
  for (auto& op : ops) op.reply();
  if (st.health.troubled()) tell(self, st.health.committed(st.args.clock->now_ms()));
  if (st.notify_dispatcher) {
    st.notify_dispatcher = false;
    if (auto d = lookup<dispatcher_actor>(self->system(), dispatcher_name)) self->send(d, claim_atom::value);
  }
}

// What to trace after COMMIT for a request `tc` of `type`: the reply to its
// sender, after `events` (the tasks it touched). Nothing when tracing is off.
template <class T>
std::function<void(const T&)> traced(const TraceCtx& tc, const char* type, std::function<void(const T&)> events) {
  if (!trace::on() || !tc.id) return nullptr;
  return [tc, type, events](const T& r) {
    if (events) events(r);
    trace::reply(tc, "persistence", "", type, [&] { return trace::describe(r); });
  };
}

void trace_claimed(const TraceCtx& tc, const TaskList& tasks) {
  for (auto& t : tasks)
    trace::event(tc, "persistence", "task.claimed", t.id, [&] {
      return "attempt " + std::to_string(t.attempts) + "/" + std::to_string(t.max_attempts) + ": " + t.subject;
    });
}

// Opens the database and the store on it; a failure to open counts as a
// storage fault (a broken disk fails the reopening too) and is rethrown.
void open_store(self_ptr self, const PersistenceArgs& args) {
  auto& st = self->state;
  st.args = args;
  if (args.stats) st.health = args.stats->storage_health();  // a fault of before a restart goes on
  OpenOptions o;
  o.synchronous = args.synchronous;
  o.busy_timeout_ms = args.busy_timeout_ms;
  try {
    st.db = open_database(args.database, o);
    // Read back from this connection: what an acknowledged write rests on.
    spdlog::info("persistence: {} open ({})", args.database, durability(*st.db));
  } catch (const DbError& e) {
    storage_failed(self, e);
    throw;
  }
  st.store = std::make_unique<TaskStore>(*st.db, *args.clock, args.store);
}

// ---- the requests that need more than one line: each queued for the batch

caf::typed_response_promise<CreateResult> create(self_ptr self, TaskSpec spec, std::string actor, TraceCtx tc) {
  trace::recv(tc, "persistence", "create");
  self->state.notify_dispatcher = true;  // a new task may be ready: claim at once
  return enqueue<CreateResult>(
      self, [spec = std::move(spec), actor](TaskStore& s) { return s.create(spec, actor); },
      traced<CreateResult>(tc, "create", [tc](const CreateResult& r) {
        if (r.created) trace::event(tc, "persistence", "task.created", r.id, [] { return "pending"; });
      }));
}

caf::typed_response_promise<TaskList> claim(self_ptr self, std::string owner, int32_t max, millis lease, TraceCtx tc) {
  trace::recv(tc, "persistence", "claim");
  return enqueue<TaskList>(
      self, [owner, max, lease](TaskStore& s) { return s.claim(owner, max, lease); },
      traced<TaskList>(tc, "claim", [tc](const TaskList& tasks) { trace_claimed(tc, tasks); }));
}

// One result (a cluster worker's, relayed). The gate counts it in the same
// transaction (the gate actor, told next, re-reads the row to log and notify).
caf::typed_response_promise<FinishResult> finish(self_ptr self, TaskOutcome o, TraceCtx tc) {
  trace::recv(tc, "persistence", "finish");
  int64_t id = o.id;
  const GateConfig* gate = &self->state.args.gate;  // the op runs in this actor's flush, or is failed with it
  return enqueue<FinishResult>(
      self, [o = std::move(o), gate](TaskStore& s) { return record_outcome(s, *gate, o); },
      traced<FinishResult>(tc, "finish", [tc, id](const FinishResult& done) {
        trace::event(tc, "persistence", "task.finished", id, [&] { return describe(done); });
      }));
}

// The dispatcher's results with its next claim: one composite write.
caf::typed_response_promise<FinishAndClaim> finish_batch(self_ptr self, OutcomeList os, int32_t max, millis lease,
                                                         TraceList tcs) {
  for (auto& tc : tcs) trace::recv(tc, "persistence", "finish");
  const GateConfig* gate = &self->state.args.gate;  // not copied per batch (its maps and argv)
  std::string owner = os.empty() ? std::string() : os.front().owner;
  std::function<void(const FinishAndClaim&)> traced_reply;
  if (trace::on()) {
    IdList ids;
    for (auto& o : os) ids.push_back(o.id);
    traced_reply = [tcs, ids](const FinishAndClaim& r) {
      for (size_t i = 0; i < tcs.size() && i < r.results.size(); ++i) {
        if (!tcs[i].id) continue;
        trace::event(tcs[i], "persistence", "task.finished", ids[i], [&] { return describe(r.results[i]); });
        if (i + 1 == tcs.size()) trace_claimed(tcs[i], r.claimed);
        trace::reply(tcs[i], "persistence", "", "finish", [&] { return trace::describe(r); });
      }
    };
  }
  return enqueue<FinishAndClaim>(
      self,
      [os = std::move(os), gate, owner, max, lease](TaskStore& s) {
        return finish_and_claim(s, *gate, os, owner, max, lease);
      },
      std::move(traced_reply));
}

// The queue's housekeeping: this arcd's heartbeat, lapsed leases, expiry.
caf::typed_response_promise<int32_t> housekeep(self_ptr self, std::string incarnation) {
  return enqueue<int32_t>(self, [incarnation](TaskStore& s) {
    heartbeat(s.db(), incarnation, s.now());
    return static_cast<int32_t>(s.recover_expired_leases("queue") + s.expire_stale("queue"));
  });
}

caf::typed_response_promise<TriageReport> triage(self_ptr self, TraceCtx tc) {
  trace::recv(tc, "persistence", "triage");
  auto cfg = self->state.args.triage;
  auto before = std::make_shared<int64_t>(0);  // the highest task id before the scan
  return enqueue<TriageReport>(
      self,
      [cfg, before](TaskStore& s) {
        *before = s.db().scalar_int("SELECT coalesce(max(id), 0) FROM tasks");  // one index probe
        return run_triage(s, cfg);
      },
      traced<TriageReport>(tc, "triage", [self, tc, before](const TriageReport& r) {
        if (!r.investigations && !r.incidents_opened) return;
        // The tasks the scan created (investigations, incident summaries).
        auto q = self->state.db->prepare("SELECT id, subject FROM tasks WHERE id > ? ORDER BY id");
        q.bind(1, *before);
        while (q.step()) trace::event(tc, "persistence", "task.created", q.col_int(0), [&] { return q.col_text(1); });
      }));
}

caf::typed_response_promise<SensorRunSummary> sensor_run(self_ptr self, SensorRun run, TraceCtx tc) {
  trace::recv(tc, "persistence", "sensor");
  if (!run.specs.empty()) self->state.notify_dispatcher = true;  // never clears one set earlier in the batch
  std::string name = run.name;
  return enqueue<SensorRunSummary>(
      self, [run = std::move(run)](TaskStore& s) { return record_sensor_run(s, run); },
      traced<SensorRunSummary>(tc, "sensor", [tc, name](const SensorRunSummary& r) {
        for (int64_t id : r.created_ids)
          trace::event(tc, "persistence", "task.created", id, [&] { return "by sensor " + name; });
      }));
}

persistence_actor::behavior_type persistence_fn(self_ptr self, PersistenceArgs args) {
  answer_requests_on_crash(self, "persistence");
  open_store(self, args);
  // On shutdown, commit what is queued before leaving.
  self->set_exit_handler([self](const caf::exit_msg& m) {
    flush(self);
    self->quit(m.reason);
  });
  // Writes join the next batch (one transaction, one commit); reads are
  // answered at once from the connection, outside any batch.
  using S = TaskStore;
  return {
      [self](create_atom, TaskSpec spec, std::string actor, TraceCtx tc) { return create(self, spec, actor, tc); },
      [self](claim_atom, std::string owner, int32_t max, millis lease, TraceCtx tc) {
        return claim(self, owner, max, lease, tc);
      },
      [self](finish_atom, TaskOutcome o, TraceCtx tc) { return finish(self, std::move(o), tc); },
      [self](finish_atom, OutcomeList os, int32_t max, millis lease, TraceList tcs) {
        return finish_batch(self, std::move(os), max, lease, std::move(tcs));
      },
      [self](renew_atom, std::string owner, IdList ids, millis lease) {
        return enqueue<IdList>(self, [=](S& s) { return s.renew(owner, ids, lease); });
      },
      [self](requeue_atom, int64_t id, std::string owner, std::string reason, TraceCtx tc) {
        trace::recv(tc, "persistence", "requeue");
        return enqueue<bool>(self, [=](S& s) { return s.requeue(id, owner, reason); }, traced<bool>(tc, "requeue", nullptr));
      },
      [self](reap_atom, std::string incarnation) { return housekeep(self, incarnation); },
      [self](gate_atom, GateCommand cmd) {
        const GateConfig* cfg = &self->state.args.gate;
        return enqueue<GateResult>(self, [cmd, cfg](S& s) { return apply_gate(s.db(), s, *cfg, cmd); });
      },
      [self](triage_atom, TraceCtx tc) { return triage(self, tc); },
      [self](sensor_atom, std::string name) {
        return enqueue<SensorRow>(self, [name](S& s) { return load_sensor(s.db(), name); });
      },
      [self](sensor_atom, SensorRun run, TraceCtx tc) { return sensor_run(self, std::move(run), tc); },
      [self](release_atom, std::string owner, IdList running) {
        return enqueue<int32_t>(self, [=](S& s) { return static_cast<int32_t>(s.release_unheld(owner, running)); });
      },
      [self](node_atom, NodeRow row) {
        return enqueue<bool>(self, [row](S& s) {
          upsert_node(s.db(), row);
          return true;
        });
      },
      [self](ping_atom, std::string name) {
        return enqueue<bool>(self, [name](S& s) { return touch_node(s.db(), name, s.now()); });
      },
      [self](context_atom, int64_t task, int32_t recent) { return load_prompt_context(*self->state.db, task, recent); },
      [self](setting_atom, const std::string& name) {
        auto s = get_setting(*self->state.db, name);
        return caf::make_result(s.value, s.updated_at);
      },
      // A read of the connection's counter: no transaction, no lock.
      [self](version_atom) { return self->state.db->scalar_int("PRAGMA data_version"); },
      [self](stats_atom) {
        fault::hang_point("hang.persistence");
        return caf::make_result(self->state.transactions, self->state.requests);
      },
      [self](flush_atom) { flush(self); },
  };
}

}  // namespace

persistence_actor spawn_persistence(caf::actor_system& sys, const PersistenceArgs& args) {
  return sys.spawn<caf::detached>(persistence_fn, args);
}

}  // namespace arc
