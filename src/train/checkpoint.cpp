// .npy files and checkpoint folders (see attn/train/checkpoint.hpp).
#include "attn/train/checkpoint.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "attn/data/lines.hpp"
#include "attn/support/fault.hpp"
#include "attn/support/io.hpp"

namespace attn {

namespace fs = std::filesystem;

namespace {

const char* const dtype_of_real = sizeof(real) == 4 ? "float32" : "float64";

/// The value of 'key' in a .npy header dict, up to the next ',' at depth 0 (or the closing brace).
std::string header_field(const std::string& header, const std::string& key, const std::string& path) {
    const std::size_t at = header.find("'" + key + "'");
    const std::size_t colon = at == std::string::npos ? at : header.find(':', at);
    if (colon == std::string::npos) throw std::runtime_error(path + ": .npy header has no '" + key + "'");
    std::size_t start = colon + 1;
    while (start < header.size() && header[start] == ' ') ++start;
    std::size_t end = start;
    int depth = 0;
    while (end < header.size() && !(depth == 0 && (header[end] == ',' || header[end] == '}'))) {
        if (header[end] == '(') ++depth;
        if (header[end] == ')') --depth;
        ++end;
    }
    return header.substr(start, end - start);
}

Shape parse_shape(const std::string& text, const std::string& path) {
    if (text.size() < 2 || text.front() != '(' || text.back() != ')') {
        throw std::runtime_error(path + ": .npy shape '" + text + "' is not a tuple");
    }
    Shape shape;
    std::string number;
    for (char c : text.substr(1, text.size() - 2) + ",") {
        if (c == ',' ) {
            if (!number.empty()) shape.push_back(std::stoul(number));
            number.clear();
        } else if (c >= '0' && c <= '9') {
            if (number.size() >= 12) throw std::runtime_error(path + ": .npy shape '" + text + "' has an absurd size");
            number += c;
        } else if (c != ' ' && c != 'L') {
            throw std::runtime_error(path + ": .npy shape '" + text + "' is not a tuple of sizes");
        }
    }
    return shape;
}

std::string shape_tuple(const Shape& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) s += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? ", " : "");
    if (shape.size() == 1) s.pop_back();  // numpy writes (3,)
    return s + ")";
}

}  // namespace

void save_npy(const std::string& path, const Tensor& tensor) {
    std::string header = std::string("{'descr': '") + (sizeof(real) == 4 ? "<f4" : "<f8") +
                         "', 'fortran_order': False, 'shape': " + shape_tuple(tensor.shape()) + ", }";
    const std::size_t unpadded = 10 + header.size() + 1;
    header += std::string((64 - unpadded % 64) % 64, ' ') + "\n";  // numpy aligns the data to 64 bytes
    std::string file = "\x93NUMPY";
    file += char(1);
    file += char(0);
    file += char(header.size() & 0xFF);
    file += char(header.size() >> 8);
    file += header;
    file.append(reinterpret_cast<const char*>(tensor.data()), tensor.size() * sizeof(real));  // x86/ARM: little-endian
    write_file_atomically(path, file);
}

Tensor load_npy(const std::string& path, std::string* dtype) { return parse_npy(read_text_file(path), path, dtype); }

