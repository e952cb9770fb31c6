#include "actors/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <cstdint>
#include <optional>

#include "actors/agent_run.hpp"
#include "actors/crash_reply.hpp"
#include "actors/trace.hpp"
#include "core/claude_output.hpp"
#include "core/executor_launch.hpp"
#include "core/fault.hpp"
#include "core/log_throttle.hpp"
#include "core/run_book.hpp"
#include "core/runtime_stats.hpp"

namespace arc {
namespace {

constexpr auto kRequestTimeout = std::chrono::seconds(30);

struct DispatcherState {
  DispatcherArgs args;
  std::optional<RunBook> book;  // every run we hold, and the decisions about them (core/run_book.hpp)
  std::map<int64_t, std::pair<Task, TraceCtx>> ahead;  // what the book's waiting runs will start with
  std::vector<ExecDone> outbox;  // results to record with the next batch (send_records)
  bool release_wanted = false;  // give back claims we hold but do not run (release_atom)
  bool release_loop = false;    // a release_atom is on its way: at most one loop
  int release_failures = 0;     // in a row, for the log
  int64_t data_version = -1;    // of the persistence connection, last seen
  bool version_asked = false;   // one data_version request in flight at most
  bool version_again = false;   // a change came in while it was in flight
  caf::typed_response_promise<int32_t> drain_promise;
  LogThrottle log;  // a storage fault fails every write: say each kind once per 5 s
  static inline const char* name = "dispatcher";
};

using self_ptr = dispatcher_actor::stateful_pointer<DispatcherState>;

RunBook& book(self_ptr self) { return *self->state.book; }

queue_actor queue(self_ptr self) { return lookup<queue_actor>(self->system(), queue_name); }

void maybe_finish_drain(self_ptr self) {
  auto& st = self->state;
  if (book(self).drained() && st.drain_promise.pending()) st.drain_promise.deliver(int32_t{0});
}

// A result that could not be recorded (queue or persistence restarting, a
// busy database) is tried again a second later: it must not be dropped, or
// the task would stay active and its slot taken.
void retry_later(self_ptr self, const ExecDone& done) {
  self->delayed_send(self, std::chrono::seconds(1), exec_done_atom::value, done);
}

void want_release(self_ptr self);

// Tells the gate and triage what a recorded result means. Once, after the
// result is durable (a retried record does not count twice).
void tell_outcome(self_ptr self, const ExecOutcome& x, TaskStatus now, const TraceCtx& tc, int64_t id) {
  RunOutcome word = gate_word(x.outcome(), now);
  if (auto g = lookup<gate_actor>(self->system(), gate_name))
    self->send(g, outcome_atom::value, word, x.stop_reason.empty() ? x.summary : x.stop_reason,
               trace::send(tc, "dispatcher", "gate", "outcome", id, [&] { return to_string(word); }));
  if (now == TaskStatus::failed)
    if (auto t = lookup<triage_actor>(self->system(), triage_name))
      self->send(t, failed_atom::value, trace::send(tc, "dispatcher", "triage", "failed", id));
}

void launch(self_ptr self, const Task& task, const TraceCtx& claimed, int64_t asked);
void start_waiting(self_ptr self);
void give_back_waiting(self_ptr self, const std::vector<int64_t>& ids, const std::string& why);

// What a finish's answer means; not_recorded never reaches here (the
// caller tries it again: record_failed).
void finished(self_ptr self, int64_t id, const ExecOutcome& x, const FinishResult& done, const TraceCtx& tc) {
  if (done.kind == FinishResult::Kind::lease_lost) {
    spdlog::warn("dispatcher: task {} finished but its lease was lost; result ignored", id);
    // If it was claimed back by us meanwhile, we hold it with nothing running.
    want_release(self);
    return;
  }
  spdlog::info("dispatcher: task {} {} -> {}", id, to_string(x.outcome()), to_string(done.status));
  tell_outcome(self, x, done.status, tc, id);
}

// A run's result (or requeue) is recorded: the run is over.
void on_recorded(self_ptr self, int64_t id) {
  book(self).recorded(id);
  self->state.args.runners->erase(id);
  maybe_finish_drain(self);
}

// Recording a run's result failed: it stays in hand and is tried again.
void record_failed(self_ptr self, const ExecDone& done, const caf::error& e) {
  if (auto held = self->state.log.admit("record", steady_now_ms()))
    spdlog::warn("dispatcher: recording task {} failed ({}); retrying in 1 s{}", done.task_id, caf::to_string(e),
                 held_back_note(*held));
  book(self).recording_failed(done.task_id);
  retry_later(self, done);
}

// A claim failed (`why`): no claim for a pause that doubles per failure
// in a row; a tick comes when it ends. Said once per kind per 5 s.
void claim_failed(self_ptr self, const std::string& why) {
  auto& b = book(self);
  millis pause = b.claim_failed(steady_now_ms());
  self->delayed_send(self, std::chrono::milliseconds(pause), claim_atom::value);
  if (auto held = self->state.log.admit("claim", steady_now_ms()))
    spdlog::warn("dispatcher: claim failed ({} in a row): {}; no claim for {} ms{}", b.claim_failures(), why, pause,
                 held_back_note(*held));
}

void send_records(self_ptr self);

// Records a run that ended: its result, or, for a run stopped at the end
// of the drain, a requeue. `done.trace` is its exec.done event. Results go
// in batches with the next claim (send_records).
void record(self_ptr self, ExecDone done) {
  int64_t id = done.task_id;
  Recording what = book(self).start_recording(id, done.cancelled);
  if (what == Recording::none) return;  // not ours, or already on its way
  auto q = queue(self);
  if (!q) {
    book(self).recording_failed(id);
    retry_later(self, done);
    return;
  }
  // Its slot is free: a task claimed ahead starts now, while this result
  // is committed (after a success; see the exec_done handler).
  start_waiting(self);
  if (what == Recording::requeue) {
    std::string why = "arcd stopping: run interrupted after the shutdown grace period";
    auto tc = trace::send(done.trace, "dispatcher", "queue", "requeue", id, [&] { return why; });
    self->request(q, kRequestTimeout, requeue_atom::value, id, why, tc)
        .then([self, id](bool) { on_recorded(self, id); },
              [self, done](caf::error& e) { record_failed(self, done, e); });
    return;
  }
  // A run stopped because its lease was lost (an operator's cancel, a
  // requeue elsewhere, its agent's close past the grace) is reported all
  // the same: the store keeps what it cost and refuses the rest (fencing).
  if (done.cancelled) spdlog::info("dispatcher: task {} stopped: its lease was taken away", id);
  if (book(self).policy().claim_with_record) {
    self->state.outbox.push_back(std::move(done));
    send_records(self);
    return;
  }
  // A cluster worker: the hub link relays a finish alone.
  const ExecOutcome& x = done.outcome;
  TaskOutcome o{id, "", x, done.duration_ms, book(self).find(id)->epoch, done.run};  // the queue fills in the owner
  auto tc = trace::send(done.trace, "dispatcher", "queue", "finish", id, [&] { return to_string(x.outcome()) + (": " + x.summary); });
  self->request(q, kRequestTimeout, finish_atom::value, std::move(o), tc)
      .then(
          [self, id, x, tc, done](FinishResult& r) {
            if (r.to_retry()) return record_failed(self, done, caf::make_error(caf::sec::runtime_error, describe(r)));
            finished(self, id, x, r, tc);
            on_recorded(self, id);
            self->send(self, claim_atom::value);
            start_waiting(self);
          },
          [self, done](caf::error& e) { record_failed(self, done, e); });
}

// The answer to a batch of results with a claim of `more` (asked at `asked`):
// each result recorded (or tried again), then the claimed tasks launched.
void records_answered(self_ptr self, const std::vector<ExecDone>& batch, const TraceList& traces, int64_t asked,
                      int more, const FinishAndClaim& r) {
  for (size_t i = 0; i < batch.size(); ++i) {
    const ExecDone& done = batch[i];
    // A batch answered short (it never is) leaves the rest unrecorded: tried again.
    FinishResult one = i < r.results.size() ? r.results[i] : FinishResult::failed("no answer for it");
    if (one.to_retry()) {
      record_failed(self, done, caf::make_error(caf::sec::runtime_error, describe(one)));
      continue;
    }
    finished(self, done.task_id, done.outcome, one, traces[i]);
    on_recorded(self, done.task_id);
  }
  if (!r.gate_open) give_back_waiting(self, book(self).take_waiting(), "the gate closed before they started");
  fault::crash_point("actor.dispatcher.claimed");
  TraceCtx cause = traces.empty() ? TraceCtx{} : traces.back();
  // The batch counts as in flight until its claims are in the book: a
  // result meanwhile (a run refused at its start) waits for send_records
  // below, and the drain cannot end before the claimed tasks are given back.
  for (auto& t : r.claimed) launch(self, t, cause, asked);
  book(self).batch_answered();
  bool claim_more = more == 0 || static_cast<int>(r.claimed.size()) == more;
  if (more > 0 && !r.claim_error.empty()) {
    claim_more = false;
    claim_failed(self, r.claim_error);
  } else if (more > 0) {
    book(self).claim_answered();
  }
  start_waiting(self);
  send_records(self);  // what came in meanwhile
  // As many as asked for: more may be ready. Fewer: nothing more is ready
  // (or the gate is stopped) now; the next poll or write wakes us.
  if (claim_more) self->send(self, claim_atom::value);
  maybe_finish_drain(self);
}

// The batch's request failed: every result is tried again.
void records_failed(self_ptr self, const std::vector<ExecDone>& batch, int more, const caf::error& e) {
  book(self).batch_answered();
  if (more > 0) {
    claim_failed(self, caf::to_string(e));
    // The claim may have been committed all the same (a timeout): what we
    // hold but do not run goes back.
    want_release(self);
  }
  for (auto& done : batch) record_failed(self, done, e);
  send_records(self);
  maybe_finish_drain(self);
}

// Sends the results waiting in the outbox, with the next claim, in one
// request (one commit), unless a claim or an earlier batch is in flight:
// then they go when it answers.
void send_records(self_ptr self) {
  auto& st = self->state;
  if (st.outbox.empty() || !book(self).may_send_records()) return;
  auto q = queue(self);
  std::vector<ExecDone> batch;
  batch.swap(st.outbox);
  if (!q) {
    auto down = caf::make_error(caf::sec::request_receiver_down, "the queue is restarting");
    for (auto& done : batch) record_failed(self, done, down);
    return;
  }
  OutcomeList outcomes;
  TraceList traces;
  for (auto& done : batch) {
    const ExecOutcome& x = done.outcome;
    // The queue fills in the owner.
    outcomes.push_back(TaskOutcome{done.task_id, "", x, done.duration_ms, book(self).find(done.task_id)->epoch, done.run});
    traces.push_back(trace::send(done.trace, "dispatcher", "queue", "finish", done.task_id,
                                 [&] { return to_string(x.outcome()) + (": " + x.summary); }));
  }
  int more = book(self).claim_size_after_record(steady_now_ms());
  // One batch in flight: the next results wait for its answer.
  book(self).batch_sent();
  if (more > 0) book(self).claim_sent();
  int64_t asked = steady_now_ms();
  // The answer also says whether the gate is open after these results,
  // which is what the tasks claimed ahead wait for after a failure.
  self->request(q, kRequestTimeout, finish_atom::value, std::move(outcomes), static_cast<int32_t>(more), traces)
      .then([self, batch, traces, asked, more](FinishAndClaim& r) { records_answered(self, batch, traces, asked, more, r); },
            [self, batch, more](caf::error& e) { records_failed(self, batch, more, e); });
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

void give_back(self_ptr self, int64_t id, std::string why, const TraceCtx& claimed) {
  auto q = queue(self);
  if (!q) {
    want_release(self);
    return;
  }
  self->request(q, kRequestTimeout, requeue_atom::value, id, std::move(why),
                trace::send(claimed, "dispatcher", "queue", "requeue", id))
      .then([](bool) {}, [self](caf::error&) { want_release(self); });
}

// Starts the executor of a task the run book has just taken in. A run that
// cannot start (no executor, a bad skill) fails at once, as a result.
void start_run(self_ptr self, const Task& task, const TraceCtx& claimed) {
  auto& st = self->state;
  const Config& cfg = *st.args.config;
  ExecutorChoice exec = pick_executor(cfg, task.skills);
  std::string why = exec.why;
  ProcessSpec spec;
  try {
    if (exec.skill) why = build_process_spec(task, *exec.skill, st.args.env, spec);
  } catch (const std::exception& e) {
    why = std::string("could not prepare the executor's input: ") + e.what();
  }
  if (!why.empty()) {
    ExecDone done;
    done.trace = trace::event(claimed, "dispatcher", "exec.refused", task.id, [&] { return why; });
    done.task_id = task.id;
    done.outcome.failure_class = FailureClass::executor_error;
    done.outcome.summary = why;
    book(self).result_in(task.id, steady_now_ms(), true);
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
  auto me = caf::actor_cast<caf::actor>(self);
  if (!exec.claude) {
    std::string format = exec.skill->format;
    st.args.runners->start(
        task.id, task.lease_epoch, std::move(spec), std::move(run),
        [config, format](const ProcessResult& r) { return interpret_output(format, r, &config->claude); }, me,
        started);
    return;
  }
  st.args.runners->start(task.id, task.lease_epoch, {}, std::move(run),
                         [config](const ProcessResult& r) { return interpret_claude_output(r, &config->claude); },
                         me, started, prepare_claude_run(self->system(), config, task, st.args.env));
}

// A claim asked at `asked` (steady ms) handed us `task`: the run book says what to do.
void launch(self_ptr self, const Task& task, const TraceCtx& claimed, int64_t asked) {
  switch (book(self).claimed(task.id, task.lease_epoch, asked, steady_now_ms(), task.priority)) {
    case OnClaimed::start:
      start_run(self, task, claimed);
      return;
    case OnClaimed::wait:
      self->state.ahead[task.id] = {task, claimed};
      return;
    case OnClaimed::keep_running:
      // A waiting task claimed again (its lease lapsed unstarted) starts
      // under the new claim: its lease epoch is the new one.
      if (auto it = self->state.ahead.find(task.id); it != self->state.ahead.end()) {
        it->second.first = task;
        return;
      }
      spdlog::warn("dispatcher: task {} claimed again while its run goes on; the run keeps it", task.id);
      return;
    case OnClaimed::give_back:
      spdlog::warn("dispatcher: task {} claimed again while its earlier result is being recorded; requeued", task.id);
      give_back(self, task.id, "claimed again while the earlier run's result was being recorded; runs again", claimed);
      return;
    case OnClaimed::give_back_draining:
      give_back(self, task.id, "arcd stopping before the run started", claimed);
      return;
  }
}

// Starts the tasks claimed ahead that the run book lets start now.
void start_waiting(self_ptr self) {
  auto& ahead = self->state.ahead;
  while (auto id = book(self).next_to_start(steady_now_ms())) {
    auto it = ahead.find(*id);
    if (it == ahead.end()) {  // cannot happen (every waiting run came through launch()); never hold a slot for nothing
      spdlog::error("dispatcher: task {} was to start but its claim is not at hand; giving it back", *id);
      book(self).recorded(*id);
      want_release(self);
      continue;
    }
    auto [task, claimed] = std::move(it->second);
    ahead.erase(it);
    start_run(self, task, claimed);
  }
}

// Gives back the tasks claimed ahead (the gate closed, or arcd stops):
// requeued untouched, their attempt not spent.
void give_back_waiting(self_ptr self, const std::vector<int64_t>& ids, const std::string& why) {
  for (int64_t id : ids) {
    auto it = self->state.ahead.find(id);
    TraceCtx tc = it == self->state.ahead.end() ? TraceCtx{} : it->second.second;
    if (it != self->state.ahead.end()) self->state.ahead.erase(it);
    give_back(self, id, why, tc);
  }
  if (!ids.empty()) spdlog::info("dispatcher: {} tasks claimed ahead given back: {}", ids.size(), why);
}

// Forgets the payloads of waiting runs the book no longer holds (a lost lease).
void prune_ahead(self_ptr self) {
  auto& ahead = self->state.ahead;
  for (auto it = ahead.begin(); it != ahead.end();) {
    if (book(self).find(it->first)) {
      ++it;
      continue;
    }
    spdlog::warn("dispatcher: task {} claimed ahead lost its lease before it started; not run", it->first);
    it = ahead.erase(it);
  }
}

void claim_from_queue(self_ptr self, const TraceCtx& cause, int n) {
  auto q = queue(self);
  if (n <= 0 || !q || book(self).draining()) {
    book(self).claim_withdrawn();
    send_records(self);
    maybe_finish_drain(self);
    return;
  }
  auto tc = trace::send(cause, "dispatcher", "queue", "claim", 0, [&] { return "up to " + std::to_string(n); });
  int64_t asked = steady_now_ms();
  self->request(q, kRequestTimeout, claim_atom::value, static_cast<int32_t>(n), tc)
      .then(
          [self, tc, asked](TaskList& tasks) {
            book(self).claim_answered();
            // As if this answer were lost (we die holding claims we never start).
            fault::crash_point("actor.dispatcher.claimed");
            for (auto& t : tasks) launch(self, t, tc, asked);
            send_records(self);  // results that came in meanwhile, with the next claim
            maybe_finish_drain(self);
            // A full batch means more may be ready: ask again at once.
            if (!tasks.empty()) claim(self);
          },
          [self](caf::error& e) {
            claim_failed(self, caf::to_string(e));
            // It may have been committed all the same (the queue crashed on
            // the way back): what we hold but do not run goes back.
            want_release(self);
            send_records(self);
            maybe_finish_drain(self);
          });
}

// Asks the gate, then the queue. One claim in flight at a time.
void claim(self_ptr self) {
  int n = book(self).claim_size(steady_now_ms());
  if (n <= 0) return;  // during a claim pause, a tick comes when it ends
  auto g = lookup<gate_actor>(self->system(), gate_name);
  if (!g) return;  // gate restarting: no claim without its word
  book(self).claim_sent();
  // The root of a claim's chain: the gate's word, the claim, the runs it starts.
  auto tc = trace::send({}, "dispatcher", "gate", "may_claim", 0, [&] { return std::to_string(n) + " free slot(s)"; });
  auto withdrawn = [self] {
    book(self).claim_withdrawn();
    send_records(self);
    maybe_finish_drain(self);
  };
  self->request(g, kRequestTimeout, may_claim_atom::value, tc)
      .then(
          [self, tc, withdrawn, n](bool open) {
            if (open) claim_from_queue(self, tc, n);
            else withdrawn();
          },
          [withdrawn](caf::error&) { withdrawn(); });
}

void stop_runs(self_ptr self, const std::vector<int64_t>& ids) {
  for (int64_t id : ids) self->state.args.runners->cancel(id);
}

// The one release loop: runs while a release is wanted.
void release(self_ptr self) {
  auto& st = self->state;
  if (!st.release_wanted) {
    st.release_loop = false;
    return;
  }
  auto q = queue(self);
  if (!q || !book(self).may_release()) {
    self->delayed_send(self, std::chrono::milliseconds(50), release_atom::value);
    return;
  }
  st.release_wanted = false;
  book(self).release_sent();
  self->request(q, kRequestTimeout, release_atom::value, book(self).held())
      .then(
          [self](int32_t n) {
            book(self).release_over();
            self->state.release_failures = 0;
            if (n > 0) spdlog::info("dispatcher: {} claimed tasks never started (the claim's answer was lost) requeued", n);
            maybe_finish_drain(self);
            self->send(self, release_atom::value);  // again if wanted meanwhile, else the loop ends
            claim(self);
          },
          [self](caf::error& e) {
            auto& st = self->state;
            book(self).release_over();
            st.release_wanted = true;
            // Once, then every minute: a cluster worker cut off from its
            // hub fails this every second until it is back.
            if (st.release_failures++ % 60 == 0)
              spdlog::warn("dispatcher: could not release unstarted claims ({}); trying every second",
                           caf::to_string(e));
            maybe_finish_drain(self);
            self->delayed_send(self, std::chrono::seconds(1), release_atom::value);
          });
}

// Renews the leases of our runs. A cluster worker whose renewals have not
// got through (cut off from its hub) first stops the runs whose lease has
// surely run out: the hub requeues their tasks, and another node may
// already run them. (On a single node a run goes on and takes its task's
// next claim over; no one else could claim it.)
void renew(self_ptr self) {
  auto& st = self->state;
  self->delayed_send(self, std::chrono::milliseconds(st.args.config->lease_ms / 3), renew_atom::value);
  auto past = book(self).past_their_lease(steady_now_ms());
  for (int64_t id : past)
    spdlog::warn("dispatcher: the lease of task {} has run out without a renewal; stopping its run, "
                 "the hub requeues the task",
                 id);
  stop_runs(self, past);
  auto q = queue(self);
  if (book(self).empty() || !q) return;
  Renewal asked = book(self).renewal(steady_now_ms());
  self->request(q, kRequestTimeout, renew_atom::value, asked.tasks)
      .then(
          [self, asked](IdList& lost) {
            auto stop = book(self).renewal_answered(asked, lost);
            prune_ahead(self);
            for (int64_t id : stop) spdlog::warn("dispatcher: lost the lease of task {}; stopping its run", id);
            stop_runs(self, stop);
          },
          [self](caf::error& e) {
            if (auto held = self->state.log.admit("renew", steady_now_ms()))
              spdlog::warn("dispatcher: lease renewal failed: {}{}", caf::to_string(e), held_back_note(*held));
          });
}

// Tasks written by another process (the CLI, the HTTP API) start within a
// few ms: PRAGMA data_version changes when another connection commits.
// Asked when the database's files change (core/file_watch.hpp), else every
// 5 ms (poll_data_version).
void ask_data_version(self_ptr self) {
  auto& st = self->state;
  auto p = lookup<persistence_actor>(self->system(), persistence_name);
  if (!p || !book(self).wants_tasks(steady_now_ms())) return;
  // One request at a time: a persistence busy with a long batch must not
  // find hundreds of these queued behind it. A change meanwhile is looked
  // at when the answer comes.
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
              ask_data_version(self);
            }
          },
          [self](caf::error&) { self->state.version_asked = false; });
}

// A file change (or, without inotify, the 5 ms poll: one timer chain, re-armed here only).
void check_data_version(self_ptr self) {
  if (self->state.args.poll_data_version) self->delayed_send(self, std::chrono::milliseconds(5), version_atom::value);
  ask_data_version(self);
}

RunBookPolicy policy_of(const Config& cfg) {
  RunBookPolicy policy;
  policy.slots = cfg.slots;
  policy.lease_ms = cfg.lease_ms;
  policy.lease_deadlines = cfg.cluster.role == NodeRole::worker;
  // A worker's queue is its link to the hub, which relays the two steps.
  policy.claim_with_record = cfg.cluster.role != NodeRole::worker;
  // Claiming ahead needs the gate's word with each result (the fused
  // record): not on a worker, whose hub link relays the two steps.
  if (policy.claim_with_record && cfg.prefetch_ms > 0) {
    policy.prefetch_horizon_ms = cfg.prefetch_ms;
    policy.prefetch_max = 32;
  }
  return policy;
}

// arcd stops: no new runs; the running ones get `grace` to finish. The
// answer (how many were stopped) comes when the last one is recorded.
caf::typed_response_promise<int32_t> drain(self_ptr self, millis grace) {
  auto& st = self->state;
  give_back_waiting(self, book(self).drain(), "arcd stopping before the run started");
  auto rp = self->make_response_promise<int32_t>();
  st.drain_promise = rp;
  spdlog::info("dispatcher: draining: {} runs to finish within {} ms", book(self).size(), grace);
  maybe_finish_drain(self);
  if (st.drain_promise.pending()) self->delayed_send(self, std::chrono::milliseconds(grace), drain_atom::value);
  return rp;
}

dispatcher_actor::behavior_type dispatcher_fn(self_ptr self, DispatcherArgs args) {
  answer_requests_on_crash(self, "dispatcher");
  auto& st = self->state;
  st.args = args;
  st.book.emplace(policy_of(*args.config));
  // Runs started by a previous dispatcher (we are a restart) are ours now.
  for (auto& run : st.args.runners->adopt(caf::actor_cast<caf::actor>(self))) book(self).adopt(run.task_id, run.epoch);
  if (!book(self).empty()) spdlog::info("dispatcher: adopted {} runs of the previous dispatcher", book(self).size());
  // A claim answered to our dead predecessor was never started: requeue it now,
  // not when its lease runs out.
  want_release(self);
  self->send(self, poll_atom::value);
  self->send(self, version_atom::value);
  self->delayed_send(self, std::chrono::milliseconds(st.args.config->lease_ms / 3), renew_atom::value);
  return {
      [self](claim_atom) { claim(self); },
      [self](release_atom) { release(self); },
      [self](exec_done_atom, ExecDone done) {
        fault::crash_point("actor.dispatcher");  // the result is kept by the RunnerTable
        // A success cannot close the gate: the next task claimed ahead starts
        // now, while this result is committed. After a failure it waits for
        // the store's word on the gate (record's answer).
        bool may_close_gate = done.cancelled || !done.outcome.completed();
        if (!book(self).result_in(done.task_id, steady_now_ms(), may_close_gate)) return;
        record(self, std::move(done));
      },
      [self](version_atom) { check_data_version(self); },
      [self](poll_atom) {
        self->delayed_send(self, std::chrono::milliseconds(self->state.args.config->poll_ms), poll_atom::value);
        give_back_waiting(self, book(self).take_excess_waiting(steady_now_ms()),
                          "claimed ahead, then a long run took the slot");
        claim(self);
      },
      [self](renew_atom) { renew(self); },
      [self](drain_atom, millis grace) { return drain(self, grace); },
      [self](drain_atom) {
        auto ids = book(self).drain_grace_over();
        if (ids.empty()) return;
        spdlog::warn("dispatcher: shutdown grace period over: stopping {} runs and requeueing their tasks", ids.size());
        stop_runs(self, ids);
      },
  };
}

}  // namespace

dispatcher_actor spawn_dispatcher(caf::actor_system& sys, const DispatcherArgs& args) {
  return sys.spawn(dispatcher_fn, args);
}

}  // namespace arc
