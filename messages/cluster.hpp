// The messages that cross nodes in multi-node mode (docs/cluster.md): the
// hub publishes one `hub_actor`; each worker runs one `link_actor` that
// its dispatcher uses as its queue, gate and triage, and that relays to the
// hub. Every type here is announced on both sides under the same name
// (actors/cluster_net.hpp) before the actor system starts.
#pragma once
#include "messages/messages.hpp"

namespace arc {

// What a worker says when it (re)connects.
struct NodeHello {
  std::string name;        // unique in the cluster; its claims are leased to "worker:NAME"
  std::string address;     // host:pid, for `arc nodes`
  int32_t slots = 0;
  millis renew_every_ms = 0;  // how often its dispatcher renews leases
  std::string version;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, NodeHello& x) {
  return f(caf::meta::type_name("node_hello"), x.name, x.address, x.slots, x.renew_every_ms, x.version);
}

// The hub's endpoint. Every request names the worker; one that has not
// said hello on this connection is refused (it reconnects and says it).
using hub_actor = caf::typed_actor<
    caf::replies_to<hello_atom, NodeHello>::with<millis>,  // -> the hub's lease length
    caf::replies_to<ping_atom, std::string>::with<bool>,   // a worker's heartbeat
    caf::replies_to<claim_atom, std::string, int32_t, TraceCtx>::with<TaskList>,
    caf::replies_to<finish_atom, std::string, TaskOutcome, TraceCtx>::with<FinishResult>,
    caf::replies_to<renew_atom, std::string, IdList>::with<IdList>,
    caf::replies_to<requeue_atom, std::string, int64_t, std::string, TraceCtx>::with<bool>,
    caf::replies_to<release_atom, std::string, IdList>::with<int32_t>,
    caf::replies_to<context_atom, std::string, int64_t>::with<PromptContext>,
    caf::replies_to<may_claim_atom, std::string, TraceCtx>::with<bool>,
    caf::reacts_to<outcome_atom, std::string, RunOutcome, std::string, TraceCtx>,  // node, how it ended, why
    caf::reacts_to<failed_atom, std::string, TraceCtx>,
    caf::replies_to<sensor_atom, std::string, std::string>::with<SensorRow>,  // node, sensor name
    caf::replies_to<sensor_atom, std::string, SensorRun, TraceCtx>::with<SensorRunSummary>,
    caf::reacts_to<beat_atom>>;  // now and then: the hub's own row is alive

// A worker's link to the hub: the queue's, the gate's and triage's messages
// that its dispatcher sends, and persistence's that its sensors send,
// relayed with the worker's name. While it is cut
// off the gate's answer is no and the rest fail at once.
using link_actor = caf::typed_actor<
    caf::replies_to<claim_atom, int32_t, TraceCtx>::with<TaskList>,
    caf::replies_to<finish_atom, TaskOutcome, TraceCtx>::with<FinishResult>,
    caf::replies_to<renew_atom, IdList>::with<IdList>,
    caf::replies_to<requeue_atom, int64_t, std::string, TraceCtx>::with<bool>,
    caf::replies_to<release_atom, IdList>::with<int32_t>,
    caf::replies_to<context_atom, int64_t>::with<PromptContext>,
    caf::replies_to<may_claim_atom, TraceCtx>::with<bool>,
    caf::reacts_to<outcome_atom, RunOutcome, std::string, TraceCtx>,
    caf::reacts_to<failed_atom, TraceCtx>,
    caf::replies_to<sensor_atom, std::string>::with<SensorRow>,  // the worker's sensors, as persistence's
    caf::replies_to<sensor_atom, SensorRun, TraceCtx>::with<SensorRunSummary>,
    caf::replies_to<stats_atom>::with<int64_t, int64_t>,  // the heartbeat's question: connected?, hellos
    caf::reacts_to<connect_atom>,  // connect now
    caf::reacts_to<ping_atom>>;   // every second: heartbeat to the hub

}  // namespace arc