Tensor parse_npy(const std::string& file, const std::string& path, std::string* dtype) {
    if (file.size() < 10 || file.compare(0, 6, "\x93NUMPY") != 0) throw std::runtime_error(path + ": not a .npy file (bad magic)");
    const int major = static_cast<unsigned char>(file[6]);
    std::size_t header_length, offset;
    if (major == 1) {
        header_length = std::size_t(static_cast<unsigned char>(file[8])) | std::size_t(static_cast<unsigned char>(file[9])) << 8;
        offset = 10;
    } else if (major == 2 || major == 3) {
        if (file.size() < 12) throw std::runtime_error(path + ": truncated .npy header");
        header_length = 0;
        for (int k = 3; k >= 0; --k) header_length = header_length << 8 | static_cast<unsigned char>(file[8 + std::size_t(k)]);
        offset = 12;
    } else {
        throw std::runtime_error(path + ": unsupported .npy version " + std::to_string(major));
    }
    if (file.size() < offset + header_length) throw std::runtime_error(path + ": truncated .npy header");
    const std::string header = file.substr(offset, header_length);
    const std::string descr = header_field(header, "descr", path);
    if (header_field(header, "fortran_order", path) != "False") {
        throw std::runtime_error(path + ": Fortran-ordered arrays are not supported (save with C order)");
    }
    const Shape shape = parse_shape(header_field(header, "shape", path), path);
    std::size_t width;
    if (descr == "'<f4'") width = 4;
    else if (descr == "'<f8'") width = 8;
    else throw std::runtime_error(path + ": dtype " + descr + " is not supported (expected '<f4' or '<f8')");
    if (dtype != nullptr) *dtype = width == 4 ? "float32" : "float64";
    const std::size_t data_at = offset + header_length, data_bytes = file.size() - data_at;
    // A corrupt shape must not overflow the element count, nor the strides of an empty array:
    // bound the product of the extents with zeros counted as ones.
    if (shape.size() > 8) throw std::runtime_error(path + ": .npy array has " + std::to_string(shape.size()) + " dimensions (at most 8 supported)");
    std::size_t strides_product = 1, expected_bytes = 0;
    bool overflow = false;
    for (std::size_t extent : shape) overflow = overflow || __builtin_mul_overflow(strides_product, std::max<std::size_t>(extent, 1), &strides_product);
    if (overflow || strides_product > (std::size_t(1) << 40)) {
        throw std::runtime_error(path + ": .npy shape " + to_string(shape) + " is impossibly large (corrupt file?)");
    }
    const std::size_t n = element_count(shape);
    expected_bytes = n * width;
    if (data_bytes != expected_bytes) {
        throw std::runtime_error(path + ": expected " + std::to_string(expected_bytes) + " bytes of data for shape " +
                                 to_string(shape) + ", found " + std::to_string(data_bytes) + " (truncated or corrupt file?)");
    }
    std::vector<real> values(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (width == 4) {
            float v;
            std::memcpy(&v, file.data() + data_at + 4 * i, 4);
            values[i] = real(v);
        } else {
            double v;
            std::memcpy(&v, file.data() + data_at + 8 * i, 8);
            values[i] = real(v);
        }
    }
    return Tensor::from(shape, std::move(values));
}

// ---- checkpoints ---------------------------------------------------------------------------------

namespace {

bool all_finite(const Tensor& t) {
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (!std::isfinite(t.data()[i])) return false;
    }
    return true;
}

}  // namespace

Manifest parse_manifest(const std::string& text, const std::string& name) {
    Manifest manifest;
    Lines lines(text, name);
    std::string line;
    while (lines.next(line)) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> f;
        std::istringstream fields(line);
        for (std::string field; std::getline(fields, field, '\t');) f.push_back(field);
        if (!f.empty() && f[0] == "meta" && f.size() == 3) {
            manifest.metadata[f[1]] = f[2];
        } else if (f.size() == 5 && (f[0] == "param" || f[0] == "buffer" || f[0] == "optim" || f[0] == "rng" || f[0] == "identity")) {
            const std::string& file = f[2];
            if (file.empty() || file[0] == '/' || file.find("..") != std::string::npos) {
                throw std::runtime_error(lines.where() + ": file '" + file + "' is not a path inside the checkpoint");
            }
            manifest.entries.push_back({f[0], f[1], f[2], f[3], f[4]});
        } else {
            throw std::runtime_error(lines.where() + ": expected kind<TAB>name<TAB>file<TAB>dtype<TAB>shape or meta<TAB>key<TAB>value");
        }
    }
    return manifest;
}

