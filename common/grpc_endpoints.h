// The one place that builds gRPC servers and channels, so that transport
// security is a configuration switch. With TLS files given, servers demand
// and verify client certificates (mTLS) and channels present theirs; the
// certificate's identity is the host name. Without them, traffic is
// plaintext and the server logs a loud warning: that mode is for loopback
// tests.
#ifndef MFR_COMMON_GRPC_ENDPOINTS_H_
#define MFR_COMMON_GRPC_ENDPOINTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"

namespace mfr {

struct TransportSecurity {
  std::string cert_file;  // PEM certificate of this process
  std::string key_file;   // PEM private key
  std::string ca_file;    // PEM CA that signs every peer
  bool enabled() const { return !cert_file.empty(); }
};

// Builds and starts a server on `listen` ("host:port"; port 0 picks one)
// with `services`, gRPC health checking and server reflection. The bound
// port is stored in *bound_port. InvalidArgument for unreadable TLS files,
// Unavailable when the address cannot be bound.
absl::StatusOr<std::unique_ptr<grpc::Server>> StartServer(
    const std::string& listen, const TransportSecurity& security,
    const std::vector<grpc::Service*>& services, int* bound_port);

// A channel to `target` ("host:port").
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const std::string& target, const TransportSecurity& security);

// OK when the peer may act for `host`: in mTLS mode its certificate names
// the host; in plaintext mode every peer may (PermissionDenied otherwise).
absl::Status CheckPeerIsHost(const grpc::ServerContext& context,
                             const std::string& host);

}  // namespace mfr

#endif  // MFR_COMMON_GRPC_ENDPOINTS_H_
