#include "actors/cluster_net.hpp"

#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

namespace arc {

void configure_cluster(caf::actor_system_config& cfg, const ClusterConfig& c) {
  cfg.load<caf::io::middleman>();
  // CAF's own heartbeats: a connection that went silent (a partition, a
  // frozen peer, a half-open socket) is closed after 10 s, so both sides get
  // their down message and the worker reconnects. Off by default in CAF.
  cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds(1)});
  cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(10)});
  if (!c.insecure) {
    cfg.load<caf::openssl::manager>();
    cfg.set("openssl.certificate", c.certificate);
    cfg.set("openssl.key", c.key);
    cfg.set("openssl.cafile", c.cafile);
  }
  // The same names on every node: a type's name is what goes on the wire.
  cfg.add_message_type<TraceCtx>("trace_ctx");
  cfg.add_message_type<Task>("task");
  cfg.add_message_type<TaskList>("std::vector<task>");
  cfg.add_message_type<IdList>("std::vector<int64_t>");
  cfg.add_message_type<ExecOutcome>("exec_outcome");
  cfg.add_message_type<TaskOutcome>("task_outcome");
  cfg.add_message_type<FinishResult>("finish_result");
  cfg.add_message_type<FinishAndClaim>("finish_and_claim");
  cfg.add_message_type<RunOutcome>("run_outcome");
  cfg.add_message_type<NodeHello>("node_hello");
  cfg.add_message_type<SensorRow>("sensor_row");
  cfg.add_message_type<SensorRun>("sensor_run");
  cfg.add_message_type<SensorRunSummary>("sensor_run_summary");
  cfg.add_message_type<PromptContext>("prompt_context");
  cfg.add_message_type<PromptParent>("prompt_parent");
  cfg.add_message_type<PromptRun>("prompt_run");
  cfg.add_message_type<std::vector<PromptParent>>("std::vector<prompt_parent>");
  cfg.add_message_type<std::vector<PromptRun>>("std::vector<prompt_run>");
}

caf::io::middleman_actor network(caf::actor_system& sys, bool insecure) {
  return insecure ? sys.middleman().actor_handle() : sys.openssl_manager().actor_handle();
}

}  // namespace arc
