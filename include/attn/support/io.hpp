// attn/support/io.hpp — writing output files so that nothing the user had is lost.
//
// Outputs (metrics, graphs, heatmaps, checkpoints) are written to a temporary file in the same
// folder and renamed over the target only once complete: a crash or a full disk leaves either the
// old file or the new one, never half of one.
#pragma once

#include <string>

namespace attn {

/// Writes `content` to `path` atomically (temp file + rename). Creates missing parent folders.
/// Throws std::runtime_error naming the path and the reason when it cannot.
void write_file_atomically(const std::string& path, const std::string& content);

/// Creates `folder` if needed and checks that files can be written in it, so that a run fails at
/// once — not after an hour of training — when --out points somewhere read-only. Throws
/// std::runtime_error naming the folder and the reason.
void ensure_writable_folder(const std::string& folder);

}  // namespace attn
