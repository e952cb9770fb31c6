#include "actors/supervisor.hpp"

#include <spdlog/spdlog.h>

#include <deque>
#include <map>

namespace arc {
namespace {

struct Child {
  ChildSpec spec;
  caf::actor handle;
  std::deque<std::chrono::steady_clock::time_point> restarts;  // within the period
};

struct SupervisorState {
  SupervisorArgs args;
  std::vector<Child> children;
  bool stopping = false;
  static inline const char* name = "supervisor";
};

using self_ptr = caf::stateful_actor<SupervisorState>*;

void start_child(self_ptr self, Child& c) {
  c.handle = c.spec.spawn(self->system());
  self->monitor(c.handle);
  self->system().registry().put(c.spec.registry_name, caf::actor_cast<caf::strong_actor_ptr>(c.handle));
}

void stop_all(self_ptr self) {
  auto& st = self->state;
  st.stopping = true;
  for (auto it = st.children.rbegin(); it != st.children.rend(); ++it) {
    if (!it->handle) continue;
    self->system().registry().erase(it->spec.registry_name);
    self->send_exit(it->handle, caf::exit_reason::user_shutdown);
  }
  bool any = false;
  for (auto& c : st.children) any = any || c.handle;
  if (!any) self->quit();
}

void on_down(self_ptr self, const caf::down_msg& m) {
  auto& st = self->state;
  Child* c = nullptr;
  for (auto& x : st.children)
    if (x.handle && x.handle.address() == m.source) c = &x;
  if (!c) return;
  c->handle = nullptr;
  if (st.stopping) {
    bool any = false;
    for (auto& x : st.children) any = any || x.handle;
    if (!any) self->quit();
    return;
  }
  self->system().registry().erase(c->spec.registry_name);
  auto& pol = st.args.policy;
  auto now = std::chrono::steady_clock::now();
  c->restarts.push_back(now);
  while (!c->restarts.empty() && now - c->restarts.front() > std::chrono::milliseconds(pol.period_ms))
    c->restarts.pop_front();
  int n = static_cast<int>(c->restarts.size());
  if (n > pol.max_restarts) {
    spdlog::critical(
        "supervisor: {} died {} times within {} s (last reason: {}), more than the restart "
        "intensity allows (max_restarts = {}); stopping arcd so that its service manager "
        "restarts it",
        c->spec.name, n, pol.period_ms / 1000, caf::to_string(m.reason), pol.max_restarts);
    st.args.escalated->store(70);  // EX_SOFTWARE
    stop_all(self);
    return;
  }
  millis delay = pol.backoff_min_ms;
  for (int i = 1; i < n && delay < pol.backoff_max_ms; ++i) delay *= 2;
  delay = std::min(delay, pol.backoff_max_ms);
  spdlog::error("supervisor: {} died ({}); restart {}/{} in {} ms", c->spec.name,
                caf::to_string(m.reason), n, pol.max_restarts, delay);
  self->delayed_send(self, std::chrono::milliseconds(delay), restart_atom::value, c->spec.name);
}

caf::behavior supervisor_fn(self_ptr self, SupervisorArgs args) {
  auto& st = self->state;
  st.args = std::move(args);
  for (auto& spec : st.args.children) {
    st.children.push_back(Child{spec, nullptr, {}});
    start_child(self, st.children.back());
  }
  self->set_down_handler([self](caf::down_msg& m) { on_down(self, m); });
  return {
      [self](restart_atom, const std::string& name) {
        if (self->state.stopping) return;
        for (auto& c : self->state.children)
          if (c.spec.name == name && !c.handle) {
            start_child(self, c);
            spdlog::info("supervisor: {} restarted", name);
          }
      },
      [self](shutdown_atom) { stop_all(self); },
      [](ready_atom) { return true; },
  };
}

}  // namespace

caf::actor spawn_supervisor(caf::actor_system& sys, SupervisorArgs args) {
  return sys.spawn(supervisor_fn, std::move(args));
}

}  // namespace arc
