// The one place where absl::Status becomes grpc::Status and back. Codes map
// one to one (both follow google.rpc.Code).
#ifndef MFR_COMMON_GRPC_STATUS_H_
#define MFR_COMMON_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace mfr {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace mfr

#endif  // MFR_COMMON_GRPC_STATUS_H_
