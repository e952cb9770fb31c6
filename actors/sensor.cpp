#include "actors/sensor.hpp"

#include "actors/crash_reply.hpp"

#include <spdlog/spdlog.h>

#include "actors/trace.hpp"
#include "core/fault.hpp"

#include <thread>

#include "core/process.hpp"
#include "core/sensor_output.hpp"
#include "core/time_text.hpp"

namespace arc {
namespace {

constexpr auto kRequestTimeout = std::chrono::seconds(30);

struct SensorState {
  SensorConfig cfg;
  std::shared_ptr<SensorThreads> threads;
  caf::atom_value store = persistence_name;  // who records runs: persistence, or a worker's hub link
  bool loaded = false;
  bool running = false;
  millis next_run = 0;
  millis scheduled = 0;  // the planned time of the run in progress
  int64_t run_number = 0;
  static inline const char* name = "sensor";
};

using self_ptr = sensor_actor::stateful_pointer<SensorState>;

SensorRun base_run(const SensorConfig& c, const std::string& kind) {
  SensorRun r;
  r.name = c.name;
  r.kind = kind;
  r.failure_threshold = c.failure_threshold;
  r.gate_stopped_alert_ms = c.gate_stopped_alert_ms;
  r.queue_depth_alert = c.queue_depth_alert;
  r.disk_free_percent_alert = c.disk_free_percent_alert;
  return r;
}

void record(self_ptr self, SensorRun run) {
  auto p = lookup<persistence_actor>(self->system(), self->state.store);
  if (!p) return;
  std::string kind = run.kind, name = run.name;
  // A run is the root of its tasks' lives (schedule and guard records are not runs).
  TraceCtx tc;
  if (kind != "schedule" && kind != "guard" && trace::on()) {
    std::string from = "sensor:" + name;
    tc = trace::send({}, from.c_str(), "persistence", "sensor", 0, [&] {
      return kind + " run: " + run.result + " (" + std::to_string(run.specs.size()) + " task line(s))";
    });
  }
  self->request(p, kRequestTimeout, sensor_atom::value, std::move(run), tc)
      .then(
          [kind, name](SensorRunSummary& s) {
            if (kind == "schedule" || kind == "guard") return;
            spdlog::info("sensor {}: {} tasks created, {} deduplicated{}{}", name, s.created, s.deduplicated,
                         s.expired ? fmt::format(", {} expired", s.expired) : "",
                         s.streak ? fmt::format(", failing {} times in a row", s.streak) : "");
          },
          [name](caf::error& e) { spdlog::warn("sensor {}: could not record its run: {}", name, caf::to_string(e)); });
}

// Blocking part of a script run: counter guards, then the command. On a thread.
SensorRun run_script(const SensorConfig& c, const std::atomic<bool>* stop) {
  SensorRun run = base_run(c, "script");
  millis now = system_clock().now_ms();
  for (auto& g : c.guards) {
    if (g.kind != GuardWindow::counter) continue;
    ProcessSpec spec;
    spec.argv = g.command;
    spec.timeout_ms = 30'000;
    auto r = run_process(spec, stop);
    try {
      size_t used = 0;
      int64_t value = std::stoll(r.out, &used);
      GuardVerdict v = check_guards({g}, now, true, value);
      if (v.paused) {
        run.kind = "guard";
        run.result = v.why;
        run.paused_until = now + c.cadence.interval_ms;  // re-checked at the next run
        return run;
      }
    } catch (const std::exception&) {
      run.ok = false;
      run.result = "guard command " + g.command[0] + " did not print a number: " + sanitize_text(last_line(r.out + r.err), 200);
      return run;
    }
  }
  ProcessSpec spec;
  spec.argv = c.command;
  spec.timeout_ms = c.timeout_ms;
  spec.kill_grace_ms = c.kill_grace_ms;
  spec.output_cap_bytes = c.output_cap_bytes;
  spec.env = {"ARC_SENSOR=" + c.name};
  ProcessResult r = run_process(spec, stop);
  SensorOutput out = parse_sensor_output(r.out, system_clock().now_ms(), "sensor:" + c.name + ":");
  run.specs = std::move(out.specs);
  run.malformed = static_cast<int>(out.errors.size());
  for (auto& e : out.errors)
    spdlog::warn("sensor {}: output line {} skipped: {}", c.name, e.line, e.why);
  if (r.spawn_failed) {
    run.ok = false;
    run.result = "could not start: " + r.spawn_error;
  } else if (r.timed_out) {
    run.ok = false;
    run.result = "timed out after " + format_age(c.timeout_ms);
  } else if (r.exit_code != 0 || r.term_signal) {
    run.ok = false;
    run.result = (r.term_signal ? "killed by signal " + std::to_string(r.term_signal)
                                : "exited with status " + std::to_string(r.exit_code)) +
                 (last_line(r.err).empty() ? "" : ": " + sanitize_text(last_line(r.err), 200));
  } else {
    run.result = "ok";
  }
  return run;
}

void start_run(self_ptr self, millis now) {
  auto& st = self->state;
  GuardVerdict v = check_guards(st.cfg.guards, now);
  if (!v.error.empty()) spdlog::warn("sensor {}: {}", st.cfg.name, v.error);
  if (v.paused) {
    st.next_run = v.until ? v.until : now + st.cfg.cadence.interval_ms;
    SensorRun run = base_run(st.cfg, "guard");
    run.result = v.why;
    run.paused_until = st.next_run;
    run.next_run_at = st.next_run;
    record(self, std::move(run));
    return;
  }
  st.running = true;
  st.scheduled = st.next_run;
  ++st.run_number;
  if (st.cfg.kind != "script") {
    SensorRun run = base_run(st.cfg, st.cfg.kind);
    run.result = "ok";
    self->send(self, sensor_done_atom::value, std::move(run));
    return;
  }
  auto threads = st.threads;
  {
    std::lock_guard<std::mutex> g(threads->mu);
    ++threads->running;
  }
  std::thread([cfg = st.cfg, threads, me = caf::actor_cast<caf::actor>(self)] {
    SensorRun run = run_script(cfg, &threads->stop);
    if (!threads->stop) caf::anon_send(me, sensor_done_atom::value, std::move(run));
    std::lock_guard<std::mutex> g(threads->mu);
    --threads->running;
    threads->cv.notify_all();
  }).detach();
}

// Reads the sensor's row (CLI run-now / pause / resume) and runs if due.
void check(self_ptr self) {
  auto p = lookup<persistence_actor>(self->system(), self->state.store);
  if (!p) return;
  self->request(p, kRequestTimeout, sensor_atom::value, self->state.cfg.name)
      .then(
          [self](SensorRow& row) {
            auto& st = self->state;
            millis now = system_clock().now_ms();
            if (!st.loaded) {
              st.loaded = true;
              st.next_run = first_run_after_start(st.cfg.name, now, row.next_run_at, st.cfg.cadence);
              SensorRun plan = base_run(st.cfg, "schedule");
              plan.next_run_at = st.next_run;
              record(self, std::move(plan));
              self->delayed_send(self, std::chrono::milliseconds(st.next_run - now), due_atom::value);
              return;
            }
            if (row.next_run_at && row.next_run_at < st.next_run) st.next_run = row.next_run_at;  // arc sensors run
            bool operator_paused = row.paused_until > now && row.paused_reason.rfind("guard", 0) != 0 &&
                                   row.paused_reason.rfind("counter", 0) != 0;
            if (operator_paused || st.running || now < st.next_run) return;
            start_run(self, now);
          },
          [](caf::error&) {});
}

sensor_actor::behavior_type sensor_fn(self_ptr self, SensorConfig cfg, std::shared_ptr<SensorThreads> threads,
                                      caf::atom_value store) {
  answer_requests_on_crash(self, "sensor");
  self->state.cfg = std::move(cfg);
  self->state.store = store;
  self->state.threads = std::move(threads);
  self->send(self, poll_atom::value);
  return {
      [self](poll_atom) {
        fault::crash_point("actor.sensor");
        self->delayed_send(self, std::chrono::seconds(1), poll_atom::value);
        check(self);
      },
      [self](due_atom) { check(self); },
      [self](sensor_done_atom, SensorRun run) {
        auto& st = self->state;
        st.running = false;
        millis now = system_clock().now_ms();
        // Fixed rate from the planned time; a run that overran starts the next at once.
        if (run.kind != "guard")
          st.next_run = std::max(now, next_run_after(st.cfg.name, st.scheduled, st.run_number, st.cfg.cadence));
        else st.next_run = run.paused_until;
        run.next_run_at = st.next_run;
        record(self, std::move(run));
        self->delayed_send(self, std::chrono::milliseconds(st.next_run - now), due_atom::value);
      },
  };
}

}  // namespace

void SensorThreads::wait_all() {
  std::unique_lock<std::mutex> g(mu);
  cv.wait(g, [this] { return running == 0; });
}

sensor_actor spawn_sensor(caf::actor_system& sys, const SensorConfig& cfg, std::shared_ptr<SensorThreads> threads,
                          caf::atom_value store) {
  return sys.spawn(sensor_fn, cfg, std::move(threads), store);
}

}  // namespace arc
