// chapters/00_autograd/main.cpp — chapter 0: the engine at work.
//
// 1. reverse mode on a five-number example, with its tape printed;
// 2. a two-layer perceptron on two spirals: the tape of one training step (also as a DOT graph);
// 3. a gradient check of that model against finite differences;
// 4. training with plain gradient descent, the loss going down;
// 5. the learned decision regions drawn in the terminal; metrics.json and tape.dot in --out.
//
// This chapter is built in float64 (libattn_f64) because it demonstrates gradient checking; every
// later chapter trains in float32. See README.md.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "model.hpp"
#include "attn/support/cli.hpp"
#include "attn/support/io.hpp"
#include "attn/support/runtime.hpp"

using namespace attn;
using namespace ch00;

// ---- 1. Reverse mode by hand ------------------------------------------------------------------
//
// L = (w x + b - t)^2 with x = 2, w = 0.5, b = 0.25, t = 1. The README works through the same
// numbers: forward 1, 1.25, 0.25, 0.0625; backward dL/dw = 1, dL/db = 0.5.

void worked_example() {
    Tensor w = Tensor::scalar(0.5).set_requires_grad().named("w");
    Tensor b = Tensor::scalar(0.25).set_requires_grad().named("b");
    const Tensor x = Tensor::scalar(2).named("x");
    const Tensor t = Tensor::scalar(1).named("t");
    Tape tape;
    {
        Recording on(tape);
        const Tensor u = (w * x).named("u");  // 1
        const Tensor v = (u + b).named("v");  // 1.25
        const Tensor e = (v - t).named("e");  // 0.25
        const Tensor L = (e * e).named("L");  // 0.0625
        tape.backward(L);
        std::printf("L = (w x + b - t)^2 = %g\n", L.item());
    }
    std::printf("dL/dw = %g   dL/db = %g\n\nits tape:\n", w.grad().item(), b.grad().item());
    tape.print(std::cout);
}

// ---- 2. The tape of one training step -----------------------------------------------------------

std::string show_one_step(const Mlp& model, const Dataset& data) {
    Tape tape;
    Recording on(tape);
    tape.backward(model.loss(data));
    std::printf("\nthe tape of one training step (%zu points):\n", data.labels.values.size());
    tape.print(std::cout);
    for (Tensor p : model.parameters()) p.zero_grad();
    return tape.to_dot();
}

// ---- 3. Checking the gradients ----------------------------------------------------------------

double check_model_gradients(const Mlp& model, const Dataset& data) {
    // A few points are enough: the check perturbs each of the model's parameters one at a time.
    const Dataset few{reshape(slice(data.x, 0, 0, 8), {8, 2}),
                      Ids(std::vector<int>(data.labels.values.begin(), data.labels.values.begin() + 8))};
    const GradCheckReport report = check_gradients([&] { return model.loss(few); }, model.parameters());
    std::printf("\ngradient check of the whole model, %s\n", report.to_string().c_str());
    return report.max_error;
}

// ---- 4. Training --------------------------------------------------------------------------------

struct TrainResult {
    double first_loss, final_loss, seconds;
};

TrainResult train(Mlp& model, const Dataset& data, int epochs, real learning_rate, real momentum) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    const int report_every = std::max(1, epochs / 10);
    TrainResult result{0, 0, 0};
    std::printf("\ntraining: %d epochs of full-batch gradient descent, learning rate %g, momentum %g\n",
                epochs, double(learning_rate), double(momentum));
    Momentum optimizer{learning_rate, momentum, {}};
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        const double loss = train_step(model, data, optimizer);
        if (epoch == 1) result.first_loss = loss;
        result.final_loss = loss;
        if (epoch % report_every == 0 || epoch == epochs) {
            const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
            std::printf("  epoch %5d/%d  loss %.4f  accuracy %5.1f%%  %.1fs, ETA %.1fs\n", epoch, epochs, loss,
                        100 * accuracy(model, data), elapsed, elapsed / epoch * (epochs - epoch));
            std::fflush(stdout);
        }
    }
    result.seconds = std::chrono::duration<double>(clock::now() - start).count();
    return result;
}

// ---- 5. What the model learned --------------------------------------------------------------------

