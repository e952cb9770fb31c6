// The runtime's messages: atoms, the inspect overloads that make the plain
// structs of core/ and messages/payloads.hpp CAF message types, and the typed interfaces
// of the actors. No logic lives here.
#pragma once
#include <caf/all.hpp>

#include "core/prompt.hpp"
#include "messages/payloads.hpp"

namespace arc {

// ---- atoms (at most 10 characters) ------------------------------------
using create_atom = caf::atom_constant<caf::atom("create")>;
using claim_atom = caf::atom_constant<caf::atom("claim")>;
using finish_atom = caf::atom_constant<caf::atom("finish")>;
using renew_atom = caf::atom_constant<caf::atom("renew")>;
using requeue_atom = caf::atom_constant<caf::atom("requeue")>;
using reap_atom = caf::atom_constant<caf::atom("reap")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
// Timers and wake-ups, one atom per meaning:
using housekeep_atom = caf::atom_constant<caf::atom("housekeep")>;  // queue: recover leases, expire
using reread_atom = caf::atom_constant<caf::atom("reread")>;        // gate: read the gate row now
using scan_atom = caf::atom_constant<caf::atom("scan")>;            // triage: scan the failures now
using due_atom = caf::atom_constant<caf::atom("due")>;              // a sensor: its next run is due
using beat_atom = caf::atom_constant<caf::atom("beat")>;            // write / ask for a heartbeat
using connect_atom = caf::atom_constant<caf::atom("connect")>;      // hub link: connect to the hub
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using exec_done_atom = caf::atom_constant<caf::atom("execdone")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using restart_atom = caf::atom_constant<caf::atom("restart")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using gate_atom = caf::atom_constant<caf::atom("gate")>;
using may_claim_atom = caf::atom_constant<caf::atom("mayclaim")>;
using outcome_atom = caf::atom_constant<caf::atom("outcome")>;
using triage_atom = caf::atom_constant<caf::atom("triage")>;
using failed_atom = caf::atom_constant<caf::atom("failed")>;
using sensor_atom = caf::atom_constant<caf::atom("sensor")>;
using version_atom = caf::atom_constant<caf::atom("dataver")>;
using sensor_done_atom = caf::atom_constant<caf::atom("sensordone")>;
using setting_atom = caf::atom_constant<caf::atom("setting")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using hello_atom = caf::atom_constant<caf::atom("hello")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using node_atom = caf::atom_constant<caf::atom("node")>;
using context_atom = caf::atom_constant<caf::atom("context")>;  // what a task's prompt shows of the database

// Names under which the supervisor registers its children (system registry):
// a restarted child gets a new address, so peers look each other up by name.
inline constexpr caf::atom_value persistence_name = caf::atom("persist");
inline constexpr caf::atom_value queue_name = caf::atom("queue");
inline constexpr caf::atom_value dispatcher_name = caf::atom("dispatch");
inline constexpr caf::atom_value gate_name = caf::atom("gate");
inline constexpr caf::atom_value triage_name = caf::atom("triage");
inline constexpr caf::atom_value tracer_name = caf::atom("tracer");


// ---- inspect overloads ---------------------------------------------------
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, TraceCtx& x) {
  return f(caf::meta::type_name("trace_ctx"), x.id, x.corr, x.task);
}


