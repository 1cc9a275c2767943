#include "edge/server/certificate_coverage.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <strings.h>

#include <cstdio>
#include <memory>

namespace relais {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
struct NamesFree {
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};

// The leaf: the first certificate of the PEM file, or null.
std::unique_ptr<X509, X509Free> read_leaf(const std::string& file) {
  std::unique_ptr<std::FILE, FileClose> f(std::fopen(file.c_str(), "r"));
  if (!f) return nullptr;
  return std::unique_ptr<X509, X509Free>(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
}

// A SAN DNS name equal to `pattern` ("*.ent.example"), case ignored.
bool has_san_dns(X509* cert, const std::string& pattern) {
  std::unique_ptr<GENERAL_NAMES, NamesFree> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
    if (n->type != GEN_DNS) continue;
    const auto* data = reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName));
    const auto size = static_cast<std::size_t>(ASN1_STRING_length(n->d.dNSName));
    if (size == pattern.size() && ::strncasecmp(data, pattern.data(), size) == 0) return true;
  }
  return false;
}

bool covers(X509* cert, const std::string& host) {
  if (host.starts_with("*.")) return has_san_dns(cert, host);
  constexpr unsigned kFlags = X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
  return X509_check_host(cert, host.data(), host.size(), kFlags, nullptr) == 1;
}

}  // namespace

std::vector<std::string> certificate_coverage_warnings(const EdgeConfig& c) {
  std::vector<std::string> warnings;
  for (const SiteConfig& site : c.sites) {
    if (site.tls_cert.empty()) continue;
    auto leaf = read_leaf(site.tls_cert);
    if (!leaf) continue;
    for (const std::string& host : site.hosts) {
      if (!covers(leaf.get(), host))
        warnings.push_back("warning: --site." + site.name + ".hosts: '" + host + "' is not among the subjectAltName names of " +
                           site.tls_cert + " (--site." + site.name + ".tls-cert): HTTPS clients of that name will refuse it");
    }
  }
  return warnings;
}

}  // namespace relais
