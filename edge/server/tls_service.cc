#include "edge/server/tls_service.h"

#include <cstdio>
#include <ctime>

namespace relais {

Result<std::unique_ptr<TlsService>> make_tls_service(const EdgeConfig& c) {
  if (c.tls_listen.empty()) return std::unique_ptr<TlsService>();
  auto service = std::make_unique<TlsService>();
  TlsSettings& s = service->settings;
  s.default_cert = {"", c.tls_cert, c.tls_key};
  for (const std::string& entry : c.tls_sni_certs) {
    // Checked by the option parser: HOST=CERTFILE:KEYFILE (the key after the last ':').
    auto eq = entry.find('=');
    auto colon = entry.rfind(':');
    s.sni.push_back({entry.substr(0, eq), entry.substr(eq + 1, colon - eq - 1), entry.substr(colon + 1)});
  }
  if (!c.tls_ciphers.empty()) s.ciphers = c.tls_ciphers;
  if (!c.tls_ciphersuites.empty()) s.ciphersuites = c.tls_ciphersuites;
  s.ocsp_response = c.tls_ocsp_response;
  s.session_tickets = c.tls_session_tickets;
  const std::int64_t now = std::time(nullptr);
  service->tickets = std::make_unique<TicketKeyRing>(static_cast<std::int64_t>(c.tls_ticket_rotation_ms / 1000), now);
  auto ctx = build_tls_context(s, *service->tickets, now);
  if (!ctx.ok()) return ctx.error();
  service->holder.publish(std::move(ctx.value()));
  return service;
}

void reload_tls_service(TlsService& service) {
  auto ctx = build_tls_context(service.settings, *service.tickets, std::time(nullptr));
  if (!ctx.ok()) {
    std::fprintf(stderr, "relais-edge: TLS reload failed, keeping the certificates in service: %s\n",
                 ctx.error().message.c_str());
    std::fflush(stderr);
    return;
  }
  service.holder.publish(std::move(ctx.value()));
  std::printf("tls certificates reloaded\n");
  std::fflush(stdout);
}

}  // namespace relais
