#include "edge/server/tls_service.h"

#include <ctime>

namespace relais {
namespace {

TlsSettings tls_settings_from(const EdgeConfig& c) {
  TlsSettings s;
  s.default_cert = {"", c.tls_cert, c.tls_key, "", ""};
  // Each site's certificate for each of its names (SNI picks it); the
  // default site's is also the one for a client that sends no SNI.
  for (const SiteConfig& site : c.sites) {
    if (site.tls_cert.empty() || site.retired) continue;
    const std::string prefix = "--site." + site.name + ".";
    const TlsCertificateFiles files{"", site.tls_cert, site.tls_key, prefix + "tls-cert", prefix + "tls-key"};
    if (site.name == c.default_site) s.default_cert = files;
    for (const std::string& host : site.hosts) {
      s.sni.push_back(files);
      s.sni.back().host = host;
    }
  }
  for (const std::string& entry : c.tls_sni_certs) {
    // Checked by the option parser: HOST=CERTFILE:KEYFILE (the key after the last ':').
    auto eq = entry.find('=');
    auto colon = entry.rfind(':');
    s.sni.push_back({entry.substr(0, eq), entry.substr(eq + 1, colon - eq - 1), entry.substr(colon + 1), "", ""});
  }
  if (!c.tls_ciphers.empty()) s.ciphers = c.tls_ciphers;
  if (!c.tls_ciphersuites.empty()) s.ciphersuites = c.tls_ciphersuites;
  s.ocsp_response = c.tls_ocsp_response;
  s.session_tickets = c.tls_session_tickets;
  s.http2 = c.http2;
  return s;
}

}  // namespace

Result<std::unique_ptr<TlsService>> make_tls_service(const EdgeConfig& c) {
  if (c.tls_listen.empty()) return std::unique_ptr<TlsService>();
  auto service = std::make_unique<TlsService>();
  service->settings = tls_settings_from(c);
  const std::int64_t now = std::time(nullptr);
  service->tickets = std::make_unique<TicketKeyRing>(static_cast<std::int64_t>(c.tls_ticket_rotation_ms / 1000), now);
  auto ctx = build_tls_context(service->settings, *service->tickets, now);
  if (!ctx.ok()) return ctx.error();
  service->holder.publish(std::move(ctx.value()));
  return service;
}

Status reload_tls_service(TlsService& service, const EdgeConfig& config) {
  TlsSettings settings = tls_settings_from(config);
  settings.session_tickets = service.settings.session_tickets;  // the ticket ring was made for it
  settings.http2 = service.settings.http2;  // a restart-only option: the workers' sessions were sized for it
  auto ctx = build_tls_context(settings, *service.tickets, std::time(nullptr));
  if (!ctx.ok()) return Error::config("TLS reload failed: " + ctx.error().message);
  service.settings = std::move(settings);
  service.holder.publish(std::move(ctx.value()));
  return {};
}

}  // namespace relais