template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, TaskSpec& x) {
  return f(caf::meta::type_name("task_spec"), x.subject, x.description, x.priority, x.skills,
           x.source, x.parent_id, x.model, x.locks, x.scheduled_for, x.expires_at, x.max_attempts);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Task& x) {
  return f(caf::meta::type_name("task"), x.id, x.subject, x.description, x.priority, x.status,
           x.source, x.skills, x.parent_id, x.model, x.locks, x.scheduled_for, x.expires_at,
           x.attempts, x.max_attempts, x.lease_owner, x.lease_expires_at, x.lease_epoch, x.created_at,
           x.started_at, x.finished_at, x.summary, x.failure_class, x.cost_usd, x.api_cost_usd,
           x.tokens_in, x.tokens_out, x.duration_ms, x.incident_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, CreateResult& x) {
  return f(caf::meta::type_name("create_result"), x.id, x.created);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ExecOutcome& x) {
  return f(caf::meta::type_name("exec_outcome"), x.failure_class, x.retryable, x.systemic,
           x.summary, x.stop_reason, x.cost_usd, x.api_cost_usd, x.tokens_in, x.tokens_out,
           x.cache_read_tokens, x.cache_write_tokens, x.turns, x.model, x.rate_limit);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, TaskOutcome& x) {
  return f(caf::meta::type_name("task_outcome"), x.id, x.owner, x.result, x.duration_ms, x.epoch, x.run);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, FinishResult& x) {
  return f(caf::meta::type_name("finish_result"), x.kind, x.status, x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, FinishAndClaim& x) {
  return f(caf::meta::type_name("finish_and_claim"), x.results, x.claimed, x.claim_error, x.gate_open);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, RunInfo& x) {
  return f(caf::meta::type_name("run_info"), x.started_at, x.executor, x.model, x.skills);
}


template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ExecDone& x) {
  return f(caf::meta::type_name("exec_done"), x.task_id, x.cancelled, x.duration_ms, x.outcome, x.trace, x.run);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, GateCommand& x) {
  return f(caf::meta::type_name("gate_command"), x.op, x.outcome, x.text);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, GateState& x) {
  return f(caf::meta::type_name("gate_state"), x.state, x.reason, x.error_class, x.since,
           x.resume_at, x.consecutive_failures);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, GateChange& x) {
  return f(caf::meta::type_name("gate_change"), x.changed, x.from, x.to, x.why, x.stopped_for_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, GateResult& x) {
  return f(caf::meta::type_name("gate_result"), x.state, x.change, x.expired);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, TriageReport& x) {
  return f(caf::meta::type_name("triage_report"), x.scanned, x.tagged, x.classified,
           x.incidents_opened, x.incidents_closed, x.investigations, x.more);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, SensorRow& x) {
  return f(caf::meta::type_name("sensor_row"), x.name, x.last_run_at, x.next_run_at, x.last_result, x.streak,
           x.runs, x.failures, x.deduplicated, x.paused_until, x.paused_reason);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, SensorRun& x) {
  return f(caf::meta::type_name("sensor_run"), x.name, x.kind, x.ok, x.result, x.specs, x.malformed,
           x.next_run_at, x.paused_until, x.failure_threshold, x.gate_stopped_alert_ms, x.queue_depth_alert,
           x.disk_free_percent_alert);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, NodeRow& x) {
  return f(caf::meta::type_name("node_row"), x.name, x.role, x.address, x.slots, x.state, x.connected_at,
           x.last_heartbeat, x.detail, x.running);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, SensorRunSummary& x) {
  return f(caf::meta::type_name("sensor_run_summary"), x.created, x.deduplicated, x.expired, x.streak,
           x.created_ids);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, PromptParent& x) {
  return f(caf::meta::type_name("prompt_parent"), x.id, x.subject, x.status);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, PromptRun& x) {
  return f(caf::meta::type_name("prompt_run"), x.task_id, x.started_at, x.duration_ms, x.cost_usd, x.outcome, x.subject);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, PromptContext& x) {
  return f(caf::meta::type_name("prompt_context"), x.parents, x.recent_runs);
}

// ---- typed interfaces ----------------------------------------------------
using TaskList = std::vector<Task>;
using IdList = std::vector<int64_t>;
using OutcomeList = std::vector<TaskOutcome>;
using TraceList = std::vector<TraceCtx>;  // one per outcome of an OutcomeList

// Owns the SQLite connection; runs every request of a batch in one
// transaction and replies after COMMIT.
using persistence_actor = caf::typed_actor<
    caf::replies_to<create_atom, TaskSpec, std::string, TraceCtx>::with<CreateResult>,
    caf::replies_to<claim_atom, std::string, int32_t, millis, TraceCtx>::with<TaskList>,
    caf::replies_to<finish_atom, TaskOutcome, TraceCtx>::with<FinishResult>,
    // Finishes and the next claim in one transaction (storage/dispatch_ops.hpp): max, lease.
    caf::replies_to<finish_atom, OutcomeList, int32_t, millis, TraceList>::with<FinishAndClaim>,
    caf::replies_to<renew_atom, std::string, IdList, millis>::with<IdList>,
    caf::replies_to<requeue_atom, int64_t, std::string, std::string, TraceCtx>::with<bool>,
    caf::replies_to<reap_atom, std::string>::with<int32_t>,
    caf::replies_to<stats_atom>::with<int64_t, int64_t>,  // transactions, requests so far
    caf::replies_to<version_atom>::with<int64_t>,  // PRAGMA data_version: changes when another process commits
    caf::replies_to<gate_atom, GateCommand>::with<GateResult>,
    caf::replies_to<triage_atom, TraceCtx>::with<TriageReport>,
    caf::replies_to<sensor_atom, std::string>::with<SensorRow>,
    caf::replies_to<sensor_atom, SensorRun, TraceCtx>::with<SensorRunSummary>,
    caf::replies_to<setting_atom, std::string>::with<std::string, millis>,  // value, updated_at (storage/settings.hpp)
    caf::replies_to<release_atom, std::string, IdList>::with<int32_t>,  // TaskStore::release_unheld
    caf::replies_to<node_atom, NodeRow>::with<bool>,       // upsert_node (storage/node_store.hpp)
    caf::replies_to<ping_atom, std::string>::with<bool>,   // touch_node: a worker's heartbeat
    caf::replies_to<context_atom, int64_t, int32_t>::with<PromptContext>,  // task, recent runs (storage/runs.hpp)
    caf::reacts_to<flush_atom>>;

// Hands out ready tasks under leases and records outcomes.
using queue_actor = caf::typed_actor<
    caf::replies_to<claim_atom, int32_t, TraceCtx>::with<TaskList>,
    caf::replies_to<finish_atom, TaskOutcome, TraceCtx>::with<FinishResult>,
    caf::replies_to<finish_atom, OutcomeList, int32_t, TraceList>::with<FinishAndClaim>,  // and claim up to N
    caf::replies_to<renew_atom, IdList>::with<IdList>,
    caf::replies_to<requeue_atom, int64_t, std::string, TraceCtx>::with<bool>,
    caf::replies_to<release_atom, IdList>::with<int32_t>,  // our claims not running: requeue them
    caf::replies_to<context_atom, int64_t>::with<PromptContext>,  // a claimed task's parents and the recent runs
    caf::reacts_to<housekeep_atom>>;  // recover expired leases, expire stale tasks

// The dispatch gate: asked before every claim, told every outcome.
using gate_actor = caf::typed_actor<
    caf::replies_to<may_claim_atom, TraceCtx>::with<bool>,
    caf::reacts_to<outcome_atom, RunOutcome, std::string, TraceCtx>,  // how it ended (gate_word), stop reason / summary: recorded, re-read the row
    caf::reacts_to<reread_atom>,  // re-read the gate row now (and resume if due)
    caf::reacts_to<poll_atom>>;  // the same, every second (sees `arc dispatch …`)

// The failure-triage analyser: scans on a cadence and after bursts of failures.
using triage_actor = caf::typed_actor<
    caf::reacts_to<scan_atom>,     // scan now
    caf::reacts_to<poll_atom>,     // the cadence
    caf::reacts_to<failed_atom, TraceCtx>>;  // a task failed (the dispatcher tells)

// One sensor: runs on its cadence, whatever dispatch does.
using sensor_actor = caf::typed_actor<
    caf::reacts_to<poll_atom>,                   // every second: due? paused? asked to run now?
    caf::reacts_to<due_atom>,                    // the same, at the time of the next run
    caf::reacts_to<sensor_done_atom, SensorRun>>;  // a run finished (from its thread)

// Runs claimed tasks in N slots.
using dispatcher_actor = caf::typed_actor<
    caf::reacts_to<claim_atom>,  // claim now if a slot is free
    caf::reacts_to<poll_atom>,   // periodic claim (tasks added by other processes)
    caf::reacts_to<version_atom>,  // every few ms while idle: did another process write?
    caf::reacts_to<renew_atom>,  // periodic lease renewal
    caf::reacts_to<release_atom>,  // requeue our claims that are not running (answers lost in a crash)
    caf::reacts_to<exec_done_atom, ExecDone>,
    caf::replies_to<drain_atom, millis>::with<int32_t>,  // graceful stop; replies when idle
    caf::reacts_to<drain_atom>>;                         // the drain's grace period is over

// Writes trace events to the trace file in batches (actors/tracer.hpp).
using tracer_actor = caf::typed_actor<
    caf::reacts_to<flush_atom>,   // every 50 ms while on: write what the trace layer buffered
    caf::reacts_to<poll_atom>>;   // every second: did `arc trace on|off` change the switch?

// Looks up a registered child by name; an invalid handle if it is not up.
template <class Handle>
Handle lookup(caf::actor_system& sys, caf::atom_value name) {
  return caf::actor_cast<Handle>(sys.registry().get(name));
}

}  // namespace arc
