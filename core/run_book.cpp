#include "core/run_book.hpp"

#include <algorithm>

#include "core/config.hpp"
#include "core/lease_loss.hpp"

namespace arc {

int RunBook::claim_size(int64_t now) const {
  if (draining_ || claim_in_flight_ || release_in_flight_ || now < claims_paused_until_) return 0;
  return std::max(free_slots(), 0);
}

int RunBook::claim_size_after_record(int64_t now) const {
  if (!policy_.claim_with_record || draining_ || claim_in_flight_ || release_in_flight_ || now < claims_paused_until_) return 0;
  return std::max(free_slots() + 1, 0);
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

OnClaimed RunBook::claimed(int64_t task, int64_t epoch, int64_t asked_at) {
  if (draining_) return OnClaimed::give_back_draining;
  std::optional<int64_t> deadline;
  if (policy_.lease_deadlines) deadline = asked_at + policy_.lease_ms;
  if (Run* r = get(task)) {
    // Its lease lapsed and the task came back to us. If the earlier run has
    // ended (its result belongs to the earlier lease and will be refused) or
    // is being stopped for that lost lease, this claim gets no run from it.
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
  runs_[task] = r;
  return OnClaimed::start;
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

bool RunBook::result_in(int64_t task) {
  Run* r = get(task);
  if (!r) return false;
  if (r->phase == RunPhase::running) r->phase = RunPhase::finished;
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

void RunBook::recorded(int64_t task) { runs_.erase(task); }

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

bool RunBook::drained() const { return draining_ && runs_.empty() && !claim_in_flight_ && !release_in_flight_; }

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
