#include "storage/node_store.hpp"

namespace arc {

void upsert_node(Db& db, const NodeRow& r) {
  db.prepare("INSERT INTO cluster_nodes (name, role, address, slots, state, connected_at, last_heartbeat, detail) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET role = excluded.role, "
             "address = excluded.address, slots = excluded.slots, state = excluded.state, "
             "connected_at = excluded.connected_at, last_heartbeat = excluded.last_heartbeat, "
             "detail = excluded.detail")
      .bind(1, r.name)
      .bind(2, r.role)
      .bind(3, r.address)
      .bind(4, static_cast<int64_t>(r.slots))
      .bind(5, r.state)
      .bind(6, r.connected_at)
      .bind(7, r.last_heartbeat)
      .bind(8, r.detail)
      .run();
}

bool touch_node(Db& db, const std::string& name, millis at) {
  db.prepare("UPDATE cluster_nodes SET last_heartbeat = ? WHERE name = ?").bind(1, at).bind(2, name).run();
  return db.changes() > 0;
}

std::vector<NodeRow> list_nodes(Db& db) {
  std::vector<NodeRow> out;
  auto q = db.prepare(
      "SELECT n.name, n.role, n.address, n.slots, n.state, n.connected_at, n.last_heartbeat, n.detail, "
      "(SELECT count(*) FROM tasks INDEXED BY tasks_active WHERE status = 'active' AND "
      " lease_owner = CASE n.role WHEN 'worker' THEN ?1 || n.name ELSE NULL END) "
      "FROM cluster_nodes n ORDER BY n.role = 'worker', n.name");
  q.bind(1, std::string(kWorkerOwnerPrefix));
  while (q.step()) {
    NodeRow r;
    r.name = q.col_text(0);
    r.role = q.col_text(1);
    r.address = q.col_text(2);
    r.slots = static_cast<int>(q.col_int(3));
    r.state = q.col_text(4);
    r.connected_at = q.col_int(5);
    r.last_heartbeat = q.col_int(6);
    r.detail = q.col_text(7);
    r.running = static_cast<int>(q.col_int(8));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace arc
