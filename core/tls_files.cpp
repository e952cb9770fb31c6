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

std::string read_pem(const std::string& path, const char* what) {
  if (path.empty())
    throw std::runtime_error(std::string("cluster: no ") + what +
                             " file given; set [cluster] certificate, key and cafile (docs/cluster.md), "
                             "or pass --insecure for plain TCP");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cluster: cannot read the ") + what + " file " + path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
Bio bio_of(const std::string& bytes) { return Bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())), BIO_free); }

std::runtime_error bad(const std::string& path, const char* what) {
  unsigned long e = ERR_get_error();
  char buf[256] = "no PEM data";
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return std::runtime_error(std::string("cluster: ") + path + " is not a PEM " + what + " (" + buf + ")");
}

// `names` are the files the PEM texts came from, for the messages.
void check_pem(const TlsFiles& pem, const TlsFiles& names) {
  auto cb = bio_of(pem.certificate);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) throw bad(names.certificate, "certificate");
  auto kb = bio_of(pem.key);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr),
                                                           EVP_PKEY_free);
  if (!pkey) throw bad(names.key, "private key (without a passphrase)");
  if (X509_check_private_key(cert.get(), pkey.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("cluster: the key " + names.key + " does not belong to the certificate " +
                             names.certificate);
  }
  auto ab = bio_of(pem.cafile);
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  int cas = 0;
  while (X509* ca = PEM_read_bio_X509(ab.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store.get(), ca);
    X509_free(ca);
    ++cas;
  }
  ERR_clear_error();  // the end of the text reads as an error
  if (cas == 0) throw bad(names.cafile, "CA certificate");
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr);
  if (X509_verify_cert(ctx.get()) != 1)
    throw std::runtime_error("cluster: the certificate " + names.certificate + " is not signed by the CA in " +
                             names.cafile + " (" + X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())) +
                             "); every node's certificate must come from the cluster CA");
}

// A sealed in-memory file holding `bytes`: "/proc/self/fd/N", open until exit.
std::string pin(const std::string& bytes, const std::string& from) {
  int fd = memfd_create("arc-tls", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) throw std::runtime_error(std::string("cluster: memfd_create: ") + std::strerror(errno));
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      throw std::runtime_error("cluster: cannot copy " + from + " into memory: " + std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace

TlsFiles load_tls_files(const TlsFiles& files) {
  TlsFiles pem{read_pem(files.certificate, "certificate"), read_pem(files.key, "key"),
               read_pem(files.cafile, "CA")};
  check_pem(pem, files);
  return {pin(pem.certificate, files.certificate), pin(pem.key, files.key), pin(pem.cafile, files.cafile)};
}

}  // namespace arc