void draw_regions(const Mlp& model, const Dataset& data) {
    const int width = 64, height = 28;
    const double extent = 1.25;
    std::vector<real> grid;  // cell centres, row by row
    for (int r = 0; r < height; ++r)
        for (int c = 0; c < width; ++c) {
            grid.push_back(real(-extent + 2 * extent * (c + 0.5) / width));
            grid.push_back(real(extent - 2 * extent * (r + 0.5) / height));
        }
    NoRecording off;
    const Tensor z = model.logits(Tensor::from({std::size_t(width * height), 2}, grid));  // (cells, 2)
    std::vector<std::string> canvas(height);
    for (int r = 0; r < height; ++r)
        for (int c = 0; c < width; ++c) {
            const std::size_t cell = std::size_t(r * width + c);
            canvas[r] += z.at({cell, 1}) > z.at({cell, 0}) ? ':' : ' ';
        }
    for (std::size_t n = 0; n < data.labels.values.size(); ++n) {
        const int c = int((data.x.at({n, 0}) + extent) / (2 * extent) * width);
        const int r = int((extent - data.x.at({n, 1})) / (2 * extent) * height);
        if (r >= 0 && r < height && c >= 0 && c < width) canvas[r][c] = data.labels.values[n] ? 'x' : 'o';
    }
    std::printf("\nlearned regions (':' = class x, blank = class o), with the training points:\n");
    for (const std::string& line : canvas) std::printf("  |%s|\n", line.c_str());
}

// ---- main ---------------------------------------------------------------------------------------

int main(int argc, char** argv) {
    std::uint64_t seed = 1;
    int epochs = 4000;
    std::size_t hidden = 32, points = 200;
    double learning_rate = 0.1, momentum = 0.9;
    std::string out = "out/00_autograd";
    CommandLine cli("attn chapter 0: reverse-mode autograd on a tape, shown on a small perceptron");
    cli.option("--seed", seed, "random seed (data and initial weights)");
    cli.option("--epochs", epochs, "full-batch gradient steps").at_least(1);
    cli.option("--hidden", hidden, "hidden units H").at_least(1);
    cli.option("--points", points, "points per spiral arm").range(4, 100000);
    cli.option("--lr", learning_rate, "learning rate").range(1e-9, 100);
    cli.option("--momentum", momentum, "momentum mu").range(0, 0.999);
    cli.option("--out", out, "folder for metrics.json and tape.dot");
    int threads = 1;
    cli.option("--threads", threads, "BLAS threads (1 is fastest for these sizes)").range(1, 256);
    if (const auto exit_code = cli.parse(argc, argv)) return *exit_code;
    configure_runtime(threads);

    try {
        std::printf("== attn chapter 0: autograd on a tape (%s) ==\n\n", precision_name());
        ensure_writable_folder(out);  // fail now, not after training
        worked_example();

        Rng rng(seed);
        const Dataset data = two_spirals(points, 0.04, rng);
        Mlp model(hidden, rng);
        const std::string dot = show_one_step(model, data);
        const double gradient_error = check_model_gradients(model, data);
        const TrainResult result = train(model, data, epochs, real(learning_rate), real(momentum));
        draw_regions(model, data);
        const double final_accuracy = accuracy(model, data);

        std::ostringstream metrics;
        metrics << "{\n  \"chapter\": \"00_autograd\",\n  \"seed\": " << seed << ",\n  \"epochs\": " << epochs
                << ",\n  \"first_loss\": " << result.first_loss << ",\n  \"final_loss\": " << result.final_loss
                << ",\n  \"train_accuracy\": " << final_accuracy
                << ",\n  \"gradient_check_max_error\": " << gradient_error << "\n}\n";
        write_file_atomically(out + "/metrics.json", metrics.str());  // depends only on the seed and options
        write_file_atomically(out + "/timing.json", "{\n  \"train_seconds\": " + std::to_string(result.seconds) + "\n}\n");
        write_file_atomically(out + "/tape.dot", dot);
        std::printf("\nfinal loss %.4f (from %.4f), training accuracy %.1f%%\n", result.final_loss,
                    result.first_loss, 100 * final_accuracy);
        std::printf("wrote %s/metrics.json, timing.json and %s/tape.dot (render: dot -Tsvg %s/tape.dot -o tape.svg)\n",
                    out.c_str(), out.c_str(), out.c_str());
    } catch (const std::exception& error) {
        return cli.fail("00_autograd", error);  // one line; 128 + the signal after Ctrl-C
    }
    return 0;
}
