// The gate actor: the dispatcher asks it before every claim and tells it
// every outcome. Its state is the gate row (storage/gate_store.hpp): it
// re-reads it every second, so `arc dispatch pause` from another process
// takes effect within a second, and after a restart nothing is lost. A
// rate-limit stop resumes by itself at its reset time (a timer set for that
// moment), after resume preparation. Every stop and resume runs the
// configured notify command in the background.
#pragma once
#include "core/gate.hpp"
#include "messages/messages.hpp"

namespace arc {

gate_actor spawn_gate(caf::actor_system& sys, const GateConfig& cfg);

}  // namespace arc
