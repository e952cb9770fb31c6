#include "actors/queue.hpp"

#include "actors/crash_reply.hpp"

#include <spdlog/spdlog.h>


#include "actors/trace.hpp"
#include "core/fault.hpp"
#include "core/log_throttle.hpp"
#include "core/runtime_stats.hpp"

namespace arc {
namespace {

constexpr auto kRequestTimeout = std::chrono::seconds(30);

struct QueueState {
  QueueArgs args;
  LogThrottle log;
  static inline const char* name = "queue";
};

using self_ptr = queue_actor::stateful_pointer<QueueState>;

persistence_actor persistence(self_ptr self) {
  return lookup<persistence_actor>(self->system(), persistence_name);
}

// Hands a request to persistence, which answers our caller directly
// (delegation): a crash of the queue meanwhile loses no answer, so a result
// that persistence committed is never reported as failed (and retried).
template <class T, class... Ts>
caf::result<T> forward(self_ptr self, Ts&&... xs) {
  auto p = persistence(self);
  if (!p) return caf::make_error(caf::sec::request_receiver_down, "persistence is restarting");
  return self->delegate(p, std::forward<Ts>(xs)...);
}

// The dispatcher's results with its next claim, under this arcd's lease owner.
caf::result<FinishAndClaim> finish_batch(self_ptr self, OutcomeList os, int32_t max, TraceList tcs) {
  fault::crash_point("actor.queue");
  auto& a = self->state.args;
  for (size_t i = 0; i < os.size(); ++i) {
    os[i].owner = a.incarnation;
    if (i >= tcs.size()) continue;
    trace::recv(tcs[i], "queue", "finish");
    tcs[i] = trace::send(tcs[i], "queue", "persistence", "finish", os[i].id, [&] {
      return to_string(os[i].result.outcome()) + (i + 1 == os.size() ? ", then claim up to " + std::to_string(max) : "");
    });
  }
  return forward<FinishAndClaim>(self, finish_atom::value, std::move(os), max, a.lease_ms, std::move(tcs));
}

// Lapsed leases and expiry, every housekeeping_ms; a failure said once per interval.
void housekeep(self_ptr self) {
  self->delayed_send(self, std::chrono::milliseconds(self->state.args.housekeeping_ms), housekeep_atom::value);
  auto p = persistence(self);
  if (!p) return;
  self->request(p, kRequestTimeout, reap_atom::value, self->state.args.incarnation)
      .then(
          [](int32_t n) {
            if (n > 0) spdlog::info("queue: {} tasks recovered from lapsed leases or expired", n);
          },
          [self](caf::error& e) {
            if (auto held = self->state.log.admit("housekeeping", steady_now_ms()))
              spdlog::warn("queue: housekeeping failed: {}{}", caf::to_string(e), held_back_note(*held));
          });
}

queue_actor::behavior_type queue_fn(self_ptr self, QueueArgs args) {
  answer_requests_on_crash(self, "queue");
  self->state.args = args;
  self->send(self, housekeep_atom::value);
  return {
      [self](claim_atom, int32_t max, TraceCtx tc) {
        trace::recv(tc, "queue", "claim");
        fault::crash_point("actor.queue");
        auto& a = self->state.args;
        auto out = trace::send(tc, "queue", "persistence", "claim", 0, [&] { return "up to " + std::to_string(max); });
        return forward<TaskList>(self, claim_atom::value, a.incarnation, max, a.lease_ms, out);
      },
      [self](finish_atom, TaskOutcome o, TraceCtx tc) {
        trace::recv(tc, "queue", "finish");
        fault::crash_point("actor.queue");
        o.owner = self->state.args.incarnation;
        auto out = trace::send(tc, "queue", "persistence", "finish", o.id, [&] { return to_string(o.result.outcome()); });
        return forward<FinishResult>(self, finish_atom::value, std::move(o), out);
      },
      [self](finish_atom, OutcomeList os, int32_t max, TraceList tcs) {
        return finish_batch(self, std::move(os), max, std::move(tcs));
      },
      [self](renew_atom, IdList ids) {
        auto& a = self->state.args;
        return forward<IdList>(self, renew_atom::value, a.incarnation, std::move(ids),
                               a.lease_ms);
      },
      [self](release_atom, IdList running) {
        return forward<int32_t>(self, release_atom::value, self->state.args.incarnation,
                                std::move(running));
      },
      [self](context_atom, int64_t id) {
        return forward<PromptContext>(self, context_atom::value, id, static_cast<int32_t>(self->state.args.recent_runs));
      },
      [self](requeue_atom, int64_t id, std::string reason, TraceCtx tc) {
        trace::recv(tc, "queue", "requeue");
        auto out = trace::send(tc, "queue", "persistence", "requeue", id, [&] { return reason; });
        return forward<bool>(self, requeue_atom::value, id, self->state.args.incarnation,
                             std::move(reason), out);
      },
      [self](housekeep_atom) { housekeep(self); },
  };
}

}  // namespace

queue_actor spawn_queue(caf::actor_system& sys, const QueueArgs& args) {
  return sys.spawn(queue_fn, args);
}

}  // namespace arc
