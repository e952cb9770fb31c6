#include "actors/runtime.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>

#include "core/file_watch.hpp"
#include "core/version.hpp"

#include "actors/cluster_net.hpp"
#include "actors/dispatcher.hpp"
#include "actors/hub.hpp"
#include "actors/hub_link.hpp"
#include "actors/gate.hpp"
#include "actors/heartbeat.hpp"
#include "actors/sensor.hpp"
#include "actors/triage.hpp"
#include "actors/persistence.hpp"
#include "actors/queue.hpp"
#include "actors/runner_table.hpp"
#include "actors/supervisor.hpp"
#include "actors/tracer.hpp"

namespace arc {
namespace {

caf::atom_value registry_name(const std::string& name) {
  return name == "persistence"  ? persistence_name
         : name == "queue"      ? queue_name
         : name == "gate"       ? gate_name
         : name == "triage"     ? triage_name
         : name == "dispatcher" ? dispatcher_name
         : name == "tracer"     ? tracer_name
                                : caf::atom_from_string(name);  // "sensor0", ...
}

}  // namespace

struct Runtime::Impl {
  std::shared_ptr<const Config> config;
  const Clock& clock;
  std::string incarnation;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor supervisor;
  std::shared_ptr<RunnerTable> runners = std::make_shared<RunnerTable>();
  std::shared_ptr<SensorThreads> sensor_threads = std::make_shared<SensorThreads>();
  std::shared_ptr<std::atomic<int>> escalated = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<RuntimeStats> stats = std::make_shared<RuntimeStats>();
  millis heartbeat_every = 1000;
  caf::actor heartbeat;
  hub_actor hub;            // the published endpoint (role hub)
  std::unique_ptr<FileWatch> watch;  // wakes the dispatcher on others' writes
  uint16_t cluster_port = 0;
  bool stopped = false;

  Impl(std::shared_ptr<const Config> c, const Clock& k, std::string inc)
      : config(std::move(c)), clock(k), incarnation(std::move(inc)) {}
};

namespace {

// Absolute paths: an executor runs in its own folder (the agent's home).
ExecutorEnv executor_env_of(const Config& cfg, const std::string& incarnation) {
  namespace fs = std::filesystem;
  ExecutorEnv env;
  env.incarnation = incarnation;
  std::error_code ec;
  if (cfg.cluster.role != NodeRole::worker) env.database = fs::absolute(cfg.database, ec).string();
  if (!cfg.source_path.empty()) env.config = fs::absolute(cfg.source_path, ec).string();
  // `arc` beside arcd (the build folder, or the install's bin/) comes first on PATH.
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && fs::exists(exe.parent_path() / "arc", ec)) env.bin_dir = exe.parent_path().string();
  return env;
}

}  // namespace

Runtime::Runtime(std::shared_ptr<const Config> config, const Clock& clock, std::string incarnation)
    : impl_(std::make_unique<Impl>(std::move(config), clock, std::move(incarnation))) {
  // Two cores: CAF would start 4 workers by default.
  impl_->cfg.set("scheduler.max-threads", 2);
  // An idle worker thread sleeps on its condition variable (woken at once
  // by new work) instead of polling 100 times a second; and it polls less
  // after each burst. CAF's defaults cost an idle arcd several % of a core.
  impl_->cfg.set("work-stealing.moderate-poll-attempts", 20);
  impl_->cfg.set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::milliseconds(500)});
  if (impl_->config->cluster.role != NodeRole::single) configure_cluster(impl_->cfg, impl_->config->cluster);
}

Runtime::~Runtime() {
  if (impl_->sys && !impl_->stopped) stop(0);
}

