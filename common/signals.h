// Blocks SIGINT and SIGTERM in the calling thread (call first in main, so
// every later thread inherits the mask) and waits for one of them.
#ifndef MFR_COMMON_SIGNALS_H_
#define MFR_COMMON_SIGNALS_H_

namespace mfr {

void BlockTerminationSignals();
// Returns the signal number received.
int WaitForTerminationSignal();

}  // namespace mfr

#endif  // MFR_COMMON_SIGNALS_H_
