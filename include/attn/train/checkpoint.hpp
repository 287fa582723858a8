// attn/train/checkpoint.hpp — saving and resuming training.
//
// A checkpoint is a folder:
//   manifest.tsv          what is in it: one line per entry (kind, name, file, dtype, shape) and
//                         the run's metadata (epoch, step, ...)
//   params/<name>.npy     one file per parameter, readable by numpy.load
//   buffers/<name>.npy    one file per buffer (state not trained: BatchNorm's running statistics)
//   optim/<name>.npy      the optimiser's state (step count, moments)
//   rng.txt               the random generator's state
//   identity/<name>.txt   what gives the numbers their meaning (the vocabularies: which word each
//                         embedding row is), compared when the checkpoint is loaded
// Together they let a resumed run continue exactly as an uninterrupted one would.
//
// Saving never damages the previous checkpoint: everything is written to <dir>.tmp, then the old
// folder is moved to <dir>.old, the new one into place, and the old one removed. If a crash hits
// between those two renames, loads read <dir>.old, and the next save (or the next run in the folder,
// attn/train/run_folder.hpp) moves it back to <dir> — loads never rename: another process may be
// saving. A failed save removes its half-written <dir>.tmp. tests/resume_after_kill.sh kills a run
// at each step.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "attn/nn/module.hpp"
#include "attn/train/optim.hpp"
#include "attn/random.hpp"

namespace attn {

/// One array as a .npy file (format 1.0, little-endian, C order), atomically.
void save_npy(const std::string& path, const Tensor& tensor);
/// Reads a .npy file of float32 ('<f4') or float64 ('<f8'); errors name the file and the problem.
/// `dtype` receives "float32" or "float64".
Tensor load_npy(const std::string& path, std::string* dtype = nullptr);
/// The same from the file's bytes in memory; `name` stands for the file in error messages.
Tensor parse_npy(const std::string& bytes, const std::string& name, std::string* dtype = nullptr);

using Metadata = std::map<std::string, std::string>;

/// What gives a checkpoint's numbers their meaning beyond their shapes — the vocabularies (which
/// word each embedding row and output column stands for), the classes, the model options that change
/// what the same parameters compute (post- or pre-norm) — as name -> text. Saved with every
/// checkpoint; a load that expects a different text refuses and names the first difference, so a
/// resume on other data whose vocabulary merely has the same size is caught.
using Identity = std::map<std::string, std::string>;

/// manifest.tsv, parsed: `meta<TAB>key<TAB>value` lines and one entry per stored array.
struct ManifestEntry {
    std::string kind, name, file, dtype, shape;  // kind: param, buffer, optim, rng or identity
};
struct Manifest {
    Metadata metadata;
    std::vector<ManifestEntry> entries;
};
/// Throws std::runtime_error naming `name`, the line and what was expected.
Manifest parse_manifest(const std::string& text, const std::string& name);

void save_checkpoint(const std::string& dir, Module& model, const Optimizer* optimizer, const Rng* rng,
                     const Metadata& metadata = {}, const Identity& identity = {});

/// True when `dir` holds a complete checkpoint (or one whose save was interrupted in its last step).
bool has_checkpoint(const std::string& dir);

/// Loads into `model` (and optimizer / rng when given). Every parameter must be present with the
/// same shape and dtype, and every entry of `expected` (when given) recorded with the same text; all
/// mismatches are reported together in one error. Returns the metadata.
Metadata load_checkpoint(const std::string& dir, Module& model, Optimizer* optimizer, Rng* rng,
                         const Identity* expected = nullptr);

/// Only the metadata of the checkpoint in `dir` (its epochs, losses, ...), without a model.
Metadata read_checkpoint_metadata(const std::string& dir);

/// Only the identity the checkpoint in `dir` recorded (its vocabularies, ...), without a model.
Identity read_checkpoint_identity(const std::string& dir);

}  // namespace attn
