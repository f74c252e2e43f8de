#include "common/grpc_endpoints.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace mfr {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Pems {
  std::string cert, key, ca;
};

absl::StatusOr<Pems> ReadAll(const TransportSecurity& s) {
  auto cert = ReadPem(s.cert_file);
  if (!cert.ok()) return cert.status();
  auto key = ReadPem(s.key_file);
  if (!key.ok()) return key.status();
  auto ca = ReadPem(s.ca_file);
  if (!ca.ok()) return ca.status();
  return Pems{*cert, *key, *ca};
}

void WarnPlaintext(const std::string& what) {
  std::cerr << "WARNING: " << what
            << " uses PLAINTEXT gRPC without authentication; use "
               "--tls-cert/--tls-key/--tls-ca outside loopback tests\n";
}

}  // namespace

absl::StatusOr<std::unique_ptr<grpc::Server>> StartServer(
    const std::string& listen, const TransportSecurity& security,
    const std::vector<grpc::Service*>& services, int* bound_port) {
  std::shared_ptr<grpc::ServerCredentials> creds;
  if (security.enabled()) {
    auto pems = ReadAll(security);
    if (!pems.ok()) return pems.status();
    grpc::SslServerCredentialsOptions options(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    options.pem_root_certs = pems->ca;
    options.pem_key_cert_pairs.push_back({pems->key, pems->cert});
    creds = grpc::SslServerCredentials(options);
  } else {
    WarnPlaintext("server on " + listen);
    creds = grpc::InsecureServerCredentials();
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, creds, bound_port);
  builder.SetMaxReceiveMessageSize(64 << 20);
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || *bound_port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen));
  }
  return server;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const std::string& target, const TransportSecurity& security) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  if (!security.enabled()) {
    return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                     args);
  }
  auto pems = ReadAll(security);
  if (!pems.ok()) return pems.status();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = pems->ca;
  options.pem_private_key = pems->key;
  options.pem_cert_chain = pems->cert;
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(options), args);
}

absl::Status CheckPeerIsHost(const grpc::ServerContext& context,
                             const std::string& host) {
  auto auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return absl::OkStatus();
  for (const auto& identity : auth->GetPeerIdentity()) {
    if (std::string(identity.data(), identity.size()) == host) {
      return absl::OkStatus();
    }
  }
  return absl::PermissionDeniedError(
      absl::StrCat("the peer's certificate does not name host \"", host, "\""));
}

}  // namespace mfr
