// Finds executor processes left behind by a dead arcd. Every executor is
// started with ARC_INCARNATION=<id of the arcd that started it> in its
// environment, which its children inherit; after a kill -9 the next arcd
// looks for that marker in /proc to kill the stragglers before it requeues
// their tasks, so that no task runs twice at the same time.
#pragma once
#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

namespace arc {

inline constexpr const char* kIncarnationEnv = "ARC_INCARNATION";

// A fresh, unique id for an arcd run: "<node>-<pid>-<random hex>". It is
// the lease owner of a single node's claims and the ARC_INCARNATION of its
// executors; dead_incarnations_of() reads it back.
std::string make_incarnation_id(const std::string& node_name);

// Process group ids of live processes whose environment holds
// ARC_INCARNATION=<one of incarnations>. Never includes arcd's own group.
std::vector<pid_t> find_executor_groups(const std::set<std::string>& incarnations);

// ARC_INCARNATION values, among live processes, of earlier runs of the node
// `node` ("<node>-<pid>-<hex>", make_incarnation_id) whose arcd is gone: what
// a cluster worker killed with -9 left running (the children of a shell
// executor; PDEATHSIG reaches only the executor itself). A worker has no
// database to find them by their leases.
std::set<std::string> dead_incarnations_of(const std::string& node);

// True while the process group has a member that is not a zombie. (kill(-g, 0)
// also succeeds for zombies, which may wait a while for their reaper.)
bool process_group_alive(pid_t pgid);

}  // namespace arc
