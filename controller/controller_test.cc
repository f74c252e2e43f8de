// AgentCore and QueryCore over a real RocksDB: the upload sequence, input
// checks and the errors a user sees.
#include <filesystem>

#include "controller/agent_core.h"
#include "controller/query_core.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller {
namespace {

using mfr::v1::SnapshotChunk;

class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR")
                                                       : "/tmp") /
           ("ctl_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    db_ = *storage::Db::Open({dir_.string()});
    registry_ = *storage::FilesystemRegistry::Open(db_.get());
    agent_ = std::make_unique<AgentCore>(db_.get(), registry_.get());
    query_ = std::make_unique<QueryCore>(db_.get(), registry_.get());
  }
  void TearDown() override {
    query_.reset();
    agent_.reset();
    registry_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  absl::Status RegisterHost(const std::string& host) {
    mfr::v1::RegisterRequest r;
    r.set_host(host);
    return agent_->Register(r, absl::Now());
  }

  std::vector<SnapshotChunk> Chunks(uint64_t generation) {
    std::vector<SnapshotChunk> chunks(3);
    auto* h = chunks[0].mutable_header();
    h->set_host("h1");
    h->set_mount_point("/mnt");
    h->set_device("loop3");
    h->set_device_size_bytes(1 << 20);
    h->set_generation(generation);
    h->set_physical_order(true);
    auto* r = chunks[1].mutable_batch()->add_records();
    r->set_physical_offset_bytes(0);
    r->set_length_bytes(8192);
    r->set_kind(mfr::v1::OWNER_KIND_FILE_DATA);
    r->set_inode(42);
    chunks[2].mutable_footer()->set_record_count(1);
    return chunks;
  }

  absl::Status Send(const std::vector<SnapshotChunk>& chunks) {
    auto upload = agent_->StartUpload(absl::Now());
    auto allow = [](const std::string&) { return absl::OkStatus(); };
    for (const auto& c : chunks) {
      if (auto s = upload->Accept(c, allow); !s.ok()) return s;
    }
    return upload->Finish().status();
  }

  absl::StatusOr<mfr::v1::QueryRangeResponse> Query(const std::string& device,
                                                    uint64_t offset,
                                                    uint64_t length) {
    mfr::v1::QueryRangeRequest q;
    q.set_host("h1");
    q.set_device(device);
    q.mutable_range()->set_offset_bytes(offset);
    q.mutable_range()->set_length_bytes(length);
    return query_->QueryRange(q);
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Db> db_;
  std::unique_ptr<storage::FilesystemRegistry> registry_;
  std::unique_ptr<AgentCore> agent_;
  std::unique_ptr<QueryCore> query_;
};

TEST_F(ControllerTest, HostNamesAreChecked) {
  EXPECT_TRUE(RegisterHost("node-1.example_2").ok());
  for (const std::string& bad : std::vector<std::string>{
           "", "a b", "x/y", std::string(300, 'a'), std::string("nul\0", 4)}) {
    EXPECT_EQ(RegisterHost(bad).code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST_F(ControllerTest, UploadNeedsRegistrationAndOrder) {
  auto chunks = Chunks(1);
  EXPECT_EQ(Send(chunks).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(RegisterHost("h1").ok());
  EXPECT_EQ(Send({chunks[1], chunks[0]}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Send({chunks[0], chunks[1]}).code(),
            absl::StatusCode::kInvalidArgument)
      << "no footer: cut stream";
  EXPECT_EQ(Send({chunks[0], chunks[0]}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Send({chunks[0], chunks[2], chunks[1]}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Send({SnapshotChunk()}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Query("loop3", 0, 1).status().code(),
            absl::StatusCode::kFailedPrecondition)
      << "registered but nothing committed";
  ASSERT_TRUE(Send(chunks).ok());
  EXPECT_EQ(Query("loop3", 0, 1)->owners(0).inode(), 42u);
}

TEST_F(ControllerTest, AuthorizationRunsOnTheHeaderHost) {
  ASSERT_TRUE(RegisterHost("h1").ok());
  auto upload = agent_->StartUpload(absl::Now());
  std::string asked;
  auto deny = [&](const std::string& host) {
    asked = host;
    return absl::PermissionDeniedError("not you");
  };
  EXPECT_EQ(upload->Accept(Chunks(1)[0], deny).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(asked, "h1");
}

TEST_F(ControllerTest, QueryErrors) {
  ASSERT_TRUE(RegisterHost("h1").ok());
  ASSERT_TRUE(Send(Chunks(1)).ok());
  EXPECT_EQ(Query("loop3", 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Query("loop3", ~0ULL, 2).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Query("loop3", 1 << 20, 1).status().code(),
            absl::StatusCode::kInvalidArgument)
      << "past the device end";
  EXPECT_EQ(Query("sdz", 0, 1).status().code(), absl::StatusCode::kNotFound);
  mfr::v1::QueryRangeRequest q;
  q.set_host("nobody");
  q.set_device("loop3");
  q.mutable_range()->set_length_bytes(1);
  EXPECT_EQ(query_->QueryRange(q).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ControllerTest, ListHostsReportsSnapshots) {
  ASSERT_TRUE(RegisterHost("h1").ok());
  ASSERT_TRUE(RegisterHost("h2").ok());
  ASSERT_TRUE(Send(Chunks(7)).ok());
  auto hosts = query_->ListHosts(absl::Now());
  ASSERT_TRUE(hosts.ok());
  ASSERT_EQ(hosts->hosts_size(), 2);
  ASSERT_EQ(hosts->hosts(0).filesystems_size(), 1);
  EXPECT_EQ(hosts->hosts(0).filesystems(0).snapshot_generation(), 7u);
  EXPECT_EQ(hosts->hosts(0).filesystems(0).records(), 1u);
  EXPECT_EQ(hosts->hosts(1).filesystems_size(), 0);
}

}  // namespace
}  // namespace mfr::controller