namespace {

/// "source vocabulary" -> "source_vocabulary": an identity's name as a file name.
std::string file_name_of(const std::string& name) {
    std::string file;
    for (char c : name) file += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
    return file;
}

/// The first difference between a checkpoint's identity text and this run's, as a problem line.
std::string identity_difference(const std::string& name, const std::string& saved, const std::string& expected) {
    std::istringstream a(saved), b(expected);
    std::string x, y;
    std::size_t line = 0, lines_a = 0, lines_b = 0;
    std::string first;
    for (;;) {
        const bool more_a = bool(std::getline(a, x)), more_b = bool(std::getline(b, y));
        lines_a += more_a;
        lines_b += more_b;
        if (!more_a && !more_b) break;
        ++line;
        if (first.empty() && (more_a != more_b || x != y)) {
            auto shown = [](bool present, const std::string& text) {
                return present ? "'" + (text.size() > 60 ? text.substr(0, 60) + "..." : text) + "'" : std::string("(no line)");
            };
            first = "line " + std::to_string(line) + " is " + shown(more_a, x) + " in the checkpoint, " + shown(more_b, y) + " here";
        }
    }
    return "its " + name + " differs from this run's (" + std::to_string(lines_a) + " lines there, " + std::to_string(lines_b) +
           " here; " + first + ")";
}

/// A save interrupted between its two renames leaves no <dir> but a complete <dir>.old: put it back.
void recover_interrupted_save(const std::string& dir) {
    const std::string old = dir + ".old";
    if (fs::exists(dir + "/manifest.tsv") || !fs::exists(old + "/manifest.tsv")) return;
    std::error_code error;
    fs::remove_all(dir, error);
    fs::rename(old, dir, error);
    if (error) throw std::runtime_error("cannot restore the previous checkpoint " + old + " to " + dir + ": " + error.message());
}

}  // namespace

void save_checkpoint(const std::string& dir, Module& model, const Optimizer* optimizer, const Rng* rng,
                     const Metadata& metadata, const Identity& identity) {
    const std::string staging = dir + ".tmp", old = dir + ".old";
    recover_interrupted_save(dir);  // so that <dir> is the last good checkpoint while we write the next
    std::error_code error;
    fs::remove_all(staging, error);
    // Stage the whole new checkpoint beside the old one; on failure remove the half-written stage.
    try {
        std::ostringstream manifest;
        manifest << "# attn checkpoint v1: kind, name, file, dtype, shape\n";
        for (const auto& [key, value] : metadata) manifest << "meta\t" << key << "\t" << value << "\n";
        if (optimizer != nullptr) manifest << "meta\toptimizer_steps\t" << optimizer->steps_taken << "\n";
        for (const NamedParameter& p : model.state()) {
            const std::string file = (p.buffer ? "buffers/" : "params/") + p.name + ".npy";
            save_npy(staging + "/" + file, *p.tensor);
            manifest << (p.buffer ? "buffer\t" : "param\t") << p.name << "\t" << file << "\t" << dtype_of_real << "\t" << to_string(p.tensor->shape()) << "\n";
        }
        fault_point("checkpoint:staged-params");
        if (optimizer != nullptr) {
            for (const NamedTensor& s : optimizer->state()) {
                const std::string file = "optim/" + s.name + ".npy";
                save_npy(staging + "/" + file, s.tensor);
                manifest << "optim\t" << s.name << "\t" << file << "\t" << dtype_of_real << "\t" << to_string(s.tensor.shape()) << "\n";
            }
        }
        if (rng != nullptr) {
            write_file_atomically(staging + "/rng.txt", rng->state() + "\n");
            manifest << "rng\trng\trng.txt\ttext\t()\n";
        }
        for (const auto& [name, text] : identity) {
            const std::string file = "identity/" + file_name_of(name) + ".txt";
            write_file_atomically(staging + "/" + file, text);
            manifest << "identity\t" << name << "\t" << file << "\ttext\t()\n";
        }
        write_file_atomically(staging + "/manifest.tsv", manifest.str());
        fault_point("checkpoint:staged");
    } catch (...) {
        fs::remove_all(staging, error);
        throw;
    }

    // Swap it in: <dir> -> <dir>.old, <dir>.tmp -> <dir>. On failure put the old one back.
    try {
        fs::remove_all(old, error);
        if (fs::exists(dir)) {
            fs::rename(dir, old, error);
            if (error) throw std::runtime_error("cannot replace checkpoint " + dir + ": " + error.message());
        }
        fault_point("checkpoint:old-moved");
        fs::rename(staging, dir, error);
        if (error) throw std::runtime_error("cannot move the new checkpoint into " + dir + ": " + error.message());
    } catch (...) {
        fs::remove_all(staging, error);
        recover_interrupted_save(dir);
        throw;
    }
    try {
        fault_point("checkpoint:swapped");
    } catch (...) {
        fs::remove_all(old, error);
        throw;
    }
    fs::remove_all(old, error);
}

