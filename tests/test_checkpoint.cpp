// .npy files, checkpoint folders, mismatch reports, and exact resumption of training.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include <unistd.h>

#include "attn/train/checkpoint.hpp"
#include "attn/support/io.hpp"
#include "attn/nn/layers.hpp"
#include "attn/nn/normalization.hpp"
#include "attn/train/optim.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_values;

namespace {

std::string temp_path(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("attn_test_ckpt_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return (dir / name).string();
}

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

/// A small model with dropout, so that resuming needs the RNG state too.
struct Tiny : Module {
    Linear first, second;
    Dropout drop{0.3};
    Tiny(std::size_t in, std::size_t hidden, Rng& rng) : first(in, hidden, rng), second(hidden, 3, rng) {}
    Tensor loss(const Tensor& x, const Ids& y, Rng& rng) const {
        return cross_entropy(second.forward(drop.forward(tanh(first.forward(x)), rng)), y);
    }
    void list(Lister& out) override {
        out.child("first", first);
        out.child("second", second);
    }
};

}  // namespace

TEST_CASE(".npy: round trip, numpy's header layout, and every kind of bad file") {
    Rng rng(1);
    for (const Shape& shape : std::vector<Shape>{{}, {3}, {2, 3, 4}}) {
        const Tensor t = uniform(shape, -1, 1, rng);
        const std::string path = temp_path("t.npy");
        save_npy(path, t);
        const std::string bytes = read_bytes(path);
        CHECK(bytes.compare(0, 6, "\x93NUMPY") == 0);
        const std::size_t header = std::size_t(static_cast<unsigned char>(bytes[8])) | std::size_t(static_cast<unsigned char>(bytes[9])) << 8;
        CHECK((10 + header) % 64 == 0);  // data aligned as numpy writes it
        std::string dtype;
        const Tensor back = load_npy(path, &dtype);
        CHECK(dtype == "float64");
        CHECK(back.shape() == shape);
        CHECK(back.values() == t.values());
    }
    const std::string good = temp_path("good.npy");
    save_npy(good, Tensor::from({2, 2}, {1, 2, 3, 4}));
    CHECK(read_bytes(good).find("'shape': (2, 2), }") != std::string::npos);
    save_npy(good, Tensor::from({2}, {1, 2}));
    CHECK(read_bytes(good).find("'shape': (2,), }") != std::string::npos);
    const std::string bytes = read_bytes(good);

    const std::string bad = temp_path("bad.npy");
    write_bytes(bad, "PK\x03\x04 not numpy");
    CHECK_THROWS_WITH_AS(load_npy(bad), (bad + ": not a .npy file (bad magic)").c_str(), std::runtime_error);
    write_bytes(bad, bytes.substr(0, bytes.size() - 3));
    CHECK_THROWS_WITH_AS(load_npy(bad), (bad + ": expected 16 bytes of data for shape (2), found 13 (truncated or corrupt file?)").c_str(), std::runtime_error);
    std::string ints = bytes;
    ints.replace(ints.find("<f8"), 3, "<i8");
    write_bytes(bad, ints);
    CHECK_THROWS_WITH_AS(load_npy(bad), (bad + ": dtype '<i8' is not supported (expected '<f4' or '<f8')").c_str(), std::runtime_error);
    std::string fortran = bytes;
    fortran.replace(fortran.find("False"), 5, "True ");
    write_bytes(bad, fortran);
    CHECK_THROWS_WITH_AS(load_npy(bad), (bad + ": Fortran-ordered arrays are not supported (save with C order)").c_str(), std::runtime_error);
    CHECK_THROWS_WITH_AS(load_npy(temp_path("none.npy")), (temp_path("none.npy") + ": no such file").c_str(), std::runtime_error);
    // found by fuzzing: an empty array whose other extents are absurd (its strides would overflow)
    const std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4000000, 4000000, 4000000), }";
    CHECK_THROWS_WITH_AS(parse_npy(std::string("\x93NUMPY\x01\x00", 8) + char(header.size()) + '\0' + header, "e.npy"),
                         "e.npy: .npy shape (0, 4000000, 4000000, 4000000) is impossibly large (corrupt file?)", std::runtime_error);
    const std::string empty = "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }";
    CHECK(parse_npy(std::string("\x93NUMPY\x01\x00", 8) + char(empty.size()) + '\0' + empty, "ok.npy").shape() == Shape{0, 3});
}

