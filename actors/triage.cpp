#include "actors/triage.hpp"

#include "actors/crash_reply.hpp"

#include <spdlog/spdlog.h>

#include "actors/trace.hpp"
#include "core/fault.hpp"

namespace arc {
namespace {

struct TriageState {
  TriageConfig cfg;
  int failures_since_scan = 0;
  bool scanning = false;
  TraceCtx last_failure;  // the latest failure told: the cause of a scan it leads to
  static inline const char* name = "triage";
};

using self_ptr = triage_actor::stateful_pointer<TriageState>;

// `cause`: the failure that triggered the scan (none for the cadence).
void scan(self_ptr self, const TraceCtx& cause = {}) {
  auto& st = self->state;
  auto p = lookup<persistence_actor>(self->system(), persistence_name);
  if (st.scanning || !p) return;
  st.scanning = true;
  st.failures_since_scan = 0;
  // A scan over a long history may take a while: a generous timeout.
  auto tc = trace::send(cause, "triage", "persistence", "triage", 0);
  self->request(p, std::chrono::minutes(5), triage_atom::value, tc)
      .then(
          [self](TriageReport& r) {
            auto& st = self->state;
            st.scanning = false;
            if (r.more) self->send(self, scan_atom::value);  // a long history: the next chunk
            // Failures told during the scan may not be in it: scan again.
            else if (st.failures_since_scan >= st.cfg.burst) scan(self, st.last_failure);
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
  answer_requests_on_crash(self, "triage");
  self->state.cfg = std::move(cfg);
  self->send(self, poll_atom::value);
  return {
      [self](scan_atom) { scan(self); },
      [self](poll_atom) {
        self->delayed_send(self, std::chrono::milliseconds(self->state.cfg.cadence_ms), poll_atom::value);
        scan(self);
      },
      [self](failed_atom, TraceCtx tc) {
        trace::recv(tc, "triage", "failed");
        fault::crash_point("actor.triage");
        self->state.last_failure = tc;
        if (++self->state.failures_since_scan >= self->state.cfg.burst) scan(self, tc);  // (later if one runs)
      },
  };
}

}  // namespace

triage_actor spawn_triage(caf::actor_system& sys, const TriageConfig& cfg) { return sys.spawn(triage_fn, cfg); }

}  // namespace arc
