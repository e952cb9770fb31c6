#include "actors/tracer.hpp"

#include "actors/crash_reply.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <random>

#include "actors/trace.hpp"
#include "core/clock.hpp"
#include "core/fault.hpp"

namespace arc {

// ---- the trace layer's process-wide part ---------------------------------
// Events go into one buffer under a mutex; the tracer drains it every 50 ms.
// No actor message per event: at tens of thousands of events a second, a
// message each (and the wake-up of the tracer's thread) cost more than the
// rest of tracing together.
namespace trace::detail {

std::atomic<bool> on{false};

namespace {
constexpr size_t kMaxPending = 50'000;  // beyond this (tracer down or stuck) events are dropped and counted

std::mutex mu;  // guards pending and dropped
std::vector<TraceEvent> pending;
uint64_t dropped = 0;
std::atomic<uint64_t> counter{0};
const uint64_t prefix = [] {  // ids unique across restarts and nodes: 20 random bits + a counter
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) & 0xFFFFF) << 32;
}();

uint64_t next_id() { return prefix | ((counter.fetch_add(1, std::memory_order_relaxed) + 1) & 0xFFFFFFFF); }

void emit(TraceEvent e) {
  e.wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
  e.mono_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::steady_clock::now().time_since_epoch()).count();
  std::lock_guard<std::mutex> lock(mu);
  if (pending.size() >= kMaxPending) {
    ++dropped;
    return;
  }
  pending.push_back(std::move(e));
}

// What was emitted since the last call, and how many were dropped.
std::vector<TraceEvent> take(uint64_t& dropped_out) {
  std::vector<TraceEvent> out;
  std::lock_guard<std::mutex> lock(mu);
  out.swap(pending);
  dropped_out = dropped;
  dropped = 0;
  return out;
}
}  // namespace

TraceCtx record(const TraceCtx& cause, const char* kind, const char* from, const char* to, const char* type,
                int64_t task, std::string payload) {
  TraceEvent e;
  e.id = next_id();
  e.parent = cause.id;
  e.corr = cause.corr ? cause.corr : e.id;
  e.kind = kind;
  e.from = from;
  e.to = to;
  e.type = type;
  e.task = task ? task : cause.task;
  if (payload.size() > kMaxPayload) payload.resize(kMaxPayload);
  e.payload = std::move(payload);
  TraceCtx out{e.id, e.corr, e.task};
  emit(std::move(e));
  return out;
}

void record_recv(const TraceCtx& msg, const char* at, const char* type) {
  TraceEvent e;
  e.id = msg.id;
  e.corr = msg.corr;
  e.kind = "recv";
  e.to = at;
  e.type = type;
  e.task = msg.task;
  emit(std::move(e));
}

}  // namespace trace::detail

// ---- the tracer actor ------------------------------------------------------
namespace {

constexpr auto kDrainEvery = std::chrono::milliseconds(50);
const millis kProcessStart = system_clock().now_ms();  // when this arcd started

struct TracerState {
  TracerArgs args;
  std::unique_ptr<TraceWriter> writer;
  bool draining = false;  // the drain timer is set
  bool polled = false;    // the setting has been read once
  millis applied_at = 0;  // updated_at of the setting last acted on
  ~TracerState() { drain(); }
  // Writes what the trace layer buffered.
  void drain() {
    uint64_t dropped = 0;
    auto events = trace::detail::take(dropped);
    if (dropped) spdlog::warn("tracer: {} trace events dropped (the buffer was full)", dropped);
    if (events.empty() || !writer) return;
    for (auto& e : events) e.node = args.node;
    if (!writer->write(events)) {
      spdlog::error("tracer: {}; tracing switched off (fix the path, then `arc trace on`)", writer->error());
      trace::detail::on = false;
      writer.reset();
    }
  }
  static inline const char* name = "tracer";
};

using self_ptr = tracer_actor::stateful_pointer<TracerState>;

void switch_on(self_ptr self, const std::string& file) {
  auto& st = self->state;
  if (st.writer && st.writer->path() == file && trace::on()) return;
  st.drain();
  st.writer = std::make_unique<TraceWriter>(file, st.args.config.max_bytes, st.args.config.keep);
  st.args.config.file = file;
  trace::detail::on = true;
  spdlog::info("tracer: tracing on, writing {}", file);
  if (!st.draining) {
    st.draining = true;
    self->delayed_send(self, kDrainEvery, flush_atom::value);
  }
}

void switch_off(self_ptr self) {
  auto& st = self->state;
  if (!trace::on() && !st.writer) return;
  trace::detail::on = false;
  st.drain();
  st.writer.reset();
  spdlog::info("tracer: tracing off");
}

// "on", "on:/path/file" or "off" (written by `arc trace`).
void apply_setting(self_ptr self, const std::string& value) {
  if (value == "off") switch_off(self);
  else if (value == "on") switch_on(self, self->state.args.config.file);
  else if (value.rfind("on:", 0) == 0) switch_on(self, value.substr(3));
}

tracer_actor::behavior_type tracer_fn(self_ptr self, TracerArgs args) {
  answer_requests_on_crash(self, "tracer");
  auto& st = self->state;
  st.args = std::move(args);
  self->attach_functor([] { trace::detail::on = false; });  // a restarted tracer switches it on again
  if (st.args.config.enabled) switch_on(self, st.args.config.file);
  self->send(self, poll_atom::value);
  return {
      [self](flush_atom) {
        auto& st = self->state;
        st.drain();
        st.draining = trace::on();
        if (st.draining) self->delayed_send(self, kDrainEvery, flush_atom::value);
      },
      [self](poll_atom) {
        fault::crash_point("actor.tracer");
        self->delayed_send(self, std::chrono::seconds(1), poll_atom::value);
        auto p = lookup<persistence_actor>(self->system(), persistence_name);
        if (!p) return;
        self->request(p, std::chrono::seconds(10), setting_atom::value, std::string("trace"))
            .then(
                [self](std::string& value, millis at) {
                  auto& st = self->state;
                  bool first = !st.polled;
                  st.polled = true;
                  if (at == st.applied_at) return;  // nothing written since we last acted
                  st.applied_at = at;
                  // A switch from before this arcd started: the config and
                  // --trace decide, unless it says on. Any later `arc trace`
                  // (even the same word again) is acted on.
                  if (first && at < kProcessStart && value.rfind("on", 0) != 0) return;
                  apply_setting(self, value);
                },
                [](caf::error&) {});  // persistence restarting: next second
      },
  };
}

}  // namespace

tracer_actor spawn_tracer(caf::actor_system& sys, const TracerArgs& args) {
  return sys.spawn<caf::detached>(tracer_fn, args);
}

}  // namespace arc