bool has_checkpoint(const std::string& dir) {
    return fs::exists(dir + "/manifest.tsv") || fs::exists(dir + ".old/manifest.tsv");
}

namespace {

/// Where the checkpoint `dir` can be read: `dir`, or <dir>.old when a save was killed between its
/// two renames. Readers never rename (another process may be saving right now); the run that owns
/// the folder puts <dir>.old back (save_checkpoint, RunFolder).
std::string readable(const std::string& dir) {
    return !fs::exists(dir + "/manifest.tsv") && fs::exists(dir + ".old/manifest.tsv") ? dir + ".old" : dir;
}

}  // namespace

Metadata read_checkpoint_metadata(const std::string& requested) {
    const std::string dir = readable(requested);
    const std::string manifest_path = dir + "/manifest.tsv";
    if (!fs::exists(manifest_path)) throw std::runtime_error(dir + ": no checkpoint here (manifest.tsv is missing)");
    return parse_manifest(read_text_file(manifest_path), manifest_path).metadata;
}

Identity read_checkpoint_identity(const std::string& requested) {
    const std::string dir = readable(requested);
    const std::string manifest_path = dir + "/manifest.tsv";
    if (!fs::exists(manifest_path)) throw std::runtime_error(dir + ": no checkpoint here (manifest.tsv is missing)");
    Identity identity;
    for (const ManifestEntry& e : parse_manifest(read_text_file(manifest_path), manifest_path).entries) {
        if (e.kind == "identity") identity[e.name] = read_text_file(dir + "/" + e.file);
    }
    return identity;
}

