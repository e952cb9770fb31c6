// The executor runs in flight, shared by the dispatcher and the runner
// threads, and owned by the runtime so that it outlives a dispatcher crash:
// a restarted dispatcher adopts the runs still going (and results that were
// not yet recorded) instead of losing them or running their tasks again.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "core/process.hpp"
#include "messages/messages.hpp"

namespace arc {

class RunnerTable {
 public:
  // Turns a finished process into an outcome (core/claude_output.hpp).
  using Reader = std::function<ExecOutcome(const ProcessResult&)>;
  // Runs on the runner's thread before the process starts (it may block:
  // read files, ask an actor); fills in the spec and the run's record and
  // returns "" or why the run cannot start (a systemic failure).
  using Prepare = std::function<std::string(ProcessSpec&, RunInfo&)>;

  // Starts a thread that prepares and runs `spec`, reads its output with
  // `read` and reports to `reply_to`. `epoch` is the lease epoch of the
  // claim the run holds, kept for a dispatcher that adopts the run.
  void start(int64_t task_id, int64_t epoch, ProcessSpec spec, RunInfo run, Reader read, const caf::actor& reply_to,
             TraceCtx trace = {}, Prepare prepare = nullptr);

  struct Adopted {
    int64_t task_id;
    int64_t epoch;
  };
  // Routes every run (and every unrecorded result) to `reply_to`; returns
  // the runs adopted. A result already finished is sent again.
  std::vector<Adopted> adopt(const caf::actor& reply_to);

  // Asks a run to stop (SIGTERM, grace, SIGKILL); its result is still sent.
  void cancel(int64_t task_id);
  void cancel_all();

  // The dispatcher recorded the result: forget the run.
  void erase(int64_t task_id);

  size_t size() const;
  // Blocks until no runner thread is alive (threads must not outlive the actor system).
  void wait_threads();

 private:
  struct Entry {
    caf::actor reply_to;
    int64_t epoch = 0;
    std::shared_ptr<std::atomic<bool>> cancel;
    std::optional<ExecDone> done;
  };
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<int64_t, Entry> entries_;
  int threads_ = 0;
};

}  // namespace arc
