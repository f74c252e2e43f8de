// End to end over real gRPC, from a pmem badblock to the damaged file: an
// in-process controller (ControllerNode, as mfr-controller wires it) gets
// the host's topology, collected from the recorded pmem sysfs tree
// (agent/pmem/testdata/pmem_two_regions.tree: pmem0 is namespace0.0 in fsdax
// mode, an XFS with dax=always mounted on it), and a snapshot of that
// filesystem uploaded through AgentService.UploadSnapshot. Then a badblock
// appears in region0's list, under a file; the pmem watcher translates it
// to pmem0 and puts the report into the outbox, the report sender delivers
// it, and the incident names the file with the damaged in-file bytes.
// This kernel has no pmem (no NVDIMM, no /sys/bus/nd): a recorded tree is
// the only way to run the real sysfs reading code.
#include <filesystem>
#include <sstream>

#include "agent/controller_client.h"
#include "agent/pmem/pmem_watcher.h"
#include "agent/pmem/recorded_tree.h"
#include "agent/report/outbox.h"
#include "agent/report/report_channel.h"
#include "agent/report/report_sender.h"
#include "agent/topology/fake_filesystem_probe.h"
#include "agent/topology/rooted_fs.h"
#include "agent/topology/sysfs_tree_fixture.h"
#include "agent/topology/topology_collector.h"
#include "common/grpc_endpoints.h"
#include "controller/controller_node.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mfr/v1/query_service.grpc.pb.h"

namespace mfr {
namespace {

using agent::pmem::testing::kMiB;
using ::testing::ElementsAre;

constexpr char kHost[] = "pmem-host";
constexpr char kMount[] = "/mnt/pmem0";
constexpr uint64_t kFileInode = 131;
constexpr uint64_t kFileStart = 64 * kMiB;  // on pmem0
constexpr uint64_t kFileBytes = 1 * kMiB;

// The XFS on pmem0: headers, the log, one file and free space (GETFSMAP
// order).
std::vector<mfr::v1::SnapshotChunk> Snapshot() {
  std::vector<mfr::v1::SnapshotChunk> chunks(3);
  auto* h = chunks[0].mutable_header();
  h->set_host(kHost);
  h->set_mount_point(kMount);
  h->set_fs_uuid("9b1f7c2e-4d3a-4b8e-a1f0-5c6d7e8f9a0b");
  h->set_fs_type("xfs");
  h->set_device("pmem0");
  h->mutable_dev()->set_major(259);
  h->mutable_dev()->set_minor(0);
  h->set_device_size_bytes(agent::pmem::testing::kPmem0Bytes);
  h->set_generation(1);
  h->set_source(mfr::v1::SNAPSHOT_SOURCE_GETFSMAP);
  h->set_physical_order(true);
  auto* batch = chunks[1].mutable_batch();
  auto add = [batch](uint64_t offset, uint64_t length, mfr::v1::OwnerKind kind,
                     uint64_t inode) {
    auto* r = batch->add_records();
    r->set_physical_offset_bytes(offset);
    r->set_length_bytes(length);
    r->set_kind(kind);
    if (kind == mfr::v1::OWNER_KIND_METADATA) {
      r->set_metadata_kind(mfr::v1::METADATA_KIND_FS_HEADERS);
    }
    r->set_inode(inode);
  };
  add(0, 1 * kMiB, mfr::v1::OWNER_KIND_METADATA, 0);
  add(1 * kMiB, kFileStart - 1 * kMiB, mfr::v1::OWNER_KIND_FREE_SPACE, 0);
  add(kFileStart, kFileBytes, mfr::v1::OWNER_KIND_FILE_DATA, kFileInode);
  auto* paths = batch->add_inodes();
  paths->set_inode(kFileInode);
  paths->add_paths("data/db.bin");
  chunks[2].mutable_footer()->set_record_count(batch->records_size());
  chunks[2].mutable_footer()->set_inode_count(1);
  return chunks;
}

class PmemIncidentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string tmp = getenv("TEST_TMPDIR");
    controller::ControllerNodeOptions options;
    options.db.path = tmp + "/controller";
    node_ = *controller::ControllerNode::Open(options);
    int port = 0;
    server_ = *StartServer("127.0.0.1:0", {}, node_->services(), &port);
    channel_ = *MakeChannel(absl::StrCat("127.0.0.1:", port), {});
    auto root = agent::pmem::testing::MaterializeRecordedTree("pmem_e2e");
    ASSERT_TRUE(root.ok()) << root.status();
    root_ = *root;
    state_dir_ = tmp + "/agent-state";
    std::filesystem::create_directories(state_dir_);
  }
  void TearDown() override { server_->Shutdown(); }

