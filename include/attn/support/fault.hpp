// attn/support/fault.hpp — fault injection, so tests can crash the program exactly where it hurts most.
//
// The code that must survive a crash (checkpoint saving, atomic file writes) marks its dangerous
// moments with fault_point("name"). Normally that does nothing but read one environment variable.
// With
//     ATTN_FAULT=<name>:<n>:kill    the process kills itself (SIGKILL, like kill -9) the n-th time
//                                   it reaches that point;
//     ATTN_FAULT=<name>:<n>:fail    it throws std::runtime_error there instead, like a full disk.
// tests/resume_after_kill.sh and tests/test_checkpoint.cpp use it to show that a crash at any of
// these points loses nothing and that a resumed run continues bit for bit.
#pragma once

namespace attn {

/// The points: "checkpoint:staged-params" (half the new checkpoint written), "checkpoint:staged"
/// (new checkpoint complete beside the old), "checkpoint:old-moved" (old moved to <dir>.old, new
/// not yet in place), "checkpoint:swapped" (new in place, <dir>.old not yet removed) and
/// "write:before-rename" (an output file's temp copy written, not yet renamed over the target).
void fault_point(const char* name);

}  // namespace attn
