#include "core/tls_files.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

namespace arc {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

File open_pem(const std::string& path, const char* what) {
  if (path.empty())
    throw std::runtime_error(std::string("cluster: no ") + what +
                             " file given; set [cluster] certificate, key and cafile (docs/cluster.md), "
                             "or pass --insecure for plain TCP");
  File f(fopen(path.c_str(), "r"));
  if (!f) throw std::runtime_error(std::string("cluster: cannot read the ") + what + " file " + path);
  return f;
}

std::runtime_error bad(const std::string& path, const char* what) {
  unsigned long e = ERR_get_error();
  char buf[256] = "no PEM data";
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return std::runtime_error(std::string("cluster: ") + path + " is not a PEM " + what + " (" + buf + ")");
}

}  // namespace

void check_tls_files(const std::string& certificate, const std::string& key, const std::string& cafile) {
  auto cf = open_pem(certificate, "certificate");
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_X509(cf.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) throw bad(certificate, "certificate");
  auto kf = open_pem(key, "key");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(PEM_read_PrivateKey(kf.get(), nullptr, nullptr, nullptr),
                                                           EVP_PKEY_free);
  if (!pkey) throw bad(key, "private key (without a passphrase)");
  if (X509_check_private_key(cert.get(), pkey.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("cluster: the key " + key + " does not belong to the certificate " + certificate);
  }
  auto af = open_pem(cafile, "CA");
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  int cas = 0;
  while (X509* ca = PEM_read_X509(af.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store.get(), ca);
    X509_free(ca);
    ++cas;
  }
  ERR_clear_error();  // the end of the file reads as an error
  if (cas == 0) throw bad(cafile, "CA certificate");
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr);
  if (X509_verify_cert(ctx.get()) != 1)
    throw std::runtime_error("cluster: the certificate " + certificate + " is not signed by the CA in " + cafile +
                             " (" + X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())) +
                             "); every node's certificate must come from the cluster CA");
}

std::string pin_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cluster: cannot read " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  int fd = memfd_create("arc-tls", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) throw std::runtime_error(std::string("cluster: memfd_create: ") + std::strerror(errno));
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      throw std::runtime_error("cluster: cannot copy " + path + " into memory: " + std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  return "/proc/self/fd/" + std::to_string(fd);  // kept open until exit
}

}  // namespace arc
