// The dispatcher's run book: one record per task it holds, and every
// decision about those runs — claim, re-claim, record, lost lease, lease
// expiry, drain, give back — as a pure function of the book and a time.
// No CAF, no clock: callers pass steady milliseconds. The dispatcher actor
// carries the decisions out (sends, cancels, timers); each case here is a
// unit test without an actor system (tests/unit/run_book_test.cpp).
//
// A run's life:  claimed → [waiting →] running → finished → recording → (gone)
//                                         ╰─ stopped (drain or lost lease) ─╯
// A record is erased only when its result (or its requeue) is recorded: the
// task cannot be claimed twice by us. A slot is taken by a running executor
// and by a result in hand that is not on its way (one whose record failed
// holds claims back until it is recorded); a result on its way frees it, so
// the next run may start while the last is being committed.
//
// Claiming ahead: with short runs, a claim may take more tasks than there
// are free slots; they wait (claimed, leased, no process) and start the
// moment a slot frees, without a claim's round trip and commit in between.
// How many is bounded by time, not only count: as many as the free slots
// get through in `prefetch_horizon_ms` at the recent run time, so that a
// task of minutes (an agent's run) is never claimed ahead, and an urgent
// task that arrives waits at most about that long behind claims made
// before it. Waiting tasks start only when no result that may close the
// gate (a failure) is on its way; a gate found closed gives them back.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/clock.hpp"

namespace arc {

enum class RunPhase {
  waiting,    // claimed ahead: leased, its executor not started (prefetch)
  running,    // its executor is being prepared or runs
  finished,   // its result is in hand, not yet on its way to the queue
  recording,  // its result (or requeue) is on its way to the queue
};

enum class StopCause {
  none,
  drain,       // arcd is stopping and the grace period is over: requeue the task
  lost_lease,  // the lease is gone (cancelled, requeued elsewhere, lapsed): report, the store fences
};

struct Run {
  int64_t task = 0;
  uint64_t number = 0;  // which run of ours: a task may run again later
  int64_t epoch = 0;    // lease epoch of the claim it holds (fencing); 0 = not checked
  RunPhase phase = RunPhase::running;
  StopCause stopped = StopCause::none;
  int64_t started_at = 0;       // steady ms its executor was started (or the claim answered)
  bool timed = false;           // started_at is known (not an adopted run)
  int priority = 0;             // the task's, for the order of waiting runs
  bool awaits_verdict = false;  // its result may close the gate: waiting runs hold until it is recorded
  // Cluster workers: steady ms until which the lease is surely still ours
  // (the claim or last renewal was asked at T, so it holds until T + lease).
  std::optional<int64_t> held_until;
};

struct RunBookPolicy {
  int slots = 1;
  millis lease_ms = 60'000;
  bool lease_deadlines = false;  // a cluster worker: stop a run once its lease has surely run out
  bool claim_with_record = true;  // claim in the transaction that records a result (not through a hub link)
  // After a failed claim (a full disk fails every claim): no claim for this
  // long, doubling per failure in a row, up to the cap.
  millis claim_pause_first = 100;
  millis claim_pause_cap = 5'000;
  // Claiming ahead (see above): at most this many tasks waiting beyond the
  // slots (0: never), and the horizon that bounds them by the run time.
  int prefetch_max = 0;
  millis prefetch_horizon_ms = 5;
};

// What to do with a task a claim handed us.
enum class OnClaimed {
  start,         // a new run
  wait,          // claimed ahead: it starts when a slot frees (next_to_start)
  keep_running,  // our run of it still goes on (its lease lapsed and we took it again): it holds the new claim
  give_back,     // its earlier run's result is being recorded, or that run was stopped for a lost lease:
                 // requeue the task, it runs again
  give_back_draining,  // claimed just as the stop began: requeue, untouched
};

// How to record a run that ended.
enum class Recording {
  finish,   // report the result (the store refuses it if the lease is gone, but keeps its cost)
  requeue,  // stopped at the end of the drain: requeue, attempt not spent
  none,     // not ours, or already on its way
};

// A renewal: the runs it was sent for, and when (steady ms).
struct Renewal {
  std::vector<int64_t> tasks;
  std::map<int64_t, uint64_t> runs;  // task -> run number at the time
  int64_t asked_at = 0;
};

class RunBook {
 public:
  explicit RunBook(RunBookPolicy policy) : policy_(policy) {}

  // ---- claiming ------------------------------------------------------
  // How many tasks to claim now: the free slots and the room to claim
  // ahead; 0 while draining, while a claim, a batch or a release is in flight,
  // during a claim pause, or while a result whose record failed is in hand.
  int claim_size(int64_t now) const;
  // The claim that goes with a record (asked after start_recording, whose
  // result frees its slot): claim_size, or 0 unless policy.claim_with_record.
  int claim_size_after_record(int64_t now) const;
  // Room for more tasks now (a free slot, or room to claim ahead), claims
  // in flight or paused or not: worth looking for new tasks.
  bool wants_tasks(int64_t now) const;
  void claim_sent() { claim_in_flight_ = true; }
  // Results are recorded in batches, one batch in flight, each with the
  // next claim (policy.claim_with_record): while a claim or a batch is in
  // flight, results that come in wait for it (RunPhase::recording: their
  // slots are free) and go together with the next claim when it answers.
  // Results stay few per commit when runs are long, many when they are short.
  // A batch that carries a claim is also claim_sent().
  bool may_send_records() const { return !claim_in_flight_ && !batch_in_flight_; }
  void batch_sent() { batch_in_flight_ = true; }
  void batch_answered() { batch_in_flight_ = false; }  // or failed
  void claim_answered();   // the claim got through (with or without tasks): any pause ends
  void claim_withdrawn() { claim_in_flight_ = false; }  // not sent after all (the gate said no)
  // A claim failed: returns the pause before the next one.
  millis claim_failed(int64_t now);
  int claim_failures() const { return claim_failures_; }
  int64_t claims_paused_until() const { return claims_paused_until_; }

