#include "actors/runner_table.hpp"

#include <thread>

#include "actors/trace.hpp"
#include "core/claude_output.hpp"

namespace arc {
namespace {

// One run, on its runner thread: prepared (a refusal is systemic: every
// task would fail alike, the agent's home is gone), run unless cancelled
// first, and its output read. Never throws: executor output never takes
// arcd down.
ExecDone run_one(int64_t task_id, ProcessSpec& spec, RunInfo& run, const RunnerTable::Reader& read,
                 const RunnerTable::Prepare& prepare, const std::atomic<bool>& cancel, const TraceCtx& trace) {
  std::string refused;
  try {
    if (prepare) refused = prepare(spec, run);
  } catch (const std::exception& e) {
    refused = std::string("could not prepare the run: ") + e.what();
  }
  ProcessResult r;
  if (refused.empty() && !cancel.load()) {
    run.started_at = system_clock().now_ms();
    r = run_process(spec, &cancel);
  } else {
    r.cancelled = refused.empty();  // stopped before it started
  }
  ExecDone done{task_id, r.cancelled, r.duration_ms, {}, trace, run};
  try {
    if (!refused.empty()) {
      done.outcome.failure_class = FailureClass::executor_error;
      done.outcome.systemic = true;
      done.outcome.summary = sanitize_text(refused, 1000);
      done.outcome.stop_reason = sanitize_text(refused + "; mend it, then `arc dispatch reset`", 1000);
    } else {
      done.outcome = read(r);
    }
  } catch (const std::exception& e) {
    done.outcome.failure_class = FailureClass::bad_output;
    done.outcome.summary = sanitize_text(std::string("executor output could not be read: ") + e.what(), 1000);
  }
  done.trace = trace::event(trace, "runner", "exec.done", task_id, [&] {
    return to_string(done.outcome.outcome()) + std::string(" after ") + std::to_string(r.duration_ms) + " ms" +
           (r.cancelled ? " (stopped)" : "") + (done.outcome.summary.empty() ? "" : ": " + done.outcome.summary);
  });
  return done;
}

}  // namespace

void RunnerTable::start(int64_t task_id, int64_t epoch, ProcessSpec spec, RunInfo run, Reader read, const caf::actor& reply_to,
                        TraceCtx trace, Prepare prepare) {
  auto cancel = std::make_shared<std::atomic<bool>>(false);
#ifdef ARC_BENCH_EXECUTOR
  // Bench builds only (apps/arc-bench): "@noop" completes at once, in
  // process, so that the benchmark measures the runtime, not fork and exec.
  if (!prepare && spec.argv.size() == 1 && spec.argv[0] == "@noop") {
    ExecDone done{task_id, false, 0, {}, trace, run};
    done.trace = trace::event(trace, "runner", "exec.done", task_id, [] { return "completed (no-op)"; });
    std::lock_guard<std::mutex> g(mu_);
    entries_[task_id] = Entry{reply_to, epoch, cancel, done};
    caf::anon_send(reply_to, exec_done_atom::value, done);
    return;
  }
#endif
  {
    std::lock_guard<std::mutex> g(mu_);
    entries_[task_id] = Entry{reply_to, epoch, cancel, std::nullopt};
    ++threads_;
  }
  std::thread([this, task_id, spec = std::move(spec), run = std::move(run), read = std::move(read),
               prepare = std::move(prepare), cancel, trace]() mutable {
    ExecDone done = run_one(task_id, spec, run, read, prepare, *cancel, trace);
    // Sent under the lock, so adopt() either sees the result or re-routes it
    // before it is sent: a result is never sent to a dead dispatcher only.
    // Notified under the lock too: wait_threads() may destroy the table as
    // soon as the count reaches zero.
    std::lock_guard<std::mutex> g(mu_);
    auto it = entries_.find(task_id);
    if (it != entries_.end() && it->second.cancel == cancel) {
      it->second.done = done;
      caf::anon_send(it->second.reply_to, exec_done_atom::value, done);
    }
    --threads_;
    cv_.notify_all();
  }).detach();
}

std::vector<RunnerTable::Adopted> RunnerTable::adopt(const caf::actor& reply_to) {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<Adopted> runs;
  for (auto& [id, e] : entries_) {
    e.reply_to = reply_to;
    if (e.done) caf::anon_send(reply_to, exec_done_atom::value, *e.done);
    runs.push_back({id, e.epoch});
  }
  return runs;
}

void RunnerTable::cancel(int64_t task_id) {
  std::lock_guard<std::mutex> g(mu_);
  if (auto it = entries_.find(task_id); it != entries_.end()) it->second.cancel->store(true);
}

void RunnerTable::cancel_all() {
  std::lock_guard<std::mutex> g(mu_);
  for (auto& [id, e] : entries_) e.cancel->store(true);
}

void RunnerTable::erase(int64_t task_id) {
  std::lock_guard<std::mutex> g(mu_);
  entries_.erase(task_id);
}

size_t RunnerTable::size() const {
  std::lock_guard<std::mutex> g(mu_);
  return entries_.size();
}

void RunnerTable::wait_threads() {
  std::unique_lock<std::mutex> g(mu_);
  cv_.wait(g, [this] { return threads_ == 0; });
}

}  // namespace arc
