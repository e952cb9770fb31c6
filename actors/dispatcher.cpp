#include "actors/dispatcher.hpp"

#include "actors/crash_reply.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <map>

#include "actors/trace.hpp"
#include "core/fault.hpp"

#include <set>

#include "actors/agent_run.hpp"
#include "core/claude_output.hpp"
#include "core/executor_launch.hpp"
#include "core/lease_loss.hpp"
#include "core/runtime_stats.hpp"

namespace arc {
namespace {

constexpr auto kRequestTimeout = std::chrono::seconds(30);
// After a failed claim: no claim for 100 ms, doubling per failure in a row, up to 5 s.
constexpr millis kClaimPauseFirst = 100;
constexpr millis kClaimPauseCap = 5'000;

struct DispatcherState {
  DispatcherArgs args;
  std::set<int64_t> running;     // tasks whose executor runs (or whose result is unrecorded)
  std::set<int64_t> recording;   // results handed to the queue, reply pending
  std::map<int64_t, uint64_t> run_of;  // task -> which run of ours (a task may run again later)
  std::map<int64_t, int64_t> epoch_of;  // task -> lease epoch of the claim its run holds (fencing)
  std::set<int64_t> finished;    // runs whose result is in hand, not yet recorded
  // Cluster workers only: task -> steady ms until which its lease is surely
  // still ours (asked at + lease). Past it the hub may have handed the task
  // to another node, so the run is stopped (lease_certainly_lost).
  std::map<int64_t, int64_t> held_until;
  uint64_t runs = 0;
  bool release_wanted = false;  // requeue claims we hold but do not run (release_atom)
  bool release_loop = false;    // a release_atom is on its way: at most one loop
  int release_failures = 0;     // in a row, for the log
  bool claiming = false;         // a claim request is in flight
  // Failed claims in a row, and the steady ms before which no claim is tried.
  // A storage error (a full disk) fails every claim; without the pause, each
  // wake-up (the failed write touches the WAL, which wakes us) claims again.
  int claim_failures = 0;
  int64_t claims_paused_until = 0;
  bool draining = false;
  int64_t data_version = -1;     // of the persistence connection, last seen
  bool version_asked = false;    // one data_version request in flight at most
  bool version_again = false;    // a change came in while it was in flight
  std::set<int64_t> stopping;    // runs we cancelled at drain: requeue, do not record
  std::set<int64_t> lease_lost;  // runs we stopped because their lease was lost: never handed a new claim
  caf::typed_response_promise<int32_t> drain_promise;
  static inline const char* name = "dispatcher";
};

using self_ptr = dispatcher_actor::stateful_pointer<DispatcherState>;

queue_actor queue(self_ptr self) { return lookup<queue_actor>(self->system(), queue_name); }

int free_slots(self_ptr self) {
  auto& st = self->state;
  return st.args.config->slots - static_cast<int>(st.running.size());
}

void maybe_finish_drain(self_ptr self) {
  auto& st = self->state;
  if (st.draining && st.running.empty() && !st.claiming && st.drain_promise.pending())
    st.drain_promise.deliver(int32_t{0});
}

// A result that could not be recorded (queue or persistence restarting, a
// busy database) is tried again a second later: it must not be dropped, or
// the task would stay active and its slot taken.
void retry_later(self_ptr self, const ExecDone& done) {
  self->delayed_send(self, std::chrono::seconds(1), exec_done_atom::value, done);
}

// Records a result (or, for a run we stopped at shutdown, a requeue).
void want_release(self_ptr self);

// Records a run's result: `done.trace` is its exec.done event.
void record(self_ptr self, ExecDone done) {
  auto& st = self->state;
  auto q = queue(self);
  int64_t id = done.task_id;
  if (st.recording.count(id)) return;  // already on its way
  if (!q) {
    retry_later(self, done);
    return;
  }
  st.recording.insert(id);
  auto on_recorded = [self, id] {
    auto& st = self->state;
    st.recording.erase(id);
    st.running.erase(id);
    st.run_of.erase(id);
    st.epoch_of.erase(id);
    st.finished.erase(id);
    st.held_until.erase(id);
    st.lease_lost.erase(id);
    st.args.runners->erase(id);
    maybe_finish_drain(self);
    self->send(self, tick_atom::value);
  };
  auto on_error = [self, id, done](caf::error& e) {
    spdlog::warn("dispatcher: recording task {} failed ({}); retrying in 1 s", id, caf::to_string(e));
    self->state.recording.erase(id);
    retry_later(self, done);
  };
  if (done.cancelled && st.stopping.count(id)) {
    std::string why = "arcd stopping: run interrupted after the shutdown grace period";
    auto tc = trace::send(done.trace, "dispatcher", "queue", "requeue", id, [&] { return why; });
    self->request(q, kRequestTimeout, requeue_atom::value, id, why, tc)
        .then([on_recorded](bool) { on_recorded(); }, on_error);
    return;
  }
  // A run stopped because its lease was lost (an operator's cancel, a
  // requeue elsewhere, its agent's close past the grace) is reported all
  // the same: the store keeps what it cost and refuses the rest (fencing).
  if (done.cancelled) spdlog::info("dispatcher: task {} stopped: its lease was taken away", id);
  const ExecOutcome& x = done.outcome;
  TaskOutcome o{id, "", x, done.duration_ms, st.epoch_of[id], done.run};  // the queue fills in the owner
  auto tc = trace::send(done.trace, "dispatcher", "queue", "finish", id, [&] { return x.status + ": " + x.summary; });
  self->request(q, kRequestTimeout, finish_atom::value, std::move(o), tc)
      .then(
          [self, on_recorded, id, x, tc](std::string& now) {
            if (now.empty()) {
              spdlog::warn("dispatcher: task {} finished but its lease was lost; result ignored", id);
              // If it was claimed back by us meanwhile, we hold it with nothing running.
              want_release(self);
            } else {
              spdlog::info("dispatcher: task {} {} -> {}", id, x.status, now);
              // Told once, after the result is durable (a retried record does not count twice).
              std::string word = gate_word(x.status, x.systemic, now);
              if (auto g = lookup<gate_actor>(self->system(), gate_name))
                self->send(g, outcome_atom::value, word, x.stop_reason.empty() ? x.summary : x.stop_reason,
                           trace::send(tc, "dispatcher", "gate", "outcome", id, [&] { return word; }));
              if (now == status::failed)
                if (auto t = lookup<triage_actor>(self->system(), triage_name))
                  self->send(t, failed_atom::value, trace::send(tc, "dispatcher", "triage", "failed", id));
            }
            on_recorded();
          },
          on_error);
}

void claim(self_ptr self);

// Asks for the tasks we hold but do not run to be requeued: claims whose
// answer was lost (a crash on the way), or whose run was stopped.
void want_release(self_ptr self) {
  auto& st = self->state;
  st.release_wanted = true;
  if (st.release_loop) return;
  st.release_loop = true;
  self->send(self, release_atom::value);
}

bool cluster_worker(self_ptr self) { return self->state.args.config->cluster.role == "worker"; }

// `claimed` is the claim that handed the task out, asked for at `asked` (steady ms).
void launch(self_ptr self, const Task& task, const TraceCtx& claimed, int64_t asked) {
  auto& st = self->state;
  if (cluster_worker(self)) st.held_until[task.id] = asked + st.args.config->lease_ms;
  if (st.running.count(task.id) && (st.finished.count(task.id) || st.lease_lost.count(task.id))) {
    // Its lease lapsed and the task came back to us while the earlier run's
    // result is still being recorded, or while that run is being stopped for
    // the lost lease: that result belongs to the earlier lease (it will be
    // refused) and this claim gets no run from it. Give it back; the task
    // runs again.
    spdlog::warn("dispatcher: task {} claimed again while its earlier result is being recorded; requeued", task.id);
    if (auto q = queue(self))
      self->request(q, kRequestTimeout, requeue_atom::value, task.id,
                    std::string("claimed again while the earlier run's result was being recorded; runs again"),
                    trace::send(claimed, "dispatcher", "queue", "requeue", task.id))
          .then([](bool) {}, [self](caf::error&) { want_release(self); });
    return;
  }
  if (st.running.count(task.id)) {
    // Its lease lapsed and was taken again by us while the first run still
    // goes on (a stalled persistence, say): that run now holds the new
    // claim. Never a second process for one task.
    spdlog::warn("dispatcher: task {} claimed again while its run goes on; the run keeps it", task.id);
    st.run_of[task.id] = ++st.runs;  // a renewal sent before this claim no longer speaks for the run
    st.epoch_of[task.id] = task.lease_epoch;
    return;
  }
  const Config& cfg = *st.args.config;
  ExecutorChoice exec = pick_executor(cfg, task.skills);
  std::string why = exec.why;
  ProcessSpec spec;
  try {
    if (exec.skill) why = build_process_spec(task, *exec.skill, st.args.env, spec);
  } catch (const std::exception& e) {
    why = std::string("could not prepare the executor's input: ") + e.what();
  }
  st.running.insert(task.id);
  st.run_of[task.id] = ++st.runs;
  st.epoch_of[task.id] = task.lease_epoch;
  if (!why.empty()) {
    ExecDone done;
    done.trace = trace::event(claimed, "dispatcher", "exec.refused", task.id, [&] { return why; });
    done.task_id = task.id;
    done.outcome.status = status::failed;
    done.outcome.failure_class = failure::executor_error;
    done.outcome.summary = why;
    record(self, std::move(done));
    return;
  }
  std::string executor = exec.claude ? "claude" : exec.skill->name;
  spdlog::info("dispatcher: task {} started ({}, attempt {}/{}): {}", task.id, executor, task.attempts,
               task.max_attempts, task.subject);
  auto started = trace::event(claimed, "dispatcher", "exec.start", task.id, [&] {
    return executor + ", attempt " + std::to_string(task.attempts) + "/" + std::to_string(task.max_attempts);
  });
  auto config = st.args.config;
  RunInfo run;
  run.executor = executor;
  if (!exec.claude) {
    std::string format = exec.skill->format;
    st.args.runners->start(
        task.id, std::move(spec), std::move(run),
        [config, format](const ProcessResult& r) { return interpret_output(format, r, &config->claude); },
        caf::actor_cast<caf::actor>(self), started);
    return;
  }
  st.args.runners->start(task.id, {}, std::move(run),
                         [config](const ProcessResult& r) { return interpret_claude_output(r, &config->claude); },
                         caf::actor_cast<caf::actor>(self), started, prepare_claude_run(self->system(), config, task, st.args.env));
}

// A claim (or release) in flight has ended: a drain may have been waiting
// for it (a stop while the gate is asked, e.g. with the gate paused).
void claim_over(self_ptr self) {
  self->state.claiming = false;
  maybe_finish_drain(self);
}

void claim_from_queue(self_ptr self, const TraceCtx& cause) {
  int n = free_slots(self);
  auto q = queue(self);
  if (n <= 0 || !q || self->state.draining) {
    claim_over(self);
    return;
  }
  auto tc = trace::send(cause, "dispatcher", "queue", "claim", 0, [&] { return "up to " + std::to_string(n); });
  int64_t asked = steady_now_ms();
  self->request(q, kRequestTimeout, claim_atom::value, static_cast<int32_t>(n), tc)
      .then(
          [self, tc, asked](TaskList& tasks) {
            auto& st = self->state;
            st.claiming = false;
            st.claim_failures = 0;
            // As if this answer were lost (we die holding claims we never start).
            fault::crash_point("actor.dispatcher.claimed");
            if (st.draining) {
              // Claimed just as the stop began: give them back untouched.
              auto q = queue(self);
              for (auto& t : tasks)
                if (q)
                  caf::anon_send(q, requeue_atom::value, t.id, std::string("arcd stopping before the run started"),
                                 trace::send(tc, "dispatcher", "queue", "requeue", t.id));
              maybe_finish_drain(self);
              return;
            }
            for (auto& t : tasks) launch(self, t, tc, asked);
            // A full batch means more may be ready: ask again at once.
            if (!tasks.empty() && free_slots(self) > 0) claim(self);
          },
          [self](caf::error& e) {
            auto& st = self->state;
            st.claiming = false;
            millis pause = doubling_delay(kClaimPauseFirst, kClaimPauseCap, ++st.claim_failures);
            st.claims_paused_until = steady_now_ms() + pause;
            self->delayed_send(self, std::chrono::milliseconds(pause), tick_atom::value);
            spdlog::warn("dispatcher: claim failed ({} in a row): {}; no claim for {} ms", st.claim_failures,
                         caf::to_string(e), pause);
            // It may have been committed all the same (the queue crashed on
            // the way back): what we hold but do not run goes back.
            want_release(self);
            maybe_finish_drain(self);
          });
}

// Asks the gate, then the queue. One claim in flight at a time.
void claim(self_ptr self) {
  auto& st = self->state;
  if (st.draining || st.claiming || free_slots(self) <= 0) return;
  if (steady_now_ms() < st.claims_paused_until) return;  // a tick comes when the pause ends
  auto g = lookup<gate_actor>(self->system(), gate_name);
  if (!g) return;  // gate restarting: no claim without its word
  st.claiming = true;
  // The root of a claim's chain: the gate's word, the claim, the runs it starts.
  auto tc = trace::send({}, "dispatcher", "gate", "may_claim", 0,
                        [&] { return std::to_string(free_slots(self)) + " free slot(s)"; });
  self->request(g, kRequestTimeout, may_claim_atom::value, tc)
      .then(
          [self, tc](bool open) {
            if (open) claim_from_queue(self, tc);
            else claim_over(self);
          },
          [self](caf::error&) { claim_over(self); });
}

// A cluster worker whose renewals have not got through (cut off from its
// hub) stops a run once its lease has surely run out: the hub requeues the
// task then, and another node may already run it. (On a single node the run
// goes on and takes the task's next claim over; no one else could claim it.)
void stop_runs_past_their_lease(self_ptr self) {
  auto& st = self->state;
  int64_t now = steady_now_ms();
  for (auto& [id, until] : st.held_until) {
    if (until > now || st.finished.count(id) || !st.running.count(id)) continue;
    spdlog::warn("dispatcher: the lease of task {} has run out without a renewal ({} ms ago); stopping its run, "
                 "the hub requeues the task",
                 id, now - until);
    until = INT64_MAX;  // once
    st.lease_lost.insert(id);
    st.args.runners->cancel(id);
  }
}

dispatcher_actor::behavior_type dispatcher_fn(self_ptr self, DispatcherArgs args) {
  answer_requests_on_crash(self, "dispatcher");
  auto& st = self->state;
  st.args = args;
  // Runs started by a previous dispatcher (we are a restart) are ours now.
  for (int64_t id : st.args.runners->adopt(caf::actor_cast<caf::actor>(self))) {
    st.running.insert(id);
    st.run_of[id] = ++st.runs;
  }
  if (!st.running.empty())
    spdlog::info("dispatcher: adopted {} runs of the previous dispatcher", st.running.size());
  // A claim answered to our dead predecessor was never started: requeue it now,
  // not when its lease runs out.
  want_release(self);
  self->send(self, poll_atom::value);
  self->send(self, version_atom::value);
  self->delayed_send(self, std::chrono::milliseconds(st.args.config->lease_ms / 3), renew_atom::value);
  return {
      [self](tick_atom) { claim(self); },
      [self](release_atom) {
        // The one release loop: runs while a release is wanted.
        auto& st = self->state;
        if (!st.release_wanted) {
          st.release_loop = false;
          return;
        }
        auto q = queue(self);
        // Never beside a claim: its tasks would not be in `running` yet.
        if (!q || st.claiming) {
          self->delayed_send(self, std::chrono::milliseconds(50), release_atom::value);
          return;
        }
        st.release_wanted = false;
        st.claiming = true;
        IdList running(st.running.begin(), st.running.end());
        self->request(q, kRequestTimeout, release_atom::value, std::move(running))
            .then(
                [self](int32_t n) {
                  self->state.claiming = false;
                  self->state.release_failures = 0;
                  if (n > 0) spdlog::info("dispatcher: {} claimed tasks never started (the claim's answer was lost) requeued", n);
                  maybe_finish_drain(self);
                  self->send(self, release_atom::value);  // again if wanted meanwhile, else the loop ends
                  claim(self);
                },
                [self](caf::error& e) {
                  auto& st = self->state;
                  st.claiming = false;
                  st.release_wanted = true;
                  // Once, then every minute: a cluster worker cut off from
                  // its hub fails this every second until it is back.
                  if (st.release_failures++ % 60 == 0)
                    spdlog::warn("dispatcher: could not release unstarted claims ({}); trying every second",
                                 caf::to_string(e));
                  maybe_finish_drain(self);
                  self->delayed_send(self, std::chrono::seconds(1), release_atom::value);
                });
      },
      [self](exec_done_atom, ExecDone done) {
        fault::crash_point("actor.dispatcher");  // the result is kept by the RunnerTable
        if (!self->state.running.count(done.task_id)) return;
        self->state.finished.insert(done.task_id);
        record(self, std::move(done));
      },
      [self](version_atom) {
        // Tasks written by another process (the CLI, the HTTP API) start
        // within a few ms: PRAGMA data_version changes when another
        // connection commits. Asked when the database's files change
        // (core/file_watch.hpp), else every 5 ms (poll_data_version).
        auto& st = self->state;
        if (st.args.poll_data_version) self->delayed_send(self, std::chrono::milliseconds(5), version_atom::value);
        auto p = lookup<persistence_actor>(self->system(), persistence_name);
        if (!p || free_slots(self) <= 0 || st.draining) return;
        // One request at a time: a persistence busy with a long batch must
        // not find hundreds of these queued behind it. A change meanwhile is
        // looked at when the answer comes.
        if (st.version_asked) {
          st.version_again = true;
          return;
        }
        st.version_asked = true;
        self->request(p, kRequestTimeout, version_atom::value)
            .then(
                [self](int64_t v) {
                  auto& st = self->state;
                  st.version_asked = false;
                  if (v != st.data_version) {
                    st.data_version = v;
                    claim(self);
                  }
                  if (st.version_again) {
                    st.version_again = false;
                    self->send(self, version_atom::value);
                  }
                },
                [self](caf::error&) { self->state.version_asked = false; });
      },
      [self](poll_atom) {
        self->delayed_send(self, std::chrono::milliseconds(self->state.args.config->poll_ms),
                           poll_atom::value);
        claim(self);
      },
      [self](renew_atom) {
        auto& st = self->state;
        self->delayed_send(self, std::chrono::milliseconds(st.args.config->lease_ms / 3),
                           renew_atom::value);
        stop_runs_past_their_lease(self);
        auto q = queue(self);
        if (st.running.empty() || !q) return;
        IdList ids(st.running.begin(), st.running.end());
        auto asked = st.run_of;  // the runs this renewal is for
        int64_t asked_at = steady_now_ms();
        self->request(q, kRequestTimeout, renew_atom::value, std::move(ids))
            .then(
                [self, asked, asked_at](IdList& lost) {
                  auto& st = self->state;
                  // The leases not lost now run until at least asked_at + lease.
                  for (auto& [id, until] : st.held_until)
                    if (asked.count(id) && std::find(lost.begin(), lost.end(), id) == lost.end())
                      until = std::max(until, asked_at + st.args.config->lease_ms);
                  auto run = [](const std::map<int64_t, uint64_t>& runs, int64_t id) -> std::optional<uint64_t> {
                    auto it = runs.find(id);
                    if (it == runs.end()) return std::nullopt;
                    return it->second;
                  };
                  for (int64_t id : lost) {
                    if (on_lost_lease(run(asked, id), run(st.run_of, id), st.recording.count(id) > 0) !=
                        LostLease::stop_run)
                      continue;
                    spdlog::warn("dispatcher: lost the lease of task {}; stopping its run", id);
                    self->state.lease_lost.insert(id);
                    self->state.args.runners->cancel(id);
                  }
                },
                [](caf::error& e) { spdlog::warn("dispatcher: lease renewal failed: {}", caf::to_string(e)); });
      },
      [self](drain_atom, millis grace) {
        auto& st = self->state;
        st.draining = true;
        auto rp = self->make_response_promise<int32_t>();
        st.drain_promise = rp;
        spdlog::info("dispatcher: draining: {} runs to finish within {} ms", st.running.size(), grace);
        maybe_finish_drain(self);
        if (st.drain_promise.pending())
          self->delayed_send(self, std::chrono::milliseconds(grace), drain_atom::value);
        return rp;
      },
      [self](drain_atom) {
        auto& st = self->state;
        if (st.running.empty()) return;
        spdlog::warn("dispatcher: shutdown grace period over: stopping {} runs and requeueing their tasks",
                     st.running.size());
        for (int64_t id : st.running) {
          st.stopping.insert(id);
          st.args.runners->cancel(id);
        }
      },
  };
}

}  // namespace

dispatcher_actor spawn_dispatcher(caf::actor_system& sys, const DispatcherArgs& args) {
  return sys.spawn(dispatcher_fn, args);
}

}  // namespace arc