  // A claim asked at `asked_at` handed us `task` under lease `epoch`; its
  // answer came at `now` (asked_at if not given).
  // `priority` (1 = most urgent) orders the waiting tasks: one claimed
  // later but more urgent starts before those claimed ahead of it.
  OnClaimed claimed(int64_t task, int64_t epoch, int64_t asked_at) { return claimed(task, epoch, asked_at, asked_at); }
  OnClaimed claimed(int64_t task, int64_t epoch, int64_t asked_at, int64_t now, int priority = 0);
  // A run of the previous dispatcher (we are its restart) is ours now.
  void adopt(int64_t task, int64_t epoch);

  // ---- giving back claims we hold but do not run -----------------------
  // A release may be sent only with no claim in flight: the claim's tasks
  // would not be in the book yet and would be given back.
  bool may_release() const { return !claim_in_flight_ && !release_in_flight_; }
  void release_sent() { release_in_flight_ = true; }
  void release_over() { release_in_flight_ = false; }
  // The tasks we hold a run for: every other claim of ours is given back.
  std::vector<int64_t> held() const;

  // ---- claimed ahead ---------------------------------------------------
  // The waiting task to start now, if a slot is free and no result that
  // may close the gate is on its way; it is running from `now`.
  std::optional<int64_t> next_to_start(int64_t now);
  // The waiting tasks, taken out of the book to be given back (requeued,
  // attempt not spent): the gate was found closed.
  std::vector<int64_t> take_waiting();
  int waiting() const;
  // How many may wait now, from the recent run time (0 until a run ended),
  // or from the age of the oldest run still going if that is longer: a run
  // of minutes after many short ones stops claiming ahead at once.
  int ahead_allowance(int64_t now) const;
  // The waiting tasks beyond today's allowance (the least urgent), taken out
  // of the book to be given back: they were claimed ahead while runs were
  // short, and now wait behind a long one.
  std::vector<int64_t> take_excess_waiting(int64_t now);

  // ---- a run's end -----------------------------------------------------
  // The run's result is in hand at `now`; false if the task is not ours
  // (ignore it). `may_close_gate`: a failure, which the store may count
  // against the gate: waiting tasks hold until its record is answered.
  bool result_in(int64_t task) { return result_in(task, 0, false); }
  bool result_in(int64_t task, int64_t now, bool may_close_gate);
  // Start recording a run that ended (`cancelled`: we stopped it).
  Recording start_recording(int64_t task, bool cancelled);
  void recording_failed(int64_t task);  // its result stays in hand, to be tried again
  void recorded(int64_t task);          // the run is over: its record is erased

  // ---- leases ------------------------------------------------------------
  Renewal renewal(int64_t now) const;
  // The answer to `r`: `lost` are the tasks whose lease is gone. Extends the
  // deadlines of the rest and returns the runs to stop (a renewal stops only
  // the run it was sent for; core/lease_loss.hpp).
  std::vector<int64_t> renewal_answered(const Renewal& r, const std::vector<int64_t>& lost);
  // Cluster workers: runs whose lease has surely run out by `now`, to stop
  // (each returned once).
  std::vector<int64_t> past_their_lease(int64_t now);

  // ---- drain (graceful stop) ---------------------------------------------
  // Returns the waiting tasks, taken out of the book, to give back untouched.
  std::vector<int64_t> drain();
  bool draining() const { return draining_; }
  // Draining and nothing left: no run, no claim or release in flight.
  bool drained() const;
  // The grace period is over: the runs to stop (their tasks are requeued).
  std::vector<int64_t> drain_grace_over();

  // Slots minus running executors and results in hand not on their way.
  int free_slots() const;
  size_t size() const { return runs_.size(); }
  bool empty() const { return runs_.empty(); }
  const Run* find(int64_t task) const;
  const RunBookPolicy& policy() const { return policy_; }

 private:
  Run* get(int64_t task);
  bool results_in_hand() const;  // a run in RunPhase::finished
  std::vector<int64_t> waiting_in_line() const;  // the waiting runs in the order they start
  void stop(Run& r, StopCause why);

  RunBookPolicy policy_;
  std::map<int64_t, Run> runs_;
  uint64_t last_number_ = 0;
  bool claim_in_flight_ = false;
  bool batch_in_flight_ = false;  // results on their way (with a claim or not)
  bool release_in_flight_ = false;
  int claim_failures_ = 0;
  int64_t claims_paused_until_ = 0;
  bool draining_ = false;
  int verdicts_pending_ = 0;      // results on their way that may close the gate
  std::optional<double> avg_run_ms_;  // recent run time (EWMA), for the claim-ahead allowance
};

}  // namespace arc
