// Checks a node's TLS files before CAF's openssl module sees them: that
// module aborts the process on a path it cannot read and silently falls back
// to anonymous TLS when a key is missing (../shared/CAF-0.17-NOTES.md).
#pragma once
#include <string>

namespace arc {

struct TlsFiles {
  std::string certificate, key, cafile;
};

// Reads each file once and checks that `certificate` is a PEM certificate,
// `key` the PEM private key (no passphrase) that matches it, and `cafile`
// holds at least one PEM CA certificate that signed `certificate`; throws
// std::runtime_error naming the file and what to do otherwise. Returns paths
// ("/proc/self/fd/N", valid until exit) of sealed in-memory copies of what
// was checked: CAF's openssl module re-reads its files for every connection
// and aborts the process if one has become unreadable or no longer matches
// (a certificate rotation half done), so it is given these.
TlsFiles load_tls_files(const TlsFiles& files);

}  // namespace arc