TEST_CASE("checkpoint: a resumed run continues exactly like an uninterrupted one") {
    Rng data_rng(2);
    const Tensor x = uniform({8, 4}, -1, 1, data_rng);
    const Ids y({0, 1, 2, 1, 0, 2, 2, 1});

    // uninterrupted: 6 steps
    Rng rng_a(3);
    Tiny a(4, 5, rng_a);
    Trainer trainer_a(a, test::plain_adam(0.05));
    std::vector<double> straight;
    for (int step = 0; step < 6; ++step) straight.push_back(trainer_a.step([&] { return a.loss(x, y, rng_a); }));

    // interrupted: 3 steps, save, then a fresh process-like restart from the checkpoint
    Rng rng_b(3);
    Tiny b(4, 5, rng_b);
    Trainer trainer_b(b, test::plain_adam(0.05));
    std::vector<double> resumed;
    for (int step = 0; step < 3; ++step) resumed.push_back(trainer_b.step([&] { return b.loss(x, y, rng_b); }));
    const std::string dir = temp_path("run");
    save_checkpoint(dir, b, &trainer_b.optimizer, &rng_b, {{"step", "3"}});

    Rng rng_c(999);  // different seed: everything must come from the checkpoint
    Tiny c(4, 5, rng_c);
    Trainer trainer_c(c, test::plain_adam(0.05));
    const Metadata meta = load_checkpoint(dir, c, &trainer_c.optimizer, &rng_c);
    CHECK(meta.at("step") == "3");
    CHECK(trainer_c.optimizer.steps_taken == 3);
    for (int step = 0; step < 3; ++step) resumed.push_back(trainer_c.step([&] { return c.loss(x, y, rng_c); }));
    CHECK(resumed == straight);  // bit for bit

    // saving again replaces the old checkpoint; an interrupted replacement falls back to .old
    save_checkpoint(dir, c, &trainer_c.optimizer, &rng_c, {{"step", "6"}});
    std::filesystem::rename(dir, dir + ".old");
    CHECK(load_checkpoint(dir, c, nullptr, nullptr).at("step") == "6");
    CHECK(read_checkpoint_metadata(dir).at("step") == "6");
    CHECK_FALSE(std::filesystem::exists(dir));  // a load only reads: another process may be saving
    save_checkpoint(dir, c, &trainer_c.optimizer, &rng_c, {{"step", "7"}});  // the next save puts things right
    CHECK(load_checkpoint(dir, c, nullptr, nullptr).at("step") == "7");
    CHECK_FALSE(std::filesystem::exists(dir + ".old"));
}

TEST_CASE("checkpoint: the optimiser's step count is stored as a whole number, exact beyond float32's 2^24") {
    Rng rng(6);
    Tiny model(4, 5, rng);
    Adam optimizer(model.parameters(), 0.05);
    optimizer.steps_taken = 123456789;  // float32 would store 123456792
    const std::string dir = temp_path("steps");
    save_checkpoint(dir, model, &optimizer, &rng);
    Adam loaded(model.parameters(), 0.05);
    load_checkpoint(dir, model, &loaded, nullptr);
    CHECK(loaded.steps_taken == 123456789);
    // a manifest without it, or with a non-number, is refused with the folder's name
    const std::string manifest = read_bytes(dir + "/manifest.tsv");
    write_bytes(dir + "/manifest.tsv", std::regex_replace(manifest, std::regex("meta\toptimizer_steps\t123456789\n"), ""));
    CHECK_THROWS_WITH_AS(load_checkpoint(dir, model, &loaded, nullptr), (dir + ": the checkpoint holds no optimiser state").c_str(),
                         std::runtime_error);
    write_bytes(dir + "/manifest.tsv", std::regex_replace(manifest, std::regex("123456789"), "12x"));
    CHECK_THROWS_WITH_AS(load_checkpoint(dir, model, &loaded, nullptr),
                         (dir + ": the optimiser's step count '12x' is not a whole number").c_str(), std::runtime_error);
}

