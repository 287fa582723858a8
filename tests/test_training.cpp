// The progress line, the token loss, and the training loop.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include <unistd.h>

#include "attn/nn/module.hpp"
#include "attn/train/loop.hpp"
#include "attn/train/loss.hpp"
#include "attn/train/progress.hpp"
#include "attn/train/run_folder.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::param;

TEST_CASE("progress: plain lines when the output is not a terminal") {
    std::FILE* file = std::tmpfile();
    REQUIRE(file != nullptr);
    Progress progress(40, "tok", file);
    CHECK_FALSE(progress.interactive());
    for (int i = 0; i < 40; ++i) progress.step(1 + i / 20, 2.0, 100);
    progress.finish();
    std::rewind(file);
    char buffer[4096] = {};
    const std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, file);
    std::fclose(file);
    const std::string text(buffer, n);
    INFO(text);
    CHECK(text.find('\r') == std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 21);  // steps 1, 3, ..., 39 (every total/20 = 2) and 40
    CHECK(text.find("epoch 2  step 40/40  loss 2.0000") != std::string::npos);
    CHECK(text.find("tok/s") != std::string::npos);
    CHECK(text.find("ETA 0.0s") != std::string::npos);
}

TEST_CASE("token_cross_entropy: mean over real tokens, pad ignored, never inf with smoothing") {
    const Tensor logits = param({2, 3, 4}, 1);
    const Ids targets({2, 3}, {1, 2, 0, 3, 0, 0});  // pad = 0
    const Tensor flat = cross_entropy(reshape(logits, {6, 4}), Ids({6}, targets.values), {0, 0});
    CHECK(token_cross_entropy(logits, targets, 0).item() == doctest::Approx(flat.item()).epsilon(1e-14));
    check_grads([&] { return token_cross_entropy(logits, targets, 0, 0.1); }, {logits});
    const Tensor masked = masked_fill(logits, Tensor::from({4}, {0, 0, 0, 1}), -std::numeric_limits<real>::infinity());
    CHECK(std::isfinite(token_cross_entropy(masked, Ids({2, 3}, {1, 2, 0, 2, 0, 0}), 0, 0.1).item()));
    CHECK_THROWS_WITH_AS(token_cross_entropy(logits, Ids({6}, targets.values), 0),
                         "token_cross_entropy: needs logits (B, T, V) and targets (B, T), got (2, 3, 4) and (6)",
                         std::invalid_argument);
}

// ---- the training loop (attn/train/loop.hpp) ----------------------------------------------------------

namespace {

/// One parameter w and a scripted validation: epoch e's validation loss (and accuracy) is read from
/// a list, so which epoch is best is known in advance. Each batch's loss is (w - 3)^2, so w moves
/// at every step and every epoch's parameters differ.
struct Scalar : Module {
    Tensor w = Tensor::scalar(0).set_requires_grad();
    void list(Lister& out) override { out.parameter("w", w); }
};

class ScriptedTask : public TrainingTask {
public:
    ScriptedTask(Scalar& model, std::vector<Validation> script) : model_(model), script_(std::move(script)) {}
    std::vector<std::vector<std::size_t>> epoch(std::size_t, Rng& rng) const override {
        rng.next();  // the loop's generator moves once per epoch, as a shuffle would move it
        return {{0}, {1}};
    }
    WeightedLoss loss(const std::vector<std::size_t>&, Rng&) const override {
        const Tensor d = model_.w - real(3);
        return {d * d, 1};
    }
    Validation validate() const override {
        CHECK_FALSE(model_.training());  // the loop switched it to evaluation mode
        w_seen.push_back(model_.w.item());
        return script_.at(w_seen.size() - 1);
    }
    mutable std::vector<real> w_seen;  // w at each validation

private:
    Scalar& model_;
    std::vector<Validation> script_;
};

TrainOptions quiet(int epochs) {
    TrainOptions options = test::plain_adam(0.1);
    options.epochs = epochs;
    options.progress = false;
    return options;
}

std::string temp_folder(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("attn_test_loop_" + std::to_string(::getpid())) / name;
    std::filesystem::remove_all(dir);
    return dir.string();
}

}  // namespace

