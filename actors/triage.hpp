// The triage actor: asks persistence to run a triage scan
// (storage/triage.hpp) every cadence, and at once when `burst` failures
// arrived since the last scan, so that an outage is recognised while it
// happens. It keeps no state: the cursor and the patterns are in the database.
#pragma once
#include "core/config.hpp"
#include "messages/messages.hpp"

namespace arc {

triage_actor spawn_triage(caf::actor_system& sys, const TriageConfig& cfg);

}  // namespace arc