TEST_CASE("checkpoint: a save that fails at any point leaves the previous checkpoint whole") {
    // ATTN_FAULT makes the save throw at one of its steps, as a full disk would (attn/support/fault.hpp).
    const char* points[] = {"checkpoint:staged-params", "checkpoint:staged", "checkpoint:old-moved",
                            "checkpoint:swapped", "write:before-rename"};
    for (const std::string point : points) {
        CAPTURE(point);
        Rng rng(5);
        Tiny model(4, 5, rng);
        Adam optimizer(model.parameters(), 0.05);
        const std::string dir = temp_path("faulty_" + point.substr(point.find(':') + 1));
        save_checkpoint(dir, model, &optimizer, &rng, {{"step", "1"}});
        const std::string first_weights = read_bytes(dir + "/params/first.W.npy");

        for (std::size_t i = 0; i < model.first.W.size(); ++i) model.first.W.data()[i] += 1;  // a later state
        ::setenv("ATTN_FAULT", (point + ":1:fail").c_str(), 1);
        bool threw = false;
        try {
            save_checkpoint(dir, model, &optimizer, &rng, {{"step", "2"}});
        } catch (const std::runtime_error& error) {
            threw = std::string(error.what()).find("injected failure") != std::string::npos;
        }
        ::unsetenv("ATTN_FAULT");
        CHECK(threw);

        // Loading gives one whole checkpoint: the previous one, or the new one once it was in place.
        Rng other(9);
        Tiny loaded(4, 5, other);
        Adam loaded_optimizer(loaded.parameters(), 0.05);
        const std::string step = load_checkpoint(dir, loaded, &loaded_optimizer, &other).at("step");
        const bool new_in_place = point == "checkpoint:swapped";
        CHECK(step == (new_in_place ? "2" : "1"));
        if (!new_in_place) CHECK(read_bytes(dir + "/params/first.W.npy") == first_weights);
        CHECK_FALSE(std::filesystem::exists(dir + ".tmp"));  // no half-written stage left behind
        CHECK_FALSE(std::filesystem::exists(dir + ".old"));
        for (const auto& entry : std::filesystem::recursive_directory_iterator(std::filesystem::path(dir).parent_path())) {
            CHECK(entry.path().filename().string().find(".tmp.") == std::string::npos);  // no temp file left behind
        }
    }
}

TEST_CASE("checkpoint: every mismatch is reported at once") {
    Rng rng(4);
    Tiny saved(4, 5, rng);
    const std::string dir = temp_path("mismatch");
    save_checkpoint(dir, saved, nullptr, nullptr);
    Tiny wider(4, 6, rng);  // first.W, first.b and second.W change shape
    try {
        load_checkpoint(dir, wider, nullptr, nullptr);
        FAIL("expected an error");
    } catch (const std::runtime_error& error) {
        const std::string message = error.what();
        INFO(message);
        CHECK(message.find("the checkpoint does not fit the model (3 problems): ") != std::string::npos);
        CHECK(message.find("parameter 'first.W' has shape (4, 5) in the checkpoint, (4, 6) in the model") != std::string::npos);
        CHECK(message.find("parameter 'first.b' has shape (5) in the checkpoint, (6) in the model") != std::string::npos);
        CHECK(message.find("parameter 'second.W' has shape (5, 3) in the checkpoint, (6, 3) in the model") != std::string::npos);
    }
    std::filesystem::remove(dir + "/params/second.b.npy");
    try {
        load_checkpoint(dir, saved, nullptr, nullptr);
        FAIL("expected an error");
    } catch (const std::runtime_error& error) {
        CHECK(std::string(error.what()).find("second.b.npy: no such file") != std::string::npos);
    }
    // a float32 checkpoint offered to this float64 build
    save_checkpoint(dir, saved, nullptr, nullptr);
    std::string manifest = read_bytes(dir + "/manifest.tsv");
    for (std::size_t at; (at = manifest.find("\tfloat64\t")) != std::string::npos;) manifest.replace(at, 9, "\tfloat32\t");
    write_bytes(dir + "/manifest.tsv", manifest);
    try {
        load_checkpoint(dir, saved, nullptr, nullptr);
        FAIL("expected an error");
    } catch (const std::runtime_error& error) {
        CHECK(std::string(error.what()).find("parameter 'first.W' is float32 in the checkpoint, but this build computes in float64") !=
              std::string::npos);
    }
    CHECK_THROWS_WITH_AS(load_checkpoint(temp_path("nothing"), saved, nullptr, nullptr),
                         (temp_path("nothing") + ": no checkpoint here (manifest.tsv is missing)").c_str(), std::runtime_error);
}

