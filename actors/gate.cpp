#include "actors/gate.hpp"

#include "actors/crash_reply.hpp"

#include <spdlog/spdlog.h>

#include "actors/notify_command.hpp"
#include "actors/trace.hpp"
#include "core/fault.hpp"
#include "core/log_throttle.hpp"
#include "core/runtime_stats.hpp"
#include "core/time_text.hpp"

namespace arc {
namespace {

constexpr auto kRequestTimeout = std::chrono::seconds(30);

struct GateActorState {
  GateConfig cfg;
  GateState gate;
  bool synced = false;  // no claim before the row was read once
  millis timer_for = 0;  // the resume time a timer is set for
  LogThrottle log;       // a storage fault fails its tick every second
  static inline const char* name = "gate";
};

using self_ptr = gate_actor::stateful_pointer<GateActorState>;

// Tells the operator's notify command of a gate change.
void notify(const GateConfig& cfg, const GateState& g, const GateChange& c) {
  run_notify_command(cfg.notify, {"ARC_EVENT=gate.changed", "ARC_GATE_FROM=" + std::string(to_string(c.from)), "ARC_GATE_TO=" + std::string(to_string(c.to)),
                                  "ARC_GATE_REASON=" + c.why,
                                  "ARC_GATE_RESUME_AT=" + (g.resume_at ? format_iso_utc(g.resume_at) : std::string())});
}

// A rate-limit stop (ours, or one read back after a restart) resumes at its
// time to the millisecond, not at the next one-second poll.
void arm_resume_timer(self_ptr self) {
  auto& st = self->state;
  if (st.gate.state != GateMode::stopped_rate_limited || st.timer_for == st.gate.resume_at) return;
  st.timer_for = st.gate.resume_at;
  millis wait = std::max<millis>(0, st.gate.resume_at - system_clock().now_ms());
  self->delayed_send(self, std::chrono::milliseconds(wait), reread_atom::value);
}

// `cause` is the traced message that led to the command (an outcome), if any.
void apply(self_ptr self, GateCommand cmd, TraceCtx cause = {}) {
  auto p = lookup<persistence_actor>(self->system(), persistence_name);
  if (!p) return;
  self->request(p, kRequestTimeout, gate_atom::value, std::move(cmd))
      .then(
          [self, cause](GateResult& r) {
            auto& st = self->state;
            GateMode was = st.synced ? st.gate.state : r.state.state;
            st.gate = r.state;
            st.synced = true;
            arm_resume_timer(self);
            if (!r.change.changed && r.state.state != was) {
              // Moved by another writer (persistence stops the gate with the
              // rate-limited result itself): log it and notify all the same.
              r.change.changed = true;
              r.change.from = was;
              r.change.to = r.state.state;
              r.change.why = r.state.reason;
            }
            if (!r.change.changed) return;
            trace::event(cause, "gate", "gate.change", 0,
                         [&] { return std::string(to_string(r.change.from)) + " -> " + to_string(r.change.to) + ": " + r.change.why; });
            if (r.change.to == GateMode::running) {
              spdlog::info("gate: {} -> running after {}: {}{}", to_string(r.change.from),
                           format_age(r.change.stopped_for_ms), r.change.why,
                           r.expired ? fmt::format(" ({} stale tasks expired before the first claim)", r.expired) : "");
              if (auto d = lookup<dispatcher_actor>(self->system(), dispatcher_name))
                self->send(d, claim_atom::value);
            } else {
              spdlog::warn("gate: {} -> {}: {}", to_string(r.change.from), to_string(r.change.to), r.change.why);
            }
            notify(st.cfg, st.gate, r.change);
          },
          [self](caf::error& e) {
            // Its tick writes every second: a full disk would say so every second.
            if (auto held = self->state.log.admit("gate row", steady_now_ms()))
              spdlog::warn("gate: could not update the gate row: {}{}", caf::to_string(e), held_back_note(*held));
          });
}

gate_actor::behavior_type gate_fn(self_ptr self, GateConfig cfg) {
  answer_requests_on_crash(self, "gate");
  self->state.cfg = std::move(cfg);
  self->send(self, poll_atom::value);
  return {
      [self](may_claim_atom, TraceCtx tc) {
        trace::recv(tc, "gate", "may_claim");
        fault::crash_point("actor.gate");
        fault::hang_point("hang.gate");
        bool open = self->state.synced && may_claim(self->state.gate);
        trace::reply(tc, "gate", "dispatcher", "may_claim",
                     [&] { return open ? std::string("open") : "closed: " + std::string(to_string(self->state.gate.state)); });
        return open;
      },
      [self](outcome_atom, RunOutcome outcome, const std::string&, TraceCtx tc) {
        trace::recv(tc, "gate", "outcome");
        // The outcome is already in the gate row (storage/gate_store.hpp,
        // record_outcome): re-read it now, to log and notify a change at
        // once rather than at the next poll. A completion with no failure
        // streak changed nothing.
        if (outcome == RunOutcome::completed && self->state.gate.consecutive_failures == 0) return;
        apply(self, GateCommand{}, tc);
      },
      [self](reread_atom) { apply(self, GateCommand{}); },
      [self](poll_atom) {
        self->delayed_send(self, std::chrono::seconds(1), poll_atom::value);
        apply(self, GateCommand{});
      },
  };
}

}  // namespace

gate_actor spawn_gate(caf::actor_system& sys, const GateConfig& cfg) { return sys.spawn(gate_fn, cfg); }

}  // namespace arc