TEST_CASE("train: the model ends with the best validation epoch's parameters, and the report says which") {
    Scalar model;
    ScriptedTask task(model, {{3.0}, {1.0}, {2.0}, {4.0}});
    Rng rng(1);
    const TrainReport report = train(model, task, quiet(4), rng);
    CHECK(report.epochs_done == 4);
    CHECK(report.best_epoch == 2);
    CHECK(report.best().loss == 1.0);
    CHECK(report.valid_loss() == std::vector<double>{3, 1, 2, 4});
    REQUIRE(task.w_seen.size() == 4);
    CHECK(task.w_seen[1] != task.w_seen[3]);
    CHECK(model.w.item() == task.w_seen[1]);  // epoch 2's w, not the last one
    CHECK(report.train_loss.size() == 4);
    // every step's loss is kept, epoch by epoch, and each epoch's mean is the mean of its steps
    REQUIRE(report.steps_in_epoch.size() == 4);
    std::size_t k = 0;
    for (std::size_t e = 0; e < 4; ++e) {
        double total = 0;
        for (std::size_t i = 0; i < report.steps_in_epoch[e]; ++i) total += report.step_loss.at(k++);
        CHECK(report.train_loss[e] == doctest::Approx(total / double(report.steps_in_epoch[e])).epsilon(1e-12));
    }
    CHECK(k == report.step_loss.size());
    CHECK(model.training());
}

TEST_CASE("train: a run of many steps resumes with every step's loss (the manifest's lines stay under their cap)") {
    /// 30,000 batches an epoch, each loss (w - 3)^2 + 1/3 (17 significant digits to write): two
    /// epochs hold 60,000 step losses, 1.2 MB: more than a manifest line may hold (1 MiB)
    class ManySteps : public TrainingTask {
    public:
        explicit ManySteps(Scalar& model) : model_(model) {}
        std::vector<std::vector<std::size_t>> epoch(std::size_t, Rng&) const override {
            return std::vector<std::vector<std::size_t>>(30000, std::vector<std::size_t>{0});
        }
        WeightedLoss loss(const std::vector<std::size_t>&, Rng&) const override {
            const Tensor d = model_.w - real(3);
            return {d * d + real(1.0 / 3), 1};
        }
        Validation validate() const override { return {1.0}; }

    private:
        Scalar& model_;
    };
    TrainOptions options = quiet(2);
    options.folder = temp_folder("many_steps");
    Scalar model;
    ManySteps task(model);
    Rng rng(1);
    const TrainReport straight = train(model, task, options, rng);
    REQUIRE(straight.step_loss.size() == 60000);
    Scalar resumed_model;
    ManySteps resumed_task(resumed_model);
    options.resume = true;
    Rng resumed_rng(1);
    const TrainReport resumed = train(resumed_model, resumed_task, options, resumed_rng);  // nothing left to train
    CHECK(resumed.step_loss == straight.step_loss);
    CHECK(resumed.steps_in_epoch == straight.steps_in_epoch);
}

TEST_CASE("train: accuracy decides the best epoch when there is one, the loss breaks ties") {
    CHECK(Validation{2.0, 0.9}.better_than(Validation{1.0, 0.8}));  // higher accuracy wins over lower loss
    CHECK(Validation{1.0, 0.8}.better_than(Validation{2.0, 0.8}));  // a tie: the lower loss
    CHECK_FALSE(Validation{1.0, 0.8}.better_than(Validation{1.0, 0.8}));  // only strict improvements
    CHECK(Validation{1.0}.better_than(Validation{2.0}));
    Scalar model;
    ScriptedTask task(model, {{1.0, 0.5}, {3.0, 0.7}, {0.5, 0.7}, {0.1, 0.6}});
    Rng rng(1);
    CHECK(train(model, task, quiet(4), rng).best_epoch == 3);
}

TEST_CASE("train: --patience stops after that many epochs without a better score") {
    Scalar model;
    ScriptedTask task(model, {{3.0}, {1.0}, {2.0}, {1.5}, {0.5}, {0.1}});
    TrainOptions options = quiet(6);
    options.patience = 2;
    Rng rng(1);
    const TrainReport report = train(model, task, options, rng);
    CHECK(report.stopped_early);
    CHECK(report.epochs_done == 4);  // epochs 3 and 4 were no better than epoch 2
    CHECK(report.best_epoch == 2);
    CHECK(model.w.item() == task.w_seen[1]);
}