TEST_CASE("checkpoint: its identity (vocabularies, model options) is saved, read back, and a different one refused by name") {
    Rng rng(5);
    Tiny model(4, 5, rng);
    const std::string dir = temp_path("identity");
    const Identity trained{{"source vocabulary", "<pad>\n<unk>\n<bos>\n<eos>\nchat\nchien\n"}, {"model", "pre-norm\n"}};
    save_checkpoint(dir, model, nullptr, nullptr, {}, trained);
    CHECK(read_checkpoint_identity(dir) == trained);
    CHECK(std::filesystem::exists(dir + "/identity/source_vocabulary.txt"));
    load_checkpoint(dir, model, nullptr, nullptr, &trained);  // the same: loads
    const Identity subset{{"model", "pre-norm\n"}};
    load_checkpoint(dir, model, nullptr, nullptr, &subset);   // what is not asked for is not compared

    // the same size, other words: the ids would silently mean other words
    Identity other = trained;
    other["source vocabulary"] = "<pad>\n<unk>\n<bos>\n<eos>\nchien\nchat\n";
    CHECK_THROWS_WITH_AS(load_checkpoint(dir, model, nullptr, nullptr, &other),
                         (dir + ": the checkpoint does not fit the model (1 problem): its source vocabulary differs from this run's "
                                "(6 lines there, 6 here; line 5 is 'chat' in the checkpoint, 'chien' here)").c_str(),
                         std::runtime_error);
    other = trained;
    other["model"] = "post-norm\n";
    other["source vocabulary"] += "extra\n";
    CHECK_THROWS_WITH_AS(load_checkpoint(dir, model, nullptr, nullptr, &other),
                         (dir + ": the checkpoint does not fit the model (2 problems): its model differs from this run's (1 lines there, "
                                "1 here; line 1 is 'pre-norm' in the checkpoint, 'post-norm' here); its source vocabulary differs from "
                                "this run's (6 lines there, 7 here; line 7 is (no line) in the checkpoint, 'extra' here)").c_str(),
                         std::runtime_error);
    // a checkpoint that does not record what is asked for (an older attn) cannot be checked: refused
    save_checkpoint(dir, model, nullptr, nullptr);
    CHECK_THROWS_WITH_AS(load_checkpoint(dir, model, nullptr, nullptr, &subset),
                         doctest::Contains("it does not record its model (saved by an older attn?)"), std::runtime_error);
}

TEST_CASE("checkpoint: buffers (BatchNorm's running statistics) are saved and restored beside the parameters") {
    struct Normed : Module {
        BatchNorm norm{3};
        void list(Lister& out) override { out.child("norm", norm); }
    };
    Normed trained;
    trained.norm.forward(attn::test::param({4, 3}, 1));  // a training-mode forward moves the running statistics
    trained.norm.running_var.data()[2] = real(7.25);
    const std::string dir = temp_path("buffers");
    save_checkpoint(dir, trained, nullptr, nullptr);
    CHECK(read_bytes(dir + "/manifest.tsv").find("buffer\tnorm.running_mean\tbuffers/norm.running_mean.npy\t") != std::string::npos);
    Normed fresh;
    load_checkpoint(dir, fresh, nullptr, nullptr);
    CHECK(fresh.norm.running_var.data()[2] == real(7.25));
    for (std::size_t d = 0; d < 3; ++d) CHECK(fresh.norm.running_mean.data()[d] == trained.norm.running_mean.data()[d]);
    // a checkpoint without the buffers (a model that had none) does not fit
    std::filesystem::remove(dir + "/buffers/norm.running_var.npy");
    try {
        load_checkpoint(dir, fresh, nullptr, nullptr);
        FAIL("expected an error");
    } catch (const std::runtime_error& error) {
        CHECK(std::string(error.what()).find("norm.running_var.npy: no such file") != std::string::npos);
    }
}

TEST_CASE("output folders: created when missing, refused at once when not writable") {
    const std::string fresh = temp_path("made/by/the/run");
    CHECK_NOTHROW(ensure_writable_folder(fresh));
    CHECK(std::filesystem::is_directory(fresh));
    CHECK(std::filesystem::is_empty(fresh));  // the probe file is gone
    const std::string file = temp_path("a_file");
    write_bytes(file, "x");
    CHECK_THROWS_AS(ensure_writable_folder(file), std::runtime_error);
    if (::geteuid() != 0) {  // root writes anywhere: the permission case only means something for users
        const std::string locked = temp_path("locked");
        std::filesystem::create_directories(locked);
        std::filesystem::permissions(locked, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
        CHECK_THROWS_AS(ensure_writable_folder(locked), std::runtime_error);
    }
    CHECK_THROWS_AS(ensure_writable_folder("/proc/attn_cannot_create_here"), std::runtime_error);
}
