#include "actors/heartbeat.hpp"

namespace arc {
namespace {

// Spawned with its arguments (not as a capturing lambda): CAF 0.17.6's
// init_fun_factory binds a null reference for an actor spawned without any
// (UBSan reports it; ../shared/CAF-0.17-NOTES.md).
caf::behavior heartbeat_fn(caf::event_based_actor* self, std::shared_ptr<RuntimeStats> stats, millis every,
                           caf::atom_value target) {
  self->send(self, beat_atom::value);
  return {
      [self, stats, every, target](beat_atom) {
        self->delayed_send(self, std::chrono::milliseconds(every), beat_atom::value);
        auto p = lookup<caf::actor>(self->system(), target);
        if (!p) return;  // being restarted: no beat this time
        // A late answer still counts (a busy persistence is not a hung one):
        // the watchdog goes by when answers last came, not by this timeout.
        self->request(p, std::chrono::milliseconds(every * 60), stats_atom::value)
            .then([stats](int64_t, int64_t) { stats->heartbeat_ms = steady_now_ms(); },
                  [](caf::error&) {});  // no answer in time: no beat
      },
  };
}

}  // namespace

caf::actor spawn_heartbeat(caf::actor_system& sys, std::shared_ptr<RuntimeStats> stats, millis every,
                           caf::atom_value target) {
  return sys.spawn(heartbeat_fn, std::move(stats), every, target);
}

}  // namespace arc
