// Tests of the /dev/kmsg record and saved-log line parsers.
#include "agent/sources/kmsg_record.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::sources {
namespace {

TEST(ParseKmsgRecord, DocumentationExampleWithDictionary) {
  // Documentation/ABI/testing/dev-kmsg.
  absl::StatusOr<KmsgRecord> r = ParseKmsgRecord(
      "7,160,424069,-;pci_root PNP0A03:00: host bridge window [io  "
      "0x0000-0x0cf7] (ignored)\n SUBSYSTEM=acpi\n DEVICE=+acpi:PNP0A03:00\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->facility, 0u);
  EXPECT_EQ(r->level, 7u);
  EXPECT_EQ(r->sequence, 160u);
  EXPECT_EQ(r->timestamp_us, 424069u);
  EXPECT_FALSE(r->continuation);
  EXPECT_EQ(r->message,
            "pci_root PNP0A03:00: host bridge window [io  0x0000-0x0cf7] "
            "(ignored)");
  ASSERT_EQ(r->dictionary.size(), 2u);
  EXPECT_EQ(r->dictionary[0].key, "SUBSYSTEM");
  EXPECT_EQ(r->dictionary[0].value, "acpi");
  EXPECT_EQ(r->dictionary[1].key, "DEVICE");
  EXPECT_EQ(r->dictionary[1].value, "+acpi:PNP0A03:00");
}

TEST(ParseKmsgRecord, BlockErrorRecordFromTheKernel) {
  absl::StatusOr<KmsgRecord> r = ParseKmsgRecord(
      "3,1826,6384512389,-;I/O error, dev loop0, sector 2048 op 0x0:(READ) "
      "flags 0x80700 phys_seg 1 prio class 0\n SUBSYSTEM=block\n "
      "DEVICE=b7:0\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(CountsAsKernel(*r, {}));
  EXPECT_EQ(r->level, 3u);
  EXPECT_EQ(r->dictionary[1].value, "b7:0");
}

TEST(ParseKmsgRecord, UserWrittenRecordsDoNotCountAsKernel) {
  // kernel/printk/printk.c devkmsg_write: LOG_USER unless a non-zero
  // facility is given; "<3>" from a user still ends up as facility 1.
  absl::StatusOr<KmsgRecord> r = ParseKmsgRecord(
      "11,1827,6384512400,-;I/O error, dev sdb, sector 2048 op 0x0:(READ)\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->facility, 1u);
  EXPECT_FALSE(CountsAsKernel(*r, {}));
  KmsgSourcePolicy testing_policy;
  testing_policy.accept_user_facility_for_testing = true;
  EXPECT_TRUE(CountsAsKernel(*r, testing_policy));
}

TEST(ParseKmsgRecord, ContinuationFlagAndExtraFields) {
  absl::StatusOr<KmsgRecord> r =
      ParseKmsgRecord("4,99,100,c,caller=T12;fragment");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->continuation);
  EXPECT_EQ(r->message, "fragment");
  r = ParseKmsgRecord("6,5,6;no flags field (3.5)");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->message, "no flags field (3.5)");
}

TEST(ParseKmsgRecord, MalformedRecordsAreRejected) {
  for (absl::string_view bad :
       {"", "no header", "3,1,2", "x,1,2,-;m", "3,1,,-;m", "3;m",
        "3,99999999999999999999,2,-;m", "99999999999,1,2,-;m",
        "3,1,2,-;m\nnot a dictionary line", "3,1,2,-;m\n =v"}) {
    EXPECT_FALSE(ParseKmsgRecord(bad).ok()) << bad;
  }
  std::string huge = "3,1,2,-;";
  huge.append(kMaxKmsgRecordBytes, 'x');
  EXPECT_FALSE(ParseKmsgRecord(huge).ok());
  std::string many = "3,1,2,-;m\n";
  for (size_t i = 0; i <= kMaxKmsgDictionaryFields; ++i) many += " K=v\n";
  EXPECT_FALSE(ParseKmsgRecord(many).ok());
}

struct LogCase {
  const char* line;
  LogLineFormat format;
  bool kernel;
  const char* message;
};

TEST(ParseLogLine, Formats) {
  const LogCase cases[] = {
      {"[  123.456789] msg a", LogLineFormat::kDmesg, true, "msg a"},
      {"[Fri Nov 17 17:54:57 2017] msg b", LogLineFormat::kDmesg, true,
       "msg b"},
      {"<3>[  1.5] msg c", LogLineFormat::kDmesg, true, "msg c"},
      {"<14>[  1.5] msg d", LogLineFormat::kDmesg, false, "msg d"},
      {"Nov 25 12:00:00 host kernel: msg e", LogLineFormat::kSyslog, true,
       "msg e"},
      {"Nov  5 12:00:00.123456 host kernel: [ 38814.189841] msg f",
       LogLineFormat::kSyslog, true, "msg f"},
      {"Jul 14 07:54:13 debian mdadm[2768]: msg g", LogLineFormat::kSyslog,
       false, "msg g"},
      {"Jun 10 23:17:20 coppermine end_request: msg h", LogLineFormat::kSyslog,
       true, "end_request: msg h"},
      {"2025-11-25T12:00:00+0000 host kernel: msg i", LogLineFormat::kSyslog,
       true, "msg i"},
      {"6,339,5140900,-;msg j", LogLineFormat::kKmsgRecord, true, "msg j"},
      {"30,340,5690716,-;udevd[80]: msg k", LogLineFormat::kKmsgRecord, false,
       "udevd[80]: msg k"},
      {"kernel: msg l", LogLineFormat::kBare, true, "msg l"},
      {"msg m\n", LogLineFormat::kBare, true, "msg m"},
  };
  for (const LogCase& c : cases) {
    absl::StatusOr<LogLine> l = ParseLogLine(c.line);
    ASSERT_TRUE(l.ok()) << c.line;
    EXPECT_EQ(l->format, c.format) << c.line;
    EXPECT_EQ(l->kernel, c.kernel) << c.line;
    EXPECT_EQ(l->message, c.message) << c.line;
  }
}

TEST(ParseLogLine, OverlongLineIsRefused) {
  EXPECT_FALSE(ParseLogLine(std::string(kMaxLogLineBytes + 1, 'a')).ok());
}

}  // namespace
}  // namespace mfr::agent::sources
