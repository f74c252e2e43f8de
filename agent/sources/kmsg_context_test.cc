// Tests of the context-line parser: CDB decoding, sense keys, NVMe status,
// rate-limit notices, MCE and GHES status lines.
#include "agent/sources/kmsg_context.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::sources {
namespace {

struct CdbCase {
  const char* bytes;
  CommandClass command;
  uint64_t lba, blocks;
};

TEST(DecodeCdb, ReadWriteVerifyAndNonData) {
  const CdbCase cases[] = {
      // SBC-3 layouts; values from the longhorn#1920 and forum bursts.
      {"28 00 00 31 c9 b8 00 00 30 00", CommandClass::kData, 0x31c9b8, 0x30},
      {"2a 00 00 00 84 88 00 00 30 00", CommandClass::kData, 0x8488, 0x30},
      {"88 00 00 00 00 00 02 23 a0 30 00 00 04 00 00 00", CommandClass::kData,
       0x0223a030, 0x400},
      {"8a 00 00 00 00 01 00 00 00 00 00 00 00 08 00 00", CommandClass::kData,
       1ull << 32, 8},
      {"a8 00 00 00 10 00 00 00 00 20 00 00", CommandClass::kData, 0x1000,
       0x20},
      {"08 1f ff ff 00 00", CommandClass::kData, 0x1fffff, 256},
      {"2f 00 00 00 00 10 00 00 01 00", CommandClass::kData, 0x10, 1},
      {"35 00 00 00 00 00 00 00 00 00", CommandClass::kNonData, 0, 0},
      {"42 00 00 00 00 00 00 00 18 00", CommandClass::kNonData, 0, 0},
      {"28 00 00 00 08 00 00 00 00 00", CommandClass::kUnknown, 0, 0},
      {"28 00 00", CommandClass::kUnknown, 0, 0},
      {"c0 ff", CommandClass::kUnknown, 0, 0},
      {"zz 00", CommandClass::kUnknown, 0, 0},
      {"", CommandClass::kUnknown, 0, 0},
  };
  for (const CdbCase& c : cases) {
    uint64_t lba = 0, blocks = 0;
    EXPECT_EQ(DecodeCdb(c.bytes, &lba, &blocks), c.command) << c.bytes;
    if (c.command == CommandClass::kData) {
      EXPECT_EQ(lba, c.lba) << c.bytes;
      EXPECT_EQ(blocks, c.blocks) << c.bytes;
    }
  }
}

TEST(ParseKmsgContext, ScsiCdbForms) {
  for (const char* line :
       {"sd 3:0:0:1: [sde] tag#40 CDB: Read(10) 28 00 00 31 c9 b8 00 00 30 00",
        "sd 0:0:0:0: [sde] CDB: Read(10): 28 00 00 31 c9 b8 00 00 30 00",
        "sd 9:0:1:0: [sde] tag#2800 CDB: opcode=0x28 28 00 00 31 c9 b8 00 00 "
        "30 00"}) {
    const KmsgContext c = ParseKmsgContext(line, "");
    EXPECT_EQ(c.kind, ContextKind::kCommand) << line;
    EXPECT_EQ(c.device, "sde") << line;
    EXPECT_EQ(c.command, CommandClass::kData) << line;
    EXPECT_EQ(c.lba, 0x31c9b8u) << line;
    EXPECT_EQ(c.blocks, 0x30u) << line;
  }
}

TEST(ParseKmsgContext, SplitScsiLinesOf3x) {
  KmsgContext c = ParseKmsgContext("sd 2:0:0:0: [sdc] CDB:", "");
  EXPECT_EQ(c.kind, ContextKind::kScsiPending);
  EXPECT_EQ(c.device, "sdc");
  c = ParseKmsgContext(
      "Read(16): 88 00 00 00 00 00 02 23 a0 30 00 00 04 00 "
      "00 00",
      "sdc");
  EXPECT_EQ(c.kind, ContextKind::kCommand);
  EXPECT_EQ(c.lba, 0x0223a030u);
  c = ParseKmsgContext("Sense Key : Medium Error [current] [descriptor]",
                       "sdc");
  EXPECT_EQ(c.kind, ContextKind::kScsiSense);
  EXPECT_EQ(c.verdict, MediaVerdict::kMedium);
  // Without a pending device the tail alone means nothing.
  EXPECT_EQ(ParseKmsgContext("Sense Key : Medium Error [current]", "").kind,
            ContextKind::kNone);
  EXPECT_EQ(ParseKmsgContext("Result: hostbyte=DID_OK", "sdc").kind,
            ContextKind::kNone);
}

TEST(ParseKmsgContext, SenseKeys) {
  struct {
    const char* line;
    MediaVerdict verdict;
  } cases[] = {
      {"sd 3:0:0:1: [sde] tag#40 Sense Key : Medium Error [current]",
       MediaVerdict::kMedium},
      {"sd 9:0:1:0: [sde] tag#2799 Sense Key : 0x3 [current]",
       MediaVerdict::kMedium},
      {"sd 2:0:4:0: [sde] tag#602 Sense Key : Not Ready [current]",
       MediaVerdict::kNotMedia},
      {"sd 5:0:0:0: [sdb] tag#0 Sense Key : Illegal Request [current] ",
       MediaVerdict::kNotMedia},
      {"sd 5:0:0:0: [sdb] tag#0 Sense Key : Hardware Error [current] ",
       MediaVerdict::kUnknown},
  };
  for (const auto& c : cases) {
    const KmsgContext k = ParseKmsgContext(c.line, "");
    EXPECT_EQ(k.kind, ContextKind::kScsiSense) << c.line;
    EXPECT_EQ(k.verdict, c.verdict) << c.line;
  }
}

TEST(ParseKmsgContext, NvmeCommandStatus) {
  KmsgContext c = ParseKmsgContext(
      "nvme0n1: Read(0x2) @ LBA 2048, 8 blocks, Unrecovered Read Error (sct "
      "0x2 / sc 0x81) DNR",
      "");
  EXPECT_EQ(c.kind, ContextKind::kCommand);
  EXPECT_EQ(c.device, "nvme0n1");
  EXPECT_EQ(c.command, CommandClass::kData);
  EXPECT_EQ(c.lba, 2048u);
  EXPECT_EQ(c.blocks, 8u);
  EXPECT_EQ(c.verdict, MediaVerdict::kMedium);
  c = ParseKmsgContext(
      "nvme0n1: I/O Cmd(0x2) @ LBA 0, 8 blocks, I/O Error (sct 0x2 / sc "
      "0x86) DNR ",
      "");
  EXPECT_EQ(c.verdict, MediaVerdict::kNotMedia);
  c = ParseKmsgContext(
      "nvme0n1: Flush(0x0) @ LBA 0, 0 blocks, Internal Error (sct 0x0 / sc "
      "0x6) ",
      "");
  EXPECT_EQ(c.command, CommandClass::kNonData);
}

TEST(ParseKmsgContext, RateLimitMceAndGhes) {
  KmsgContext c =
      ParseKmsgContext("buffer_io_error: 12 callbacks suppressed", "");
  EXPECT_EQ(c.kind, ContextKind::kSuppressed);
  EXPECT_EQ(c.suppressed, 12u);
  c = ParseKmsgContext(
      "mce: [Hardware Error]: CPU 0: Machine Check: 0 Bank 1: "
      "bd80000000100134",
      "");
  EXPECT_EQ(c.kind, ContextKind::kMceStatus);
  EXPECT_TRUE(c.uncorrected);
  c = ParseKmsgContext(
      "mce: [Hardware Error]: CPU 1: Machine Check: 0 Bank 11: "
      "8c00004f000800c2",
      "");
  EXPECT_FALSE(c.uncorrected);
  c = ParseKmsgContext("{1}[Hardware Error]: event severity: corrected", "");
  EXPECT_EQ(c.kind, ContextKind::kGhesSeverity);
  EXPECT_TRUE(c.corrected);
  c = ParseKmsgContext("[Hardware Error]: event severity: fatal", "");
  EXPECT_FALSE(c.corrected);
}

TEST(ParseKmsgContext, OtherLinesAreNone) {
  for (const char* line :
       {"", "sd 2:0:0:0: [sdc] Attached SCSI disk", "ata3.00: error: { UNC }",
        "nvme nvme0: 8/0/0 default/read/poll queues", "callbacks suppressed",
        "x: y callbacks suppressed", "sd",
        "mce: [Hardware Error]: Machine "
        "check events logged"}) {
    EXPECT_NE(ParseKmsgContext(line, "").kind, ContextKind::kCommand) << line;
    EXPECT_NE(ParseKmsgContext(line, "").kind, ContextKind::kSuppressed)
        << line;
  }
}

}  // namespace
}  // namespace mfr::agent::sources
