// The controller's Prometheus metrics. One instance, built by the
// composition root and handed to the services; thread-safe (prometheus-cpp).
#ifndef MFR_CONTROLLER_METRICS_H_
#define MFR_CONTROLLER_METRICS_H_

#include <memory>
#include <string>

#include "grpcpp/support/status.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace mfr::controller {

class ControllerMetrics {
 public:
  ControllerMetrics();

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // Counts one RPC by method and status code.
  void CountRequest(const std::string& method, const grpc::Status& status);
  // Counts a committed snapshot upload.
  void CountSnapshot(uint64_t records, uint64_t segments);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Counter& snapshots_;
  prometheus::Counter& snapshot_records_;
  prometheus::Counter& snapshot_segments_;
};

}  // namespace mfr::controller

#endif  // MFR_CONTROLLER_METRICS_H_
