// TlsService: the edge's HTTPS state that outlives any one certificate: the
// settings read from EdgeConfig, the ticket key ring, and the holder of the
// SSL_CTX in service. Built once at start-up (a bad certificate is a config
// Error: exit 2), reloaded on SIGHUP (a bad certificate is logged and the
// context in service stays). Owned by EdgeServer; workers read the holder.
#pragma once

#include <memory>

#include "config/edge_config.h"
#include "edge/server/tls_context.h"
#include "edge/server/tls_ticket_keys.h"
#include "origin-sync/result.h"

namespace relais {

struct TlsService {
  TlsSettings settings;
  std::unique_ptr<TicketKeyRing> tickets;
  TlsContextHolder holder;
};

// nullptr when the config has no --tls-listen.
Result<std::unique_ptr<TlsService>> make_tls_service(const EdgeConfig& config);
// Rebuilds the context from config's certificate options (the files are
// read again: a renewed certificate is picked up), and publishes it; on an
// error the context in service stays and the error says why.
Status reload_tls_service(TlsService& service, const EdgeConfig& config);

}  // namespace relais
