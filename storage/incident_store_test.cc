#include "storage/incident_store.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace mfr::storage {
namespace {

TEST(IncidentStoreTest, PutGetScanAndDeviceIndex) {
  const auto dir = std::filesystem::path(getenv("TEST_TMPDIR")) / "incidents";
  auto db = Db::Open({dir.string()});
  ASSERT_TRUE(db.ok()) << db.status();
  IncidentStore store(db->get());
  const struct {
    uint64_t number;
    const char* host;
    const char* device;
  } rows[] = {
      {1, "a", "sdb"}, {2, "b", "sdb"}, {3, "a", "sdb1"}, {4, "a", "sdb"}};
  for (const auto& r : rows) {
    mfr::v1::Incident incident;
    incident.set_id(IncidentStore::IdFor(r.number));
    incident.set_host(r.host);
    incident.set_device(r.device);
    ASSERT_TRUE(store.Put(incident, {absl::StrCat("report-", r.number)}).ok());
  }
  std::vector<std::string> ids;
  ASSERT_TRUE(store
                  .ScanDevice("a", "sdb",
                              [&](const mfr::v1::Incident& i) {
                                ids.push_back(i.id());
                                return true;
                              })
                  .ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"inc-1", "inc-4"}));
  EXPECT_EQ(**store.FindReport("report-3"), "inc-3");
  EXPECT_FALSE(store.FindReport("nope")->has_value());
  EXPECT_EQ(store.Get("inc-2")->host(), "b");
  EXPECT_EQ(store.Get("inc-9").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store.Get("garbage").status().code(), absl::StatusCode::kNotFound);
  ids.clear();
  ASSERT_TRUE(store
                  .Scan("inc-2", "",
                        [&](const mfr::v1::Incident& i) {
                          ids.push_back(i.id());
                          return true;
                        })
                  .ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"inc-3", "inc-4"}));
  ids.clear();  // one host, through the index, in id order
  ASSERT_TRUE(store
                  .Scan("inc-1", "a",
                        [&](const mfr::v1::Incident& i) {
                          ids.push_back(i.id());
                          return true;
                        })
                  .ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"inc-3", "inc-4"}));
  EXPECT_FALSE(
      store.Scan("bad-token", "", [](const auto&) { return true; }).ok());
}

}  // namespace
}  // namespace mfr::storage
