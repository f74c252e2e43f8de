// Device-number helpers without glibc's major()/minor() macros, which would
// otherwise rewrite calls of the generated DeviceNumber::major()/minor()
// accessors in any file that includes <sys/sysmacros.h>.
#ifndef MFR_AGENT_SNAPSHOT_DEV_NUMBERS_H_
#define MFR_AGENT_SNAPSHOT_DEV_NUMBERS_H_

#include <sys/sysmacros.h>
#include <sys/types.h>

#include <cstdint>

#undef major
#undef minor
#undef makedev

namespace mfr::agent::snapshot {

inline uint32_t DevMajor(dev_t dev) { return gnu_dev_major(dev); }
inline uint32_t DevMinor(dev_t dev) { return gnu_dev_minor(dev); }
inline dev_t MakeDev(uint32_t major, uint32_t minor) {
  return gnu_dev_makedev(major, minor);
}

}  // namespace mfr::agent::snapshot

#endif  // MFR_AGENT_SNAPSHOT_DEV_NUMBERS_H_