namespace {

// ChildSpec's spawn for a typed actor: `spawn(system)` as the untyped handle.
template <class Fn>
ChildSpec child(std::string name, caf::atom_value reg, Fn spawn) {
  return {std::move(name), reg, [spawn](caf::actor_system& s) { return caf::actor_cast<caf::actor>(spawn(s)); }, {}};
}

// The actors that own the database: persistence first, then what uses it.
std::vector<ChildSpec> store_children(const PersistenceArgs& pa, const QueueArgs& qa, const Config& cfg) {
  return {child("persistence", persistence_name, [pa](caf::actor_system& s) { return spawn_persistence(s, pa); }),
          child("queue", queue_name, [qa](caf::actor_system& s) { return spawn_queue(s, qa); }),
          child("gate", gate_name, [gc = cfg.gate](caf::actor_system& s) { return spawn_gate(s, gc); }),
          child("triage", triage_name, [tc = cfg.triage](caf::actor_system& s) { return spawn_triage(s, tc); })};
}

// A worker has no database: its link to the hub stands in for the queue,
// the gate and triage (actors/hub_link.hpp).
ChildSpec hub_link_child(const Config& cfg) {
  HubLinkArgs la;
  la.cluster = cfg.cluster;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  la.hello = NodeHello{cfg.node_name, std::string(host) + ":" + std::to_string(getpid()), cfg.slots,
                       cfg.lease_ms / 3, std::string(version())};
  return child("hub-link", queue_name, [la](caf::actor_system& s) { return spawn_hub_link(s, la); });
}

// One actor per sensor, `before` the dispatcher (or at the end): sensors
// run whatever dispatch does. A worker's sensors record through its link.
void add_sensors(std::vector<ChildSpec>& children, size_t before, const Config& cfg,
                 const std::shared_ptr<SensorThreads>& threads, caf::atom_value store) {
  int index = 0;
  for (auto& [name, sc] : cfg.sensors) {
    children.insert(children.begin() + static_cast<std::ptrdiff_t>(before++),
                    child("sensor " + name, caf::atom_from_string("sensor" + std::to_string(index++)),
                          [sc = sc, threads, store](caf::actor_system& s) { return spawn_sensor(s, sc, threads, store); }));
  }
}

// Each child's own policy: [supervisor.children.NAME], for a sensor also
// [supervisor.children.sensors], else [supervisor].
void set_policies(std::vector<ChildSpec>& children, const Config& cfg) {
  for (auto& c : children) {
    auto& by_name = cfg.supervisor_children;
    std::string key = c.name.rfind("sensor ", 0) == 0 ? "sensor:" + c.name.substr(7) : c.name;
    auto it = by_name.find(key);
    if (it == by_name.end() && key.rfind("sensor:", 0) == 0) it = by_name.find("sensors");
    c.policy = it != by_name.end() ? it->second : cfg.supervisor;
  }
}

PersistenceArgs persistence_args_of(const Config& cfg, const Clock& clock, const std::string& incarnation,
                                    std::shared_ptr<RuntimeStats> stats) {
  PersistenceArgs pa;
  pa.database = cfg.database;
  pa.synchronous = cfg.synchronous;
  pa.busy_timeout_ms = static_cast<int>(cfg.busy_timeout_ms);
  pa.store = StoreOptions{cfg.retry, cfg.claude.self_close_grace_ms, cfg.budget};
  pa.clock = &clock;
  pa.incarnation = incarnation;
  pa.gate = cfg.gate;
  pa.triage = cfg.triage;
  pa.stats = std::move(stats);
  return pa;
}

// The dispatcher learns of other processes' writes (arc, the API) from a
// watch on the database's directory (kept in `watch`), or by polling when
// there is none.
DispatcherArgs dispatcher_args_of(DispatcherArgs da, caf::actor_system* sys, std::unique_ptr<FileWatch>& watch) {
  da.env = executor_env_of(*da.config, da.incarnation);
  if (da.config->cluster.role == NodeRole::worker) {
    da.poll_data_version = false;  // no database here
    return da;
  }
  watch = std::make_unique<FileWatch>(da.config->database, [sys] {
    if (auto d = sys->registry().get(dispatcher_name))
      caf::anon_send(caf::actor_cast<caf::actor>(d), version_atom::value);
  });
  da.poll_data_version = !watch->ok();
  if (da.poll_data_version) spdlog::warn("runtime: cannot watch the database's directory (inotify); polling instead");
  return da;
}

}  // namespace

void Runtime::start() {
  auto& m = *impl_;
  m.sys = std::make_unique<caf::actor_system>(m.cfg);
  const Config& cfg = *m.config;
  NodeRole role = cfg.cluster.role;
  QueueArgs qa;
  qa.incarnation = m.incarnation;
  qa.lease_ms = cfg.lease_ms;
  qa.recent_runs = cfg.agent.recent_runs;
  SupervisorArgs sa;
  sa.policy = cfg.supervisor;
  sa.escalated = m.escalated;
  sa.stats = m.stats;
  TracerArgs ta{cfg.trace, cfg.node_name.empty() ? m.incarnation : cfg.node_name};
  // The tracer first, so that the others' first messages are traced.
  sa.children = {child("tracer", tracer_name, [ta](caf::actor_system& s) { return spawn_tracer(s, ta); })};
  if (role == NodeRole::worker) {
    sa.children.push_back(hub_link_child(cfg));
  } else {
    auto owners = store_children(persistence_args_of(cfg, m.clock, m.incarnation, m.stats), qa, cfg);
    sa.children.insert(sa.children.end(), owners.begin(), owners.end());
  }
  size_t before_dispatcher = sa.children.size();
  // A hub runs tasks itself only with hub_slots (arcd sets slots to it).
  if (cfg.slots > 0) {
    DispatcherArgs da = dispatcher_args_of(DispatcherArgs{m.config, m.incarnation, m.runners}, m.sys.get(), m.watch);
    sa.children.push_back(child("dispatcher", dispatcher_name, [da](caf::actor_system& s) { return spawn_dispatcher(s, da); }));
  }
  add_sensors(sa.children, before_dispatcher, cfg, m.sensor_threads,
              role == NodeRole::worker ? queue_name : persistence_name);
  set_policies(sa.children, cfg);
  m.supervisor = spawn_supervisor(*m.sys, std::move(sa));
  // The supervisor spawns and registers its children before it handles any
  // message: once it answers, the runtime is up.
  caf::scoped_actor self{*m.sys};
  self->request(m.supervisor, std::chrono::seconds(30), ready_atom::value)
      .receive([](bool) {},
               [](caf::error& e) { throw std::runtime_error("supervisor did not start: " + caf::to_string(e)); });
  if (role == NodeRole::hub) publish_hub();
  m.heartbeat = spawn_heartbeat(*m.sys, m.stats, m.heartbeat_every, role == NodeRole::worker ? queue_name : persistence_name);
}

