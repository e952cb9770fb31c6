// Works around a defect of Debian's CAF 0.17.6 openssl module: it drains
// OpenSSL's per-thread error queue only inside a log statement, which this
// build compiles out. After one failed TLS handshake (a peer with a wrong
// certificate, a port scanner) the stale error stays in the multiplexer
// thread's queue, and the next SSL_read of *any* healthy connection that
// merely has no data yet is misread as SSL_ERROR_SSL: CAF closes it, and
// every worker of the hub is cut off (found by
// Cluster.PeersWithoutAClusterCertificateAreRefused).
//
// OpenSSL requires the queue to be empty before each I/O call
// (SSL_get_error(3)). These definitions interpose the four calls CAF's
// session makes (the executable's symbols come first in the dynamic lookup)
// and clear the queue before calling OpenSSL's own. Remove this file once
// CAF is a version that clears the queue itself.
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <cstdlib>

namespace {

// OpenSSL's own definition; arcd cannot speak TLS without it.
template <class Fn>
Fn real(const char* name) {
  auto f = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
  if (!f) {
    std::fprintf(stderr, "arcd: %s not found in a shared libssl (dlsym: %s); arcd must link OpenSSL dynamically\n",
                 name, dlerror());
    std::abort();
  }
  return f;
}

}  // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static auto f = real<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return f(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static auto f = real<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return f(ssl, buf, num);
}

int SSL_accept(SSL* ssl) {
  static auto f = real<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return f(ssl);
}

int SSL_connect(SSL* ssl) {
  static auto f = real<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return f(ssl);
}

}  // extern "C"
