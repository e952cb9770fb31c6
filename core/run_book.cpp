#include "core/run_book.hpp"

#include <algorithm>

#include "core/config.hpp"
#include "core/lease_loss.hpp"

namespace arc {

int RunBook::free_slots() const {
  int taken = 0;
  for (auto& [id, r] : runs_)
    if (r.phase == RunPhase::running || r.phase == RunPhase::finished) ++taken;
  return policy_.slots - taken;
}

int RunBook::waiting() const {
  return static_cast<int>(std::count_if(runs_.begin(), runs_.end(),
                                        [](auto& e) { return e.second.phase == RunPhase::waiting; }));
}

// Most urgent first, then in claim order (run numbers grow with each claim).
std::vector<int64_t> RunBook::waiting_in_line() const {
  std::vector<const Run*> line;
  for (auto& [id, r] : runs_)
    if (r.phase == RunPhase::waiting) line.push_back(&r);
  std::sort(line.begin(), line.end(), [](const Run* a, const Run* b) {
    return a->priority != b->priority ? a->priority < b->priority : a->number < b->number;
  });
  std::vector<int64_t> ids;
  for (const Run* r : line) ids.push_back(r->task);
  return ids;
}

int RunBook::ahead_allowance(int64_t now) const {
  if (policy_.prefetch_max <= 0 || policy_.prefetch_horizon_ms <= 0 || !avg_run_ms_) return 0;
  // Runs timed in whole ms: a run under one counts as a tenth of one.
  double per_run = std::max(*avg_run_ms_, 0.1);
  for (auto& [id, r] : runs_)
    if (r.phase == RunPhase::running && r.timed && now > r.started_at)
      per_run = std::max(per_run, static_cast<double>(now - r.started_at));
  double n = static_cast<double>(policy_.prefetch_horizon_ms) * policy_.slots / per_run;
  return static_cast<int>(std::min<double>(n, policy_.prefetch_max));
}

bool RunBook::results_in_hand() const {
  for (auto& [id, r] : runs_)
    if (r.phase == RunPhase::finished) return true;
  return false;
}

bool RunBook::wants_tasks(int64_t now) const {
  if (draining_ || results_in_hand()) return false;
  return free_slots() > 0 || waiting() < ahead_allowance(now);
}

std::vector<int64_t> RunBook::take_excess_waiting(int64_t now) {
  std::vector<int64_t> out;
  auto line = waiting_in_line();
  for (int allowed = ahead_allowance(now); static_cast<int>(line.size()) > allowed; line.pop_back()) {
    runs_.erase(line.back());  // the least urgent, the last claimed of them
    out.push_back(line.back());
  }
  return out;
}

int RunBook::claim_size(int64_t now) const {
  if (draining_ || claim_in_flight_ || batch_in_flight_ || release_in_flight_ || now < claims_paused_until_) return 0;
  // A result whose record failed (in hand until it is tried again) holds
  // claims back: no new work while results cannot be written.
  if (results_in_hand()) return 0;
  int free = free_slots();
  // Waiting tasks fill free slots first (next_to_start); what is left of
  // the allowance is claimed ahead.
  return std::max(free + ahead_allowance(now) - waiting(), 0);
}

int RunBook::claim_size_after_record(int64_t now) const {
  return policy_.claim_with_record ? claim_size(now) : 0;
}

void RunBook::claim_answered() {
  claim_in_flight_ = false;
  claim_failures_ = 0;
  claims_paused_until_ = 0;
}

millis RunBook::claim_failed(int64_t now) {
  claim_in_flight_ = false;
  millis pause = doubling_delay(policy_.claim_pause_first, policy_.claim_pause_cap, ++claim_failures_);
  claims_paused_until_ = now + pause;
  return pause;
}

OnClaimed RunBook::claimed(int64_t task, int64_t epoch, int64_t asked_at, int64_t now, int priority) {
  if (draining_) return OnClaimed::give_back_draining;
  std::optional<int64_t> deadline;
  if (policy_.lease_deadlines) deadline = asked_at + policy_.lease_ms;
  if (Run* r = get(task)) {
    // Its lease lapsed and the task came back to us. If the earlier run has
    // ended (its result belongs to the earlier lease and will be refused) or
    // is being stopped for that lost lease, this claim gets no run from it.
    if (r->phase == RunPhase::waiting) {  // its earlier claim lapsed unstarted: the new one is what it waits under
      r->number = ++last_number_;
      r->epoch = epoch;
      if (deadline) r->held_until = deadline;
      return OnClaimed::keep_running;
    }
    if (r->phase != RunPhase::running || r->stopped == StopCause::lost_lease) return OnClaimed::give_back;
    // The run goes on and now holds the new claim: never a second process
    // for one task. A renewal sent before this claim no longer speaks for it.
    r->number = ++last_number_;
    r->epoch = epoch;
    if (deadline) r->held_until = deadline;
    return OnClaimed::keep_running;
  }
  Run r;
  r.task = task;
  r.number = ++last_number_;
  r.epoch = epoch;
  r.held_until = deadline;
  r.started_at = now;
  r.timed = true;
  r.priority = priority;
  // A slot free and nobody ahead of it in line: start. Else it waits,
  // behind the waiting tasks as urgent as it or more.
  // Not while a failure's record is on its way (prefetch on): that result
  // may stop the gate; the task waits for the store's word like the rest.
  bool start = free_slots() > 0 && waiting() == 0 && (verdicts_pending_ == 0 || policy_.prefetch_max == 0);
  if (!start) r.phase = RunPhase::waiting;
  runs_[task] = r;
  return start ? OnClaimed::start : OnClaimed::wait;
}

std::optional<int64_t> RunBook::next_to_start(int64_t now) {
  if (draining_ || verdicts_pending_ > 0 || free_slots() <= 0) return std::nullopt;
  auto line = waiting_in_line();
  if (line.empty()) return std::nullopt;
  int64_t task = line.front();
  Run& r = runs_.at(task);
  r.phase = RunPhase::running;
  r.started_at = now;
  r.timed = true;
  return task;
}

std::vector<int64_t> RunBook::take_waiting() {
  auto out = waiting_in_line();
  for (int64_t id : out) runs_.erase(id);
  return out;
}

void RunBook::adopt(int64_t task, int64_t epoch) {
  Run r;
  r.task = task;
  r.number = ++last_number_;
  r.epoch = epoch;
  // No deadline: when its lease was last renewed is not known here. The
  // next renewal's answer sets one.
  runs_[task] = r;
}

std::vector<int64_t> RunBook::held() const {
  std::vector<int64_t> ids;
  for (auto& [id, r] : runs_) ids.push_back(id);
  return ids;
}

bool RunBook::result_in(int64_t task, int64_t now, bool may_close_gate) {
  Run* r = get(task);
  if (!r || r->phase == RunPhase::waiting) return false;
  if (r->phase != RunPhase::running) return true;
  r->phase = RunPhase::finished;
  if (may_close_gate && !r->awaits_verdict) {
    r->awaits_verdict = true;
    ++verdicts_pending_;
  }
  // The recent run time, for the claim-ahead allowance (an eighth each).
  if (r->timed && now >= r->started_at) {  // an adopted run's start is not known
    double ms = static_cast<double>(now - r->started_at);
    avg_run_ms_ = avg_run_ms_ ? *avg_run_ms_ * 7 / 8 + ms / 8 : ms;
  }
  return true;
}

Recording RunBook::start_recording(int64_t task, bool cancelled) {
  Run* r = get(task);
  if (!r || r->phase == RunPhase::recording) return Recording::none;
  r->phase = RunPhase::recording;
  return cancelled && r->stopped == StopCause::drain ? Recording::requeue : Recording::finish;
}

void RunBook::recording_failed(int64_t task) {
  if (Run* r = get(task); r && r->phase == RunPhase::recording) r->phase = RunPhase::finished;
}

void RunBook::recorded(int64_t task) {
  auto it = runs_.find(task);
  if (it == runs_.end()) return;
  if (it->second.awaits_verdict) --verdicts_pending_;
  runs_.erase(it);
}

Renewal RunBook::renewal(int64_t now) const {
  Renewal r;
  r.asked_at = now;
  for (auto& [id, run] : runs_) {
    r.tasks.push_back(id);
    r.runs[id] = run.number;
  }
  return r;
}

std::vector<int64_t> RunBook::renewal_answered(const Renewal& asked, const std::vector<int64_t>& lost) {
  std::vector<int64_t> stop_now;
  for (auto& [id, number] : asked.runs) {
    Run* r = get(id);
    bool is_lost = std::find(lost.begin(), lost.end(), id) != lost.end();
    if (!is_lost) {
      // Renewed: the lease of the run it was sent for holds until asked + lease.
      if (r && r->number == number && policy_.lease_deadlines)
        r->held_until = std::max(r->held_until.value_or(0), asked.asked_at + policy_.lease_ms);
      continue;
    }
    std::optional<uint64_t> now_number;
    if (r) now_number = r->number;
    if (r && r->phase == RunPhase::waiting && r->number == number) {
      recorded(id);  // never started: nothing to stop or record, the task is someone else's now
      continue;
    }
    if (on_lost_lease(number, now_number, r && r->phase != RunPhase::running) != LostLease::stop_run) continue;
    stop(*r, StopCause::lost_lease);
    stop_now.push_back(id);
  }
  return stop_now;
}

std::vector<int64_t> RunBook::past_their_lease(int64_t now) {
  std::vector<int64_t> stop_now;
  for (auto& [id, r] : runs_) {
    if (!r.held_until || *r.held_until > now || r.phase != RunPhase::running) continue;
    r.held_until.reset();  // once
    stop(r, StopCause::lost_lease);
    stop_now.push_back(id);
  }
  return stop_now;
}

std::vector<int64_t> RunBook::drain() {
  draining_ = true;
  return take_waiting();
}

bool RunBook::drained() const {
  return draining_ && runs_.empty() && !claim_in_flight_ && !batch_in_flight_ && !release_in_flight_;
}

std::vector<int64_t> RunBook::drain_grace_over() {
  std::vector<int64_t> stop_now;
  for (auto& [id, r] : runs_) {
    if (r.phase != RunPhase::running) continue;  // its result is in hand: record it
    stop(r, StopCause::drain);
    stop_now.push_back(id);
  }
  return stop_now;
}

const Run* RunBook::find(int64_t task) const {
  auto it = runs_.find(task);
  return it == runs_.end() ? nullptr : &it->second;
}

Run* RunBook::get(int64_t task) {
  auto it = runs_.find(task);
  return it == runs_.end() ? nullptr : &it->second;
}

// A lost lease outranks a drain: its task is no longer ours to requeue.
void RunBook::stop(Run& r, StopCause why) {
  if (r.stopped != StopCause::lost_lease) r.stopped = why;
}

}  // namespace arc
