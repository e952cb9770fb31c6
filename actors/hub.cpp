#include "actors/hub.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "actors/trace.hpp"
#include "core/clock.hpp"
#include "core/runtime_stats.hpp"
#include "core/version.hpp"

namespace arc {
namespace {

constexpr auto kRequestTimeout = std::chrono::seconds(30);

struct Worker {
  caf::strong_actor_ptr link;  // the connection it said hello on
  NodeRow row;
  int64_t last_ping = 0;       // steady ms: its last heartbeat (or hello)
  int64_t recorded_at = 0;     // steady ms: its heartbeat last written to cluster_nodes
};

// Heartbeats reach the database at most this often per node (each write is
// a commit with an fsync); `arc nodes` calls a node silent after 5 s.
constexpr int64_t kHeartbeatWriteMs = 2'000;

// A second hello under a name whose connection pinged this recently is
// refused: two live workers would share one lease owner. One silent longer
// (a half-open connection after a network blip) is replaced.
constexpr int64_t kLiveNameMs = 3'000;

struct HubState {
  HubArgs args;
  std::map<std::string, Worker> workers;
  static inline const char* name = "hub";
};

using self_ptr = hub_actor::stateful_pointer<HubState>;

persistence_actor persistence(self_ptr self) { return lookup<persistence_actor>(self->system(), persistence_name); }

// Names a worker may have: they become lease owners and log lines.
bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

// Why `node` may not act on this message, or "" if it may: it must have said
// hello on the connection the message came from (a newer connection under
// the same name replaces an older one).
std::string refused(self_ptr self, const std::string& node) {
  if (!self->current_sender()) return "a message with no sender is not a worker's";
  auto it = self->state.workers.find(node);
  if (it == self->state.workers.end())
    return "worker " + node + " has not said hello on this connection; it reconnects";
  if (it->second.link != self->current_sender())
    return "worker " + node + " is connected on a newer connection; this one is stale";
  return "";
}

void store_row(self_ptr self, const NodeRow& row) {
  auto p = persistence(self);
  if (!p) return;
  self->request(p, kRequestTimeout, node_atom::value, row)
      .then([](bool) {}, [name = row.name](caf::error& e) {
        spdlog::warn("hub: could not record node {}: {}", name, caf::to_string(e));
      });
}

// Relays a request to persistence (or the gate), which answers the worker
// directly; refused if the worker is not connected on this connection.
template <class T, class Target, class... Ts>
caf::result<T> relay(self_ptr self, const std::string& node, const Target& to, Ts&&... xs) {
  auto why = refused(self, node);
  if (!why.empty()) return caf::make_error(caf::sec::invalid_argument, why);
  if (!to) return caf::make_error(caf::sec::request_receiver_down, "the hub's actor is restarting; try again");
  return self->delegate(to, std::forward<Ts>(xs)...);
}

// A worker's connection closed: its row says lost; its leases run out on time.
void lost_worker(self_ptr self, const caf::down_msg& dm) {
  auto& ws = self->state.workers;
  for (auto it = ws.begin(); it != ws.end(); ++it) {
    if (it->second.link != dm.source) continue;
    spdlog::warn("hub: lost worker {} ({}); its leases run out on time unless it reconnects first", it->first,
                 dm.reason ? caf::to_string(dm.reason) : std::string("connection closed"));
    NodeRow row = it->second.row;
    row.state = "lost";
    row.detail = "connection closed";
    row.last_heartbeat = system_clock().now_ms();
    store_row(self, row);
    ws.erase(it);
    return;
  }
}

// What is wrong with a worker's hello, or "".
std::string bad_hello(const NodeHello& h, millis lease_ms) {
  if (!valid_name(h.name)) return "node name \"" + h.name + "\" refused: use 1-64 letters, digits, '-', '_' or '.'";
  if (h.slots < 1 || h.slots > 256)
    return "worker " + h.name + " says it has " + std::to_string(h.slots) + " slots; give 1..256";
  if (h.renew_every_ms <= 0 || h.renew_every_ms * 2 > lease_ms)
    return "worker " + h.name + " renews its leases every " + std::to_string(h.renew_every_ms) +
           " ms but the hub's lease is " + std::to_string(lease_ms) +
           " ms; set [arcd] lease_seconds on the worker as on the hub";
  return "";
}

// A worker says hello on a connection: it is registered under its name
// (replacing a silent older connection of that name), or refused.
caf::result<millis> hello(self_ptr self, const NodeHello& h) {
  auto& st = self->state;
  if (auto why = bad_hello(h, st.args.lease_ms); !why.empty()) return caf::make_error(caf::sec::invalid_argument, why);
  auto sender = self->current_sender();
  if (!sender) return caf::make_error(caf::sec::invalid_argument, "hello with no sender refused");
  auto& w = st.workers[h.name];
  if (w.link && w.link != sender && steady_now_ms() - w.last_ping < kLiveNameMs) {
    spdlog::warn("hub: refused a second worker named {} ({}): one of that name is connected and alive", h.name,
                 h.address);
    return caf::make_error(caf::sec::invalid_argument, "a worker named " + h.name + " is already connected (" +
                                                           w.row.address + "); give each worker its own --node-name");
  }
  if (w.link && w.link != sender) {
    spdlog::warn("hub: worker {} connected again; its older connection is dropped", h.name);
    self->demonitor(caf::actor_cast<caf::actor_addr>(w.link));
  }
  w.link = sender;
  w.last_ping = steady_now_ms();
  self->monitor(sender);
  millis now = system_clock().now_ms();
  // What the worker says about itself is shown, not trusted: bounded.
  w.row = NodeRow{h.name, to_string(NodeRole::worker), h.address.substr(0, 200), h.slots, "connected", now, now,
                  "arcd " + h.version.substr(0, 64)};
  store_row(self, w.row);
  spdlog::info("hub: worker {} connected ({}, {} slot(s), {})", h.name, w.row.address, h.slots, w.row.detail);
  return st.args.lease_ms;
}

// A worker's heartbeat: written to its row at most every kHeartbeatWriteMs.
caf::result<bool> ping(self_ptr self, std::string node) {
  auto why = refused(self, node);
  if (!why.empty()) return caf::make_error(caf::sec::invalid_argument, why);
  auto& w = self->state.workers[node];
  w.last_ping = steady_now_ms();
  auto p = persistence(self);
  if (!p || w.last_ping - w.recorded_at < kHeartbeatWriteMs) return true;  // a later ping records it
  w.recorded_at = w.last_ping;
  return self->delegate(p, ping_atom::value, std::move(node));
}

// A worker's claim, never for more than the slots it said it has: a
// confused or hostile worker cannot take the whole queue.
caf::result<TaskList> claim(self_ptr self, const std::string& node, int32_t max, TraceCtx tc) {
  trace::recv(tc, "hub", "claim");
  if (auto it = self->state.workers.find(node); it != self->state.workers.end())
    max = std::clamp(max, int32_t{0}, static_cast<int32_t>(it->second.row.slots));
  auto out = trace::send(tc, "hub", "persistence", "claim", 0, [&] { return node + ": up to " + std::to_string(max); });
  return relay<TaskList>(self, node, persistence(self), claim_atom::value, worker_owner(node), max,
                         self->state.args.lease_ms, out);
}

// The hub's own row, and the first of its heartbeats.
void register_hub(self_ptr self, const HubArgs& args) {
  millis now = system_clock().now_ms();
  store_row(self, NodeRow{args.name, to_string(NodeRole::hub), args.address, args.slots, "connected", now, now,
                          "arcd " + std::string(version())});
  self->delayed_send(self, std::chrono::milliseconds(kHeartbeatWriteMs), beat_atom::value);
}

hub_actor::behavior_type hub_fn(self_ptr self, HubArgs args) {
  self->state.args = args;
  // The hub dying other than in a shutdown ends arcd (exit 70): restarted,
  // it listens again and the workers reconnect.
  self->attach_functor([escalated = args.escalated](const caf::error& reason) {
    if (reason == caf::exit_reason::user_shutdown || reason == caf::exit_reason::normal) return;
    spdlog::critical("hub: the cluster endpoint stopped ({}); exiting so that arcd restarts and workers reconnect",
                     caf::to_string(reason));
    if (escalated) escalated->store(70);
  });
  self->set_down_handler([self](caf::down_msg& dm) { lost_worker(self, dm); });
  register_hub(self, args);
  return {
      [self](hello_atom, NodeHello h) { return hello(self, h); },
      [self](ping_atom, std::string node) { return ping(self, std::move(node)); },
      [self](claim_atom, std::string node, int32_t max, TraceCtx tc) { return claim(self, node, max, tc); },
      [self](finish_atom, std::string node, TaskOutcome o, TraceCtx tc) {
        trace::recv(tc, "hub", "finish");
        o.owner = worker_owner(node);
        auto out = trace::send(tc, "hub", "persistence", "finish", o.id, [&] { return to_string(o.result.outcome()); });
        return relay<FinishResult>(self, node, persistence(self), finish_atom::value, std::move(o), out);
      },
      [self](renew_atom, std::string node, IdList ids) {
        return relay<IdList>(self, node, persistence(self), renew_atom::value, worker_owner(node), std::move(ids),
                             self->state.args.lease_ms);
      },
      [self](requeue_atom, std::string node, int64_t id, std::string reason, TraceCtx tc) {
        trace::recv(tc, "hub", "requeue");
        return relay<bool>(self, node, persistence(self), requeue_atom::value, id, worker_owner(node),
                           std::move(reason), tc);
      },
      [self](release_atom, std::string node, IdList running) {
        return relay<int32_t>(self, node, persistence(self), release_atom::value, worker_owner(node),
                              std::move(running));
      },
      [self](context_atom, std::string node, int64_t id) {
        return relay<PromptContext>(self, node, persistence(self), context_atom::value, id,
                                    static_cast<int32_t>(self->state.args.recent_runs));
      },
      [self](may_claim_atom, std::string node, TraceCtx tc) {
        trace::recv(tc, "hub", "may_claim");
        return relay<bool>(self, node, lookup<gate_actor>(self->system(), gate_name), may_claim_atom::value,
                           trace::send(tc, "hub", "gate", "may_claim"));
      },
      [self](outcome_atom, std::string node, RunOutcome outcome, std::string why, TraceCtx tc) {
        if (auto no = refused(self, node); !no.empty()) return spdlog::warn("hub: outcome ignored: {}", no);
        // One gate for the cluster: a rate limit any worker hit stops them all.
        if (auto g = lookup<gate_actor>(self->system(), gate_name))
          self->send(g, outcome_atom::value, outcome, std::move(why), tc);
      },
      [self](failed_atom, std::string node, TraceCtx tc) {
        if (auto no = refused(self, node); !no.empty()) return spdlog::warn("hub: failure note ignored: {}", no);
        if (auto t = lookup<triage_actor>(self->system(), triage_name)) self->send(t, failed_atom::value, tc);
      },
      [self](sensor_atom, std::string node, std::string name) {
        return relay<SensorRow>(self, node, persistence(self), sensor_atom::value, std::move(name));
      },
      [self](sensor_atom, std::string node, SensorRun run, TraceCtx tc) {
        return relay<SensorRunSummary>(self, node, persistence(self), sensor_atom::value, std::move(run), tc);
      },
      [self](beat_atom) {
        // The hub's own row: alive.
        self->delayed_send(self, std::chrono::milliseconds(kHeartbeatWriteMs), beat_atom::value);
        if (auto p = persistence(self))
          self->request(p, kRequestTimeout, ping_atom::value, self->state.args.name).then([](bool) {}, [](caf::error&) {});
      },
  };
}

}  // namespace

hub_actor spawn_hub(caf::actor_system& sys, const HubArgs& args) { return sys.spawn(hub_fn, args); }

}  // namespace arc
