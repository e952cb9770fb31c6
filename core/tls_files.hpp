// Checks a node's TLS files before CAF's openssl module sees them: that
// module aborts the process on a path it cannot read and silently falls back
// to anonymous TLS when a key is missing (../shared/CAF-0.17-NOTES.md).
#pragma once
#include <string>

namespace arc {

// Throws std::runtime_error naming the file and what to do unless:
// `certificate` is a PEM certificate, `key` the PEM private key that
// matches it, and `cafile` holds at least one PEM CA certificate that
// signed `certificate`.
void check_tls_files(const std::string& certificate, const std::string& key, const std::string& cafile);

// Reads a file once into a sealed in-memory file and returns a path to it
// ("/proc/self/fd/N"), valid for the life of the process. CAF's openssl
// module re-reads its files for every connection and aborts the process if
// one has become unreadable or no longer matches (a certificate rotation
// half done): given pinned copies, it always reads what was checked.
// Throws std::runtime_error naming the file.
std::string pin_file(const std::string& path);

}  // namespace arc
