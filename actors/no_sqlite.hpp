// Force-included into every file of arc_actors (CMakeLists.txt): the actors
// and the messages they exchange know nothing of SQLite. Only storage/ speaks
// SQL; the persistence actor calls storage/ functions and holds a Db, whose
// header forward-declares the handles. A file of arc_actors that includes
// <sqlite3.h>, directly or through another header, fails to compile here
// with "attempt to use poisoned sqlite3_...": move what it needs into
// storage/ (or a payload struct into messages/payloads.hpp).
#pragma once
#pragma GCC poison sqlite3_open_v2 sqlite3_prepare_v2 sqlite3_step sqlite3_exec
