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

}  // namespace arc