void Runtime::publish_hub() {
  auto& m = *impl_;
  const auto& c = m.config->cluster;
  auto addr = parse_listen(c.listen);
  if (!addr) throw std::runtime_error("cluster: cannot read the hub's listen address \"" + c.listen + "\"; give HOST:PORT");
  HubArgs ha{m.config->node_name, c.listen, m.config->slots, m.config->lease_ms, m.config->agent.recent_runs, m.escalated};
  m.hub = spawn_hub(*m.sys, ha);
  caf::scoped_actor self{*m.sys};
  std::string error;
  // reuse: a restarted hub binds its port again at once.
  self->request(network(*m.sys, c.insecure), std::chrono::seconds(30), caf::publish_atom::value,
                static_cast<uint16_t>(addr->second), caf::actor_cast<caf::strong_actor_ptr>(m.hub),
                m.sys->message_types(m.hub), addr->first, true)
      .receive([&](uint16_t port) { m.cluster_port = port; }, [&](caf::error& e) { error = caf::to_string(e); });
  if (!error.empty())
    throw std::runtime_error("cluster: cannot listen for workers on " + c.listen + ": " + error +
                             " (is another hub on that port?)");
  spdlog::info("cluster: hub listening for workers on {}:{} ({})", addr->first, m.cluster_port,
               c.insecure ? "plain TCP, --insecure: no peer authentication" : "TLS, peers need a cluster CA certificate");
}

uint16_t Runtime::cluster_port() const { return impl_->cluster_port; }

void Runtime::set_heartbeat_interval(millis every) { impl_->heartbeat_every = std::max<millis>(every, 10); }

std::shared_ptr<RuntimeStats> Runtime::stats() const { return impl_->stats; }

void Runtime::stop(millis grace) {
  auto& m = *impl_;
  if (!m.sys || m.stopped) return;
  m.stopped = true;
  m.watch.reset();  // before the actor system it sends to
  caf::anon_send_exit(m.heartbeat, caf::exit_reason::user_shutdown);
  if (m.hub) caf::anon_send_exit(m.hub, caf::exit_reason::user_shutdown);
  {
    caf::scoped_actor self{*m.sys};
    if (auto d = lookup<dispatcher_actor>(*m.sys, dispatcher_name)) {
      // Running tasks get `grace`, then up to their kill grace to die.
      millis max_kill = 0;
      for (auto& [n, s] : m.config->skills) max_kill = std::max(max_kill, s.kill_grace_ms);
      if (m.config->claude.enabled) max_kill = std::max(max_kill, m.config->claude.kill_grace_ms + 10'000);  // + its prompt context
      auto timeout = std::chrono::milliseconds(grace + max_kill + 5'000);
      self->request(d, timeout, drain_atom::value, grace)
          .receive([](int32_t) {},
                   [](caf::error& e) {
                     spdlog::warn("runtime: drain did not complete: {}", caf::to_string(e));
                   });
    }
    self->send(m.supervisor, shutdown_atom::value);
    self->wait_for(m.supervisor);
  }
  // Runs that were still going (a drain that timed out) are stopped; their
  // tasks keep their lease and are recovered by the next start-up.
  m.runners->cancel_all();
  m.runners->wait_threads();
  m.sensor_threads->stop = true;
  m.sensor_threads->wait_all();
  m.sys.reset();
}

int Runtime::escalated() const { return impl_->escalated->load(); }

uint64_t Runtime::child_id(const std::string& name) {
  auto& m = *impl_;
  auto a = m.sys->registry().get(registry_name(name));
  return a ? a->id() : 0;
}

void Runtime::crash_child(const std::string& name) {
  auto& m = *impl_;
  if (auto a = m.sys->registry().get(registry_name(name)))
    caf::anon_send_exit(caf::actor_cast<caf::actor>(a), caf::exit_reason::kill);
}

}  // namespace arc
