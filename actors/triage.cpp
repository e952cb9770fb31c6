#include "actors/triage.hpp"

#include <spdlog/spdlog.h>

namespace arc {
namespace {

struct TriageState {
  TriageConfig cfg;
  int failures_since_scan = 0;
  bool scanning = false;
  static inline const char* name = "triage";
};

using self_ptr = triage_actor::stateful_pointer<TriageState>;

void scan(self_ptr self) {
  auto& st = self->state;
  auto p = lookup<persistence_actor>(self->system(), persistence_name);
  if (st.scanning || !p) return;
  st.scanning = true;
  st.failures_since_scan = 0;
  // A scan over a long history may take a while: a generous timeout.
  self->request(p, std::chrono::minutes(5), triage_atom::value)
      .then(
          [self](TriageReport& r) {
            self->state.scanning = false;
            if (r.more) self->send(self, tick_atom::value);  // a long history: the next chunk
            if (r.tagged || r.classified || r.incidents_opened || r.incidents_closed || r.investigations)
              spdlog::info("triage: {} failures: {} in outage incidents, {} classified; incidents "
                           "opened {}, closed {}; investigations created {}",
                           r.scanned, r.tagged, r.classified, r.incidents_opened, r.incidents_closed,
                           r.investigations);
          },
          [self](caf::error& e) {
            self->state.scanning = false;
            spdlog::warn("triage: scan failed: {}", caf::to_string(e));
          });
}

triage_actor::behavior_type triage_fn(self_ptr self, TriageConfig cfg) {
  self->state.cfg = std::move(cfg);
  self->send(self, poll_atom::value);
  return {
      [self](tick_atom) { scan(self); },
      [self](poll_atom) {
        self->delayed_send(self, std::chrono::milliseconds(self->state.cfg.cadence_ms), poll_atom::value);
        scan(self);
      },
      [self](failed_atom) {
        if (++self->state.failures_since_scan >= self->state.cfg.burst) scan(self);
      },
  };
}

}  // namespace

triage_actor spawn_triage(caf::actor_system& sys, const TriageConfig& cfg) { return sys.spawn(triage_fn, cfg); }

}  // namespace arc
