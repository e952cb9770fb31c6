// The tracer actor: every 50 ms it drains the events the trace layer
// (actors/trace.hpp) buffered and writes them to the trace file in one
// write, rotating by size. It owns the on/off switch: on at start with `arcd --trace FILE`
// or [trace] enabled, and every second it asks persistence for the "trace"
// setting that `arc trace on|off` writes. If the file cannot be written it
// says so and switches tracing off rather than keep events in memory.
#pragma once
#include "core/config.hpp"
#include "messages/messages.hpp"

namespace arc {

struct TracerArgs {
  TraceConfig config;  // file already resolved (absolute or relative to the cwd)
  std::string node;    // this node's name, written with every event
};

tracer_actor spawn_tracer(caf::actor_system& sys, const TracerArgs& args);

}  // namespace arc
