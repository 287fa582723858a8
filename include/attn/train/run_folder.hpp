// attn/train/run_folder.hpp — a run's output folder (--out), held for the whole run.
//
// Created at the start of every training run (chapters 1-7), before any training:
//   - one run at a time: the folder is locked (flock) until the run ends, and a second process on
//     the same --out is refused with a message instead of racing on its checkpoint;
//   - no silent loss: a folder that already holds a run's checkpoint is refused unless the run says
//     --resume (continue it) or --overwrite (start afresh: its checkpoints are removed first);
//   - no debris: what a killed run left behind (staging folders, temporary files, a checkpoint swap
//     interrupted between its two renames) is cleaned up or put back;
//   - Ctrl-C and SIGTERM stop the run with one line saying where its work is (attn/support/signals.hpp).
#pragma once

#include <memory>
#include <string>

#include "attn/support/signals.hpp"
#include "attn/train/loop.hpp"

namespace attn {

class RunFolder {
public:
    /// `program` starts the line printed on a signal ("02_bahdanau"). Throws std::runtime_error
    /// (unwritable folder, taken by another run, holds a run without --resume / --overwrite) and
    /// std::invalid_argument (--resume with --overwrite). An empty options.folder: nothing to hold.
    RunFolder(const std::string& program, const TrainOptions& options);
    ~RunFolder();
    RunFolder(const RunFolder&) = delete;
    RunFolder& operator=(const RunFolder&) = delete;

private:
    /// Cleans what killed runs left, then refuses an earlier run unless resuming or overwriting.
    static void check_and_clean(const std::string& folder, const TrainOptions& options);
    int lock_ = -1;
    std::unique_ptr<StopOnSignal> signals_;
};

}  // namespace attn