Metadata load_checkpoint(const std::string& requested, Module& model, Optimizer* optimizer, Rng* rng, const Identity* expected) {
    const std::string dir = readable(requested);
    const std::string manifest_path = dir + "/manifest.tsv";
    if (!fs::exists(manifest_path)) throw std::runtime_error(dir + ": no checkpoint here (manifest.tsv is missing)");

    const Manifest manifest = parse_manifest(read_text_file(manifest_path), manifest_path);
    const Metadata& metadata = manifest.metadata;
    const std::vector<ManifestEntry>& entries = manifest.entries;

    // Parameters: collect every problem, then report them all at once.
    std::vector<std::string> problems;
    std::vector<std::pair<Tensor*, Tensor>> loaded;
    const std::vector<NamedParameter> parameters = model.state();  // buffers too
    for (const NamedParameter& p : parameters) {
        const std::string kind = p.buffer ? "buffer" : "param", what = p.buffer ? "buffer '" : "parameter '";
        const ManifestEntry* entry = nullptr;
        for (const ManifestEntry& e : entries) if (e.kind == kind && e.name == p.name) entry = &e;
        if (entry == nullptr) {
            problems.push_back(what + p.name + "' is missing from the checkpoint");
            continue;
        }
        if (entry->dtype != dtype_of_real) {
            problems.push_back(what + p.name + "' is " + entry->dtype + " in the checkpoint, but this build computes in " + dtype_of_real);
            continue;
        }
        try {
            std::string dtype;
            Tensor value = load_npy(dir + "/" + entry->file, &dtype);
            if (value.shape() != p.tensor->shape()) {
                problems.push_back(what + p.name + "' has shape " + to_string(value.shape()) +
                                   " in the checkpoint, " + to_string(p.tensor->shape()) + " in the model");
            } else if (dtype != dtype_of_real) {
                problems.push_back(what + p.name + "' is stored as " + dtype + ", expected " + dtype_of_real);
            } else if (!all_finite(value)) {
                problems.push_back(what + p.name + "' holds NaN or infinite values (" + dir + "/" + entry->file + ")");
            } else {
                loaded.emplace_back(p.tensor, value);
            }
        } catch (const std::runtime_error& error) {
            problems.push_back(error.what());
        }
    }
    for (const ManifestEntry& e : entries) {
        bool known = e.kind != "param" && e.kind != "buffer";
        for (const NamedParameter& p : parameters) known = known || (p.name == e.name && (e.kind == "buffer") == p.buffer);
        if (!known) problems.push_back("the checkpoint has a " + std::string(e.kind == "buffer" ? "buffer '" : "parameter '") + e.name + "' that the model does not");
    }
    if (expected != nullptr) {  // what the numbers mean: the same vocabularies, the same model options
        for (const auto& [name, text] : *expected) {
            const ManifestEntry* entry = nullptr;
            for (const ManifestEntry& e : entries) if (e.kind == "identity" && e.name == name) entry = &e;
            if (entry == nullptr) {
                problems.push_back("it does not record its " + name + " (saved by an older attn?), so it cannot be checked against this run's");
                continue;
            }
            try {
                const std::string saved = read_text_file(dir + "/" + entry->file);
                if (saved != text) problems.push_back(identity_difference(name, saved, text));
            } catch (const std::runtime_error& error) {
                problems.push_back(error.what());
            }
        }
    }
    if (!problems.empty()) {  // one line: the first few problems and how many more
        std::string message = dir + ": the checkpoint does not fit the model (" + std::to_string(problems.size()) +
                              (problems.size() == 1 ? " problem): " : " problems): ");
        const std::size_t shown = std::min<std::size_t>(problems.size(), 3);
        for (std::size_t i = 0; i < shown; ++i) message += (i ? "; " : "") + problems[i];
        if (problems.size() > shown) message += "; and " + std::to_string(problems.size() - shown) + " more";
        throw std::runtime_error(message);
    }
    for (auto& [target, value] : loaded) std::copy(value.data(), value.data() + value.size(), target->data());

    if (optimizer != nullptr) {
        std::vector<NamedTensor> state;
        for (const ManifestEntry& e : entries) {
            if (e.kind != "optim") continue;
            Tensor value = load_npy(dir + "/" + e.file);
            if (!all_finite(value)) throw std::runtime_error(dir + "/" + e.file + ": optimiser state holds NaN or infinite values");
            state.push_back({e.name, value});
        }
        const auto steps = metadata.find("optimizer_steps");
        if (steps == metadata.end()) throw std::runtime_error(dir + ": the checkpoint holds no optimiser state");
        char* end = nullptr;
        const long steps_taken = std::strtol(steps->second.c_str(), &end, 10);
        if (steps->second.empty() || *end != '\0' || steps_taken < 0) {
            throw std::runtime_error(dir + ": the optimiser's step count '" + steps->second + "' is not a whole number");
        }
        optimizer->steps_taken = steps_taken;
        try {
            optimizer->load_state(state);
        } catch (const std::runtime_error& error) {
            throw std::runtime_error(dir + ": " + error.what());
        }
    }
    if (rng != nullptr) {
        bool found = false;
        for (const ManifestEntry& e : entries) {
            if (e.kind != "rng") continue;
            try {
                rng->set_state(read_text_file(dir + "/" + e.file));
            } catch (const std::invalid_argument&) {
                throw std::runtime_error(dir + "/" + e.file + ": not a random generator state");
            }
            found = true;
        }
        if (!found) throw std::runtime_error(dir + ": the checkpoint holds no random generator state");
    }
    return metadata;
}

}  // namespace attn