TEST_CASE("train: a run resumed from its checkpoint ends exactly where an uninterrupted one does, best epoch included") {
    const std::vector<Validation> script{{3.0}, {1.0}, {2.0}, {0.5}, {0.7}};
    Scalar straight_model;
    ScriptedTask straight_task(straight_model, script);
    TrainOptions options = quiet(5);
    options.folder = temp_folder("straight");
    Rng straight_rng(7);
    const TrainReport straight = train(straight_model, straight_task, options, straight_rng);

    Scalar first_model;
    ScriptedTask first_task(first_model, script);
    options.folder = temp_folder("resumed");
    options.epochs = 2;
    Rng first_rng(7);
    train(first_model, first_task, options, first_rng);
    CHECK(std::filesystem::exists(options.folder + "/best/manifest.tsv"));
    CHECK(std::filesystem::exists(options.folder + "/loss.svg"));

    Scalar resumed_model;  // a new process: everything comes from the folder
    resumed_model.w.data()[0] = 42;
    ScriptedTask resumed_task(resumed_model, {script.begin() + 2, script.end()});
    options.epochs = 5;
    options.resume = true;
    Rng resumed_rng(999);
    const TrainReport resumed = train(resumed_model, resumed_task, options, resumed_rng);
    CHECK(resumed.epochs_done == 5);
    CHECK(resumed.best_epoch == straight.best_epoch);
    CHECK(resumed.train_loss == straight.train_loss);
    CHECK(resumed.step_loss == straight.step_loss);
    CHECK(resumed.steps_in_epoch == straight.steps_in_epoch);
    CHECK(resumed.valid_loss() == straight.valid_loss());
    CHECK(resumed_model.w.item() == straight_model.w.item());
    CHECK(resumed_rng.next() == straight_rng.next());

    // resuming a finished run trains nothing and still ends with the best epoch's parameters
    Scalar again;
    ScriptedTask nothing(again, {});
    Rng again_rng(3);
    const TrainReport done = train(again, nothing, options, again_rng);
    CHECK(nothing.w_seen.empty());
    CHECK(done.best_epoch == 4);
    CHECK(again.w.item() == straight_model.w.item());
}

TEST_CASE("train: bad options and a missing checkpoint are refused with one clear message") {
    Scalar model;
    ScriptedTask task(model, {{1.0}});
    Rng rng(1);
    TrainOptions options = quiet(0);
    CHECK_THROWS_WITH_AS(train(model, task, options, rng), "training needs at least 1 epoch, got 0", std::invalid_argument);
    options = quiet(1);
    options.patience = -1;
    CHECK_THROWS_WITH_AS(train(model, task, options, rng), "patience must be >= 0 (0 = never stop early)", std::invalid_argument);
    options = quiet(1);
    options.resume = true;
    CHECK_THROWS_WITH_AS(train(model, task, options, rng), "--resume needs an output folder (--out)", std::invalid_argument);
    options.folder = temp_folder("empty");
    CHECK_THROWS_WITH_AS(train(model, task, options, rng),
                         (options.folder + "/checkpoint: no checkpoint here (manifest.tsv is missing)").c_str(), std::runtime_error);
    options = quiet(1);
    options.learning_rate = nullptr;
    CHECK_THROWS_WITH_AS(train(model, task, options, rng), "training needs a learning-rate schedule", std::invalid_argument);
}

namespace {

/// A task that sends its own process a signal at a given step (counted over the whole run).
class SignalledTask : public ScriptedTask {
public:
    SignalledTask(Scalar& model, int signal_at_step, int signal_number)
        : ScriptedTask(model, std::vector<Validation>(10, Validation{1.0})), at_(signal_at_step), signal_(signal_number) {}
    WeightedLoss loss(const std::vector<std::size_t>& batch, Rng& rng) const override {
        if (++steps_ == at_) std::raise(signal_);
        return ScriptedTask::loss(batch, rng);
    }

private:
    int at_, signal_;
    mutable int steps_ = 0;
};

}  // namespace

