// A run's output folder, held for the whole run (see attn/train/run_folder.hpp).
#include "attn/train/run_folder.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "attn/support/io.hpp"
#include "attn/train/checkpoint.hpp"

namespace attn {

namespace fs = std::filesystem;

namespace {

/// A file write_file_atomically was writing when its process died: "<name>.tmp.<pid>".
bool is_temporary_file(const std::string& name) {
    const std::size_t at = name.rfind(".tmp.");
    if (at == std::string::npos || at + 5 == name.size()) return false;
    for (std::size_t i = at + 5; i < name.size(); ++i) if (name[i] < '0' || name[i] > '9') return false;
    return true;
}

/// Removes what killed runs left in `folder` (the caller holds its lock, so no run is writing there):
/// staging folders (<checkpoint>.tmp), temporary files, and a checkpoint swap stopped between its
/// renames (<checkpoint>.old without <checkpoint>: put back). Returns how many were cleaned.
std::size_t clean_debris(const std::string& folder) {
    std::vector<fs::path> staging, old, temporary;
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(folder, error); !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (it->is_directory(error)) {
            if (name == "checkpoint.tmp" || name == "best.tmp") staging.push_back(it->path());
            else if (name == "checkpoint.old" || name == "best.old") old.push_back(it->path());
        } else if (is_temporary_file(name) || name.rfind(".attn_write_test.", 0) == 0) {
            temporary.push_back(it->path());
        }
    }
    std::size_t cleaned = 0;
    for (const fs::path& p : staging) cleaned += fs::remove_all(p, error) > 0;
    for (const fs::path& p : temporary) cleaned += fs::remove(p, error);
    for (const fs::path& p : old) {
        const std::string dir = p.string().substr(0, p.string().size() - 4);
        if (fs::exists(dir + "/manifest.tsv")) {
            cleaned += fs::remove_all(p, error) > 0;  // the swap had finished: only the removal was missed
        } else {
            fs::remove_all(dir, error);
            error.clear();
            fs::rename(p, dir, error);  // the swap had not finished: the old checkpoint is the good one
            if (error) throw std::runtime_error("cannot restore the checkpoint " + p.string() + " to " + dir + ": " + error.message());
            ++cleaned;
        }
    }
    return cleaned;
}

/// The checkpoint folders (checkpoint/, best/, in sub-folders too) inside `folder`.
std::vector<fs::path> checkpoints_in(const std::string& folder) {
    std::vector<fs::path> found;
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(folder, error); !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (it->is_directory(error) && fs::exists(it->path() / "manifest.tsv", error)) {
            found.push_back(it->path());
            it.disable_recursion_pending();
        }
    }
    return found;
}

}  // namespace

RunFolder::RunFolder(const std::string& program, const TrainOptions& options) {
    const std::string& folder = options.folder;
    if (folder.empty()) return;
    if (options.resume && options.overwrite) {
        throw std::invalid_argument("--resume and --overwrite contradict each other: continue the run in " + folder + ", or replace it");
    }
    ensure_writable_folder(folder);
    lock_ = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lock_ >= 0 && ::flock(lock_, LOCK_EX | LOCK_NB) != 0) {
        const int reason = errno;
        ::close(lock_);
        lock_ = -1;
        if (reason == EWOULDBLOCK) {
            throw std::runtime_error(folder + ": another run is using this folder (its --out); wait for it to end, or choose another --out");
        }
        // A file system without locks (some network mounts): run unlocked rather than not at all.
    }
    try {
        check_and_clean(folder, options);
    } catch (...) {
        if (lock_ >= 0) ::close(lock_);  // the destructor does not run for a constructor that throws
        throw;
    }
    signals_ = std::make_unique<StopOnSignal>(program, "every checkpoint in " + folder + " is complete: run again with --resume to continue");
}

void RunFolder::check_and_clean(const std::string& folder, const TrainOptions& options) {
    if (const std::size_t cleaned = clean_debris(folder)) {
        std::printf("cleaned up %zu file%s a stopped run left in %s\n", cleaned, cleaned == 1 ? "" : "s", folder.c_str());
    }
    const std::vector<fs::path> runs = checkpoints_in(folder);
    if (!runs.empty() && !options.resume) {
        if (!options.overwrite) {
            fs::path shown = runs.front();  // checkpoint/ rather than best/: it says how far the run got
            for (const fs::path& p : runs) if (p.filename() == "checkpoint") shown = p;
            std::string epoch;
            try {
                const Metadata meta = read_checkpoint_metadata(shown.string());
                if (meta.count("epoch")) epoch = ", after epoch " + meta.at("epoch");
            } catch (const std::runtime_error&) {
            }
            throw std::runtime_error(folder + " already holds a run (" + shown.string() + epoch +
                                     "): --resume continues it, --overwrite replaces it, or choose another --out");
        }
        std::error_code error;
        for (const fs::path& p : runs) {
            fs::remove_all(p, error);
            if (error) throw std::runtime_error("--overwrite: cannot remove " + p.string() + ": " + error.message());
        }
        std::printf("--overwrite: removed the earlier run's %zu checkpoint folder%s in %s\n", runs.size(), runs.size() == 1 ? "" : "s",
                    folder.c_str());
    }
}

RunFolder::~RunFolder() {
    if (lock_ >= 0) ::close(lock_);  // closing releases the lock (so does the process ending, however it ends)
}

}  // namespace attn