  // The agent's registration: the topology collected from the tree.
  void Register() {
    agent::topology::testing::FakeFilesystemProbe probe(
        {{kMount, {"9b1f7c2e-4d3a-4b8e-a1f0-5c6d7e8f9a0b", 4096}}});
    auto topology =
        agent::topology::TopologyCollector({root_, ""}, &probe).Collect();
    ASSERT_TRUE(topology.ok()) << topology.status();
    mfr::v1::RegisterRequest request;
    request.set_host(kHost);
    *request.mutable_topology() = topology->topology;
    agent::ControllerClient client(mfr::v1::AgentService::NewStub(channel_),
                                   absl::Seconds(10));
    ASSERT_TRUE(client.Register(request).ok());
    auto upload = client.StartUpload();
    for (const auto& chunk : Snapshot()) ASSERT_TRUE(upload->Write(chunk).ok());
    auto uploaded = upload->Finish();
    ASSERT_TRUE(uploaded.ok()) << uploaded.status();
  }

  void WriteTree(const char* file, const char* content) {
    ASSERT_TRUE(agent::pmem::testing::WriteTreeFile(root_, file, content).ok());
  }

  std::vector<mfr::v1::Incident> Incidents() {
    auto stub = mfr::v1::QueryService::NewStub(channel_);
    grpc::ClientContext context;
    mfr::v1::ListIncidentsRequest request;
    request.set_host(kHost);
    mfr::v1::ListIncidentsResponse response;
    grpc::Status s = stub->ListIncidents(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.incidents().begin(), response.incidents().end()};
  }

  std::unique_ptr<controller::ControllerNode> node_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::string root_, state_dir_;
};

TEST_F(PmemIncidentTest, RegionBadblockUnderAFileBecomesAnIncidentNamingIt) {
  // Start from a clean machine: no badblocks anywhere.
  for (const char* f : {agent::pmem::testing::kRegion0Badblocks,
                        agent::pmem::testing::kPmem0Badblocks,
                        agent::pmem::testing::kRegion1Badblocks,
                        agent::pmem::testing::kPmem1Badblocks}) {
    WriteTree(f, "");
  }
  Register();

  // The agent's detection side, as agent/detection_loop.cc wires it.
  agent::report::OutboxOptions outbox_options;
  outbox_options.path = state_dir_ + "/outbox";
  auto outbox = *agent::report::Outbox::Open(outbox_options);
  agent::report::StubReportChannel reports(
      mfr::v1::AgentService::NewStub(channel_), absl::Seconds(10));
  agent::report::ReportSender sender(outbox.get(), &reports);
  auto fs = *agent::topology::RootedFs::Open(root_);
  agent::pmem::PmemAddressMap layouts;
  std::ostringstream log;
  agent::pmem::PmemWatcherOptions options;
  options.host = kHost;
  options.state_path = state_dir_ + "/pmem_badblocks.state";
  auto watcher = *agent::pmem::PmemWatcher::Open(options, fs.get(), nullptr,
                                                 outbox.get(), &layouts, &log);
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok()) << log.str();
  EXPECT_EQ(watcher->counters().reported, 0u);

  // ARS finds poison 12 KiB into the file: region0 sector 135192 is region
  // byte 2 MiB (pfn0.1's data offset) + 64 MiB + 12 KiB, i.e. pmem0 byte
  // 64 MiB + 12 KiB. Only the region's list has it so far.
  WriteTree(agent::pmem::testing::kRegion0Badblocks, "135192 8\n");
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok()) << log.str();
  ASSERT_EQ(watcher->counters().reported, 1u) << log.str();
  ASSERT_TRUE(sender.SendPending(absl::Now()).ok());
  EXPECT_EQ(sender.stats().delivered, 1u) << sender.stats().last_error;
  EXPECT_EQ(outbox->Stats().depth, 0u);

  std::vector<mfr::v1::Incident> incidents = Incidents();
  ASSERT_EQ(incidents.size(), 1u);
  const mfr::v1::Incident& incident = incidents[0];
  EXPECT_EQ(incident.device(), "pmem0");
  EXPECT_EQ(incident.range().offset_bytes(), kFileStart + 12288);
  EXPECT_EQ(incident.range().length_bytes(), 4096u);
  std::vector<const mfr::v1::OwnerExtent*> files;
  for (const auto& owner : incident.owners()) {
    if (owner.kind() == mfr::v1::OWNER_KIND_FILE_DATA) files.push_back(&owner);
  }
  ASSERT_EQ(files.size(), 1u) << incident.DebugString();
  EXPECT_EQ(files[0]->inode(), kFileInode);
  EXPECT_THAT(files[0]->paths(), ElementsAre("data/db.bin"));
  EXPECT_EQ(files[0]->mount_point(), kMount);
  EXPECT_EQ(files[0]->file_range().offset_bytes(), 12288u);
  EXPECT_EQ(files[0]->file_range().length_bytes(), 4096u);

  // pmem0's own list catches up, and the agent restarts: no second report,
  // no second incident.
  WriteTree(agent::pmem::testing::kPmem0Badblocks, "131096 8\n");
  watcher.reset();
  watcher = *agent::pmem::PmemWatcher::Open(options, fs.get(), nullptr,
                                            outbox.get(), &layouts, &log);
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok()) << log.str();
  EXPECT_EQ(watcher->counters().reported, 0u);
  ASSERT_TRUE(sender.SendPending(absl::Now()).ok());
  EXPECT_EQ(Incidents().size(), 1u);
}

}  // namespace
}  // namespace mfr