TEST_CASE("train: SIGTERM / SIGINT stop the run after the step in progress, saying which checkpoint holds the work") {
    const std::string folder = temp_folder("signalled");
    TrainOptions options = quiet(5);
    options.folder = folder;
    const StopOnSignal stop("test", "stopped");
    {   // 2 steps an epoch: step 5 is in epoch 3, after epoch 2's checkpoint
        Scalar model;
        SignalledTask task(model, 5, SIGTERM);
        Rng rng(1);
        try {
            train(model, task, options, rng);
            FAIL("expected Interrupted");
        } catch (const Interrupted& stopped) {
            CHECK(stopped.signal == SIGTERM);
            CHECK(std::string(stopped.what()) == "stopped by SIGTERM during epoch 3; the last good checkpoint is " + folder +
                                                     "/checkpoint (after epoch 2): run again with --resume to continue from it");
        }
        CHECK(read_training_report(folder + "/checkpoint").epochs_done == 2);
    }
    {   // before the first checkpoint
        Scalar model;
        SignalledTask task(model, 1, SIGINT);
        Rng rng(1);
        options.folder = temp_folder("signalled_early");
        CHECK_THROWS_WITH_AS(train(model, task, options, rng),
                             "stopped by SIGINT during epoch 1; no epoch had finished, so there is no checkpoint to resume: run again",
                             Interrupted);
    }
    CHECK(take_stop_request() == 0);  // acted on: nothing left waiting
}

TEST_CASE("RunFolder: one run at a time, an earlier run never silently replaced, what a killed run left cleaned up") {
    namespace fs = std::filesystem;
    const std::string folder = temp_folder("run_folder");
    TrainOptions options = quiet(1);
    options.folder = folder;
    {
        const RunFolder first("test", options);
        CHECK_THROWS_WITH_AS(RunFolder("test", options),
                             (folder + ": another run is using this folder (its --out); wait for it to end, or choose another --out").c_str(),
                             std::runtime_error);
        Scalar model;
        ScriptedTask task(model, {{1.0}});
        Rng rng(1);
        train(model, task, options, rng);
    }
    CHECK_THROWS_WITH_AS(RunFolder("test", options),
                         (folder + " already holds a run (" + folder + "/checkpoint, after epoch 1): --resume continues it, "
                                   "--overwrite replaces it, or choose another --out").c_str(),
                         std::runtime_error);
    options.resume = true;
    { const RunFolder resumed("test", options); }  // continuing it is fine
    options.overwrite = true;
    CHECK_THROWS_WITH_AS(RunFolder("test", options), doctest::Contains("--resume and --overwrite contradict each other"), std::invalid_argument);
    options.resume = false;
    // debris of a killed run: a staging folder, a temporary file, a swap stopped between its renames
    fs::create_directories(folder + "/checkpoint.tmp/params");
    std::ofstream(folder + "/metrics.json.tmp.12345") << "half";
    fs::rename(folder + "/best", folder + "/best.old");
    { const RunFolder overwriting("test", options); }
    CHECK_FALSE(fs::exists(folder + "/checkpoint.tmp"));
    CHECK_FALSE(fs::exists(folder + "/metrics.json.tmp.12345"));
    CHECK_FALSE(fs::exists(folder + "/best.old"));
    CHECK_FALSE(fs::exists(folder + "/checkpoint"));  // --overwrite removed the earlier run's checkpoints
    CHECK_FALSE(fs::exists(folder + "/best"));
    options.overwrite = false;
    { const RunFolder fresh("test", options); }  // nothing left to protect: a plain new run may start
    // without --overwrite, a swap stopped between its renames is put back, not lost
    Scalar model;
    ScriptedTask task(model, {{1.0}});
    Rng rng(1);
    train(model, task, options, rng);
    fs::rename(folder + "/checkpoint", folder + "/checkpoint.old");
    options.resume = true;
    { const RunFolder resumed("test", options); }
    CHECK(fs::exists(folder + "/checkpoint/manifest.tsv"));
}
