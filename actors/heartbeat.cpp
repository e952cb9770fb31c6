#include "actors/heartbeat.hpp"

namespace arc {

caf::actor spawn_heartbeat(caf::actor_system& sys, std::shared_ptr<RuntimeStats> stats, millis every) {
  return sys.spawn([stats, every](caf::event_based_actor* self) -> caf::behavior {
    self->send(self, tick_atom::value);
    return {
        [self, stats, every](tick_atom) {
          self->delayed_send(self, std::chrono::milliseconds(every), tick_atom::value);
          auto p = lookup<persistence_actor>(self->system(), persistence_name);
          if (!p) return;  // being restarted: no beat this time
          self->request(p, std::chrono::milliseconds(every * 2), stats_atom::value)
              .then([stats](int64_t, int64_t) { stats->heartbeat_ms = steady_now_ms(); },
                    [](caf::error&) {});  // no answer in time: no beat
        },
    };
  });
}

}  // namespace arc
