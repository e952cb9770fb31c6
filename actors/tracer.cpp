#include "actors/tracer.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <random>

#include "actors/trace.hpp"

namespace arc {

// ---- the trace layer's process-wide part ---------------------------------
namespace trace::detail {

std::atomic<bool> on{false};

namespace {
std::mutex mu;             // guards sink
caf::actor sink;           // the tracer, while it is up
std::atomic<uint64_t> counter{0};
const uint64_t prefix = [] {  // ids unique across restarts and nodes: 20 random bits + a counter
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) & 0xFFFFF) << 32;
}();

uint64_t next_id() { return prefix | ((counter.fetch_add(1, std::memory_order_relaxed) + 1) & 0xFFFFFFFF); }

void emit(TraceEvent e) {
  caf::actor to;
  {
    std::lock_guard<std::mutex> lock(mu);
    to = sink;
  }
  e.wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
  e.mono_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::steady_clock::now().time_since_epoch()).count();
  if (to) caf::anon_send(to, trace_atom::value, std::move(e));
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

constexpr size_t kBatch = 512;
constexpr auto kFlushEvery = std::chrono::milliseconds(100);

struct TracerState {
  TracerArgs args;
  std::unique_ptr<TraceWriter> writer;
  std::vector<TraceEvent> buffer;
  bool flush_scheduled = false;
  bool polled = false;        // the setting has been read once
  std::string setting;        // its last value seen
  ~TracerState() { write(); }
  void write() {
    if (buffer.empty() || !writer) return buffer.clear();
    if (!writer->write(buffer)) {
      spdlog::error("tracer: {}; tracing switched off (fix the path, then `arc trace on`)", writer->error());
      trace::detail::on = false;
      writer.reset();
    }
    buffer.clear();
  }
  static inline const char* name = "tracer";
};

using self_ptr = tracer_actor::stateful_pointer<TracerState>;

void switch_on(self_ptr self, const std::string& file) {
  auto& st = self->state;
  if (st.writer && st.writer->path() == file && trace::on()) return;
  st.write();
  st.writer = std::make_unique<TraceWriter>(file, st.args.config.max_bytes, st.args.config.keep);
  st.args.config.file = file;
  trace::detail::on = true;
  spdlog::info("tracer: tracing on, writing {}", file);
}

void switch_off(self_ptr self) {
  auto& st = self->state;
  if (!trace::on() && !st.writer) return;
  trace::detail::on = false;
  st.write();
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
  auto& st = self->state;
  st.args = std::move(args);
  {
    std::lock_guard<std::mutex> lock(trace::detail::mu);
    trace::detail::sink = caf::actor_cast<caf::actor>(self);
  }
  self->attach_functor([] {
    std::lock_guard<std::mutex> lock(trace::detail::mu);
    trace::detail::sink = nullptr;
    trace::detail::on = false;  // a restarted tracer switches it on again
  });
  if (st.args.config.enabled) switch_on(self, st.args.config.file);
  self->send(self, poll_atom::value);
  return {
      [self](trace_atom, TraceEvent& e) {
        auto& st = self->state;
        if (!st.writer) return;  // switched off while it was on its way
        e.node = st.args.node;   // here, not in the sender's path
        st.buffer.push_back(std::move(e));
        if (st.buffer.size() >= kBatch) {
          st.write();
        } else if (!st.flush_scheduled) {
          st.flush_scheduled = true;
          self->delayed_send(self, kFlushEvery, flush_atom::value);
        }
      },
      [self](flush_atom) {
        self->state.flush_scheduled = false;
        self->state.write();
      },
      [self](poll_atom) {
        self->delayed_send(self, std::chrono::seconds(1), poll_atom::value);
        auto p = lookup<persistence_actor>(self->system(), persistence_name);
        if (!p) return;
        self->request(p, std::chrono::seconds(10), setting_atom::value, std::string("trace"))
            .then(
                [self](std::string& value) {
                  auto& st = self->state;
                  // At start the config or --trace decides, unless the switch says on.
                  bool first = !st.polled;
                  st.polled = true;
                  if (value == st.setting && !first) return;
                  st.setting = value;
                  if (!first || value.rfind("on", 0) == 0) apply_setting(self, value);
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
