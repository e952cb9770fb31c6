#include "actors/hub_link.hpp"

#include <spdlog/spdlog.h>

#include <random>

#include "actors/cluster_net.hpp"
#include "actors/trace.hpp"
#include "core/runtime_stats.hpp"

namespace arc {
namespace {

constexpr millis kFirstBackoffMs = 100;
// How long the hub gate's "open" is taken as still open. The claim itself is
// refused on the hub while the gate row says stopped, so this only saves a
// round trip per claim under load; a stop reaches this worker's claims at
// once all the same.
constexpr millis kGateOpenFreshMs = 100;

struct LinkState {
  HubLinkArgs args;
  std::string host;
  uint16_t port = 0;
  hub_actor hub;        // valid once hello was answered
  bool connecting = false;
  int failures = 0;     // connection attempts failed in a row
  int64_t hellos = 0;   // connections made so far
  bool gate_open = false;  // the hub gate's last answer ...
  int64_t gate_asked_at = 0;  // ... and when (steady ms)
  std::minstd_rand random{std::random_device{}()};
  static inline const char* name = "hub-link";
};

using self_ptr = link_actor::stateful_pointer<LinkState>;

std::chrono::milliseconds timeout(self_ptr self) {
  return std::chrono::milliseconds(self->state.args.cluster.request_timeout_ms);
}

caf::error cut_off() {
  return caf::make_error(caf::sec::request_receiver_down, "cut off from the hub; reconnecting");
}

// The next attempt after a failure: the backoff doubles up to its cap, and
// +-20 % jitter keeps a cluster's workers from reconnecting in lockstep
// (jittered_delay, as the supervisor's restarts).
void retry_later(self_ptr self, const std::string& why) {
  auto& st = self->state;
  st.connecting = false;
  ++st.failures;
  // The first failure and then every tenth: a hub down for an hour is not
  // thousands of log lines.
  double u = std::uniform_real_distribution<double>(0, 1)(st.random);
  millis wait = jittered_delay(kFirstBackoffMs, st.args.cluster.reconnect_max_ms, st.failures, 20, u);
  if (st.failures == 1 || st.failures % 10 == 0)
    spdlog::warn("hub-link: cannot reach the hub at {}:{} ({}); attempt {}, next in {} ms", st.host, st.port, why,
                 st.failures, wait);
  self->delayed_send(self, std::chrono::milliseconds(wait), connect_atom::value);
}

void lose_hub(self_ptr self, const std::string& why) {
  auto& st = self->state;
  if (!st.hub) return;
  spdlog::warn("hub-link: cut off from the hub ({}): no claims until it is back; runs go on and report then", why);
  self->demonitor(st.hub.address());
  st.hub = nullptr;
  st.gate_open = false;
  st.failures = 0;
  self->send(self, connect_atom::value);
}

void say_hello(self_ptr self, hub_actor hub) {
  self->request(hub, timeout(self), hello_atom::value, self->state.args.hello)
      .then(
          [self, hub](millis lease_ms) {
            auto& st = self->state;
            st.connecting = false;
            st.hub = hub;
            self->monitor(hub);
            ++st.hellos;
            st.failures = 0;
            spdlog::info("hub-link: connected to the hub at {}:{} as {} (lease {} ms)", st.host, st.port,
                         st.args.hello.name, lease_ms);
          },
          [self](caf::error& e) { retry_later(self, "hello refused: " + caf::to_string(e)); });
}

void connect(self_ptr self) {
  auto& st = self->state;
  if (st.hub || st.connecting) return;
  st.connecting = true;
  auto mm = network(self->system(), st.args.cluster.insecure);
  self->request(mm, timeout(self), caf::connect_atom::value, st.host, st.port)
      .then(
          [self](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>& ifs) {
            if (!ptr) return retry_later(self, "no actor published at that port");
            // The same build speaks the same interface; anything else is
            // refused before a message is sent.
            if (!self->system().assignable<hub_actor>(ifs))
              return retry_later(self, "the hub speaks another protocol (a different arcd version?)");
            say_hello(self, caf::actor_cast<hub_actor>(std::move(ptr)));
          },
          [self](caf::error& e) { retry_later(self, caf::to_string(e)); });
}

// Relays a request to the hub with a response promise, so that a hub lost
// meanwhile costs the caller request_timeout_ms, not its own timeout.
template <class T, class... Ts>
caf::result<T> relay(self_ptr self, Ts&&... xs) {
  auto& st = self->state;
  if (!st.hub) return cut_off();
  auto rp = self->make_response_promise<T>();
  self->request(st.hub, timeout(self), std::forward<Ts>(xs)...)
      .then([rp](T& x) mutable { rp.deliver(std::move(x)); },
            [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
  return rp;
}

// The gate's answer, from the hub (a fresh "open" is remembered briefly).
caf::result<bool> may_claim(self_ptr self, const std::string& node, TraceCtx tc) {
  auto& st = self->state;
  if (!st.hub) return false;  // cut off: claim nothing
  if (st.gate_open && steady_now_ms() - st.gate_asked_at < kGateOpenFreshMs) return true;
  auto rp = self->make_response_promise<bool>();
  self->request(st.hub, timeout(self), may_claim_atom::value, node, trace::send(tc, "hub-link", "hub", "may_claim"))
      .then(
          [self, rp](bool open) mutable {
            self->state.gate_open = open;
            self->state.gate_asked_at = steady_now_ms();
            rp.deliver(open);
          },
          [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
  return rp;
}

// This worker's heartbeat to the hub, every second while connected.
void ping(self_ptr self, const std::string& node) {
  self->delayed_send(self, std::chrono::seconds(1), ping_atom::value);
  auto& st = self->state;
  if (!st.hub) return;
  self->request(st.hub, timeout(self), ping_atom::value, node)
      .then([](bool) {},
            [self](caf::error& e) {
              // Refused (the hub no longer knows this connection) or no
              // answer in time: connect and say hello again.
              if (e.category() == caf::atom("system") && e.code() == static_cast<uint8_t>(caf::sec::invalid_argument))
                lose_hub(self, "the hub refused our heartbeat: " + caf::to_string(e));
              else
                spdlog::warn("hub-link: heartbeat to the hub failed: {}", caf::to_string(e));
            });
}

link_actor::behavior_type link_fn(self_ptr self, HubLinkArgs args) {
  auto& st = self->state;
  st.args = args;
  auto addr = parse_listen(args.cluster.hub);
  st.host = addr ? addr->first : "";
  st.port = addr ? static_cast<uint16_t>(addr->second) : 0;
  // The dispatcher finds its queue, gate and triage by name: all are us.
  auto me = caf::actor_cast<caf::strong_actor_ptr>(self);
  self->system().registry().put(gate_name, me);
  self->system().registry().put(triage_name, me);
  self->set_down_handler([self](caf::down_msg& dm) {
    if (self->state.hub && dm.source == self->state.hub.address())
      lose_hub(self, dm.reason ? caf::to_string(dm.reason) : "connection closed");
  });
  self->send(self, connect_atom::value);
  self->delayed_send(self, std::chrono::seconds(1), ping_atom::value);
  const std::string& node = st.args.hello.name;
  return {
      [self, node](claim_atom, int32_t max, TraceCtx tc) {
        trace::recv(tc, "hub-link", "claim");
        return relay<TaskList>(self, claim_atom::value, node, max, trace::send(tc, "hub-link", "hub", "claim"));
      },
      [self, node](finish_atom, TaskOutcome o, TraceCtx tc) {
        trace::recv(tc, "hub-link", "finish");
        auto out = trace::send(tc, "hub-link", "hub", "finish", o.id);
        return relay<FinishResult>(self, finish_atom::value, node, std::move(o), out);
      },
      [self, node](renew_atom, IdList ids) { return relay<IdList>(self, renew_atom::value, node, std::move(ids)); },
      [self, node](requeue_atom, int64_t id, std::string reason, TraceCtx tc) {
        return relay<bool>(self, requeue_atom::value, node, id, std::move(reason), tc);
      },
      [self, node](release_atom, IdList running) {
        return relay<int32_t>(self, release_atom::value, node, std::move(running));
      },
      [self, node](context_atom, int64_t id) { return relay<PromptContext>(self, context_atom::value, node, id); },
      [self, node](may_claim_atom, TraceCtx tc) { return may_claim(self, node, tc); },
      [self, node](outcome_atom, RunOutcome outcome, std::string why, TraceCtx tc) {
        if (self->state.hub)
          self->send(self->state.hub, outcome_atom::value, node, outcome, std::move(why), tc);
      },
      [self, node](failed_atom, TraceCtx tc) {
        if (self->state.hub) self->send(self->state.hub, failed_atom::value, node, tc);
      },
      [self, node](sensor_atom, std::string name) {
        return relay<SensorRow>(self, sensor_atom::value, node, std::move(name));
      },
      [self, node](sensor_atom, SensorRun run, TraceCtx tc) {
        // Cut off, the run is not recorded; the sensor runs again at its
        // next time (its tasks are deduplicated by source).
        return relay<SensorRunSummary>(self, sensor_atom::value, node, std::move(run), tc);
      },
      [self](stats_atom) {
        return caf::make_result(int64_t{self->state.hub ? 1 : 0}, self->state.hellos);
      },
      [self](connect_atom) { connect(self); },
      [self, node](ping_atom) { ping(self, node); },
  };
}

}  // namespace

link_actor spawn_hub_link(caf::actor_system& sys, const HubLinkArgs& args) { return sys.spawn(link_fn, args); }

}  // namespace arc
